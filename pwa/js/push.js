// Web push opt-in on the settings page: only when the person presses the
// button (never on page load), never on a shared computer (kiosk).
function keyBytes(b64) {
  const s = (b64 + '='.repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export function setupPush(doc) {
  const button = doc.getElementById('push-enable');
  const status = doc.getElementById('push-status');
  if (!button || doc.body.dataset.kiosk === '1') return;
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (await Notification.requestPermission() !== 'granted') throw new Error('permission');
      const reg = await navigator.serviceWorker.ready;
      const { publicKey } = await (await fetch('/api/v1/push/key')).json();
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
      const { csrfToken } = await (await fetch('/api/v1/session', { cache: 'no-store' })).json();
      const res = await fetch('/api/v1/push/subscriptions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken },
        body: JSON.stringify(sub.toJSON()),
      });
      if (!res.ok) throw new Error('subscribe ' + res.status);
      location.reload();
    } catch (e) {
      button.disabled = false;
      if (status) status.textContent = status.dataset.failed;
    }
  });
}
