// Session timeout warning (WCAG 2.2.1): warns before the idle timeout,
// lets the person continue, and logs out when time is up.
export function startIdleTimer(body) {
  const idle = Number(body.dataset.idle) * 1000;
  const warn = Number(body.dataset.warn || 120) * 1000;
  const box = document.getElementById('idle-warning');
  const cont = document.getElementById('idle-continue');
  const out = document.getElementById('idle-logout');
  const form = document.getElementById('idle-logout-form');
  if (!idle || !box || !cont || !form) return;
  let warnTimer, endTimer, lastFocus;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(show, Math.max(idle - warn, 0));
    endTimer = setTimeout(() => form.submit(), idle);
  }
  function show() {
    lastFocus = document.activeElement;
    box.hidden = false;
    cont.focus();
  }
  async function keepAlive() {
    box.hidden = true;
    if (lastFocus && lastFocus.focus) lastFocus.focus();
    try {
      const r = await fetch('/api/v1/session', { credentials: 'same-origin', cache: 'no-store' });
      const s = await r.json();
      if (!s.user) { location.href = '/' + body.dataset.lang + '/timed-out'; return; }
    } catch (e) { /* offline: the timer still runs */ }
    schedule();
  }
  cont.addEventListener('click', keepAlive);
  out.addEventListener('click', () => form.submit());
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') keepAlive();
    if (e.key === 'Tab') { // keep focus inside the dialog
      const f = [cont, out];
      const i = f.indexOf(document.activeElement);
      e.preventDefault();
      f[(i + (e.shiftKey ? f.length - 1 : 1)) % f.length].focus();
    }
  });
  // Any server round trip (navigation, autosave) resets the server's
  // timer; navigation reloads this script, and other modules can signal.
  document.addEventListener('asiointi:activity', schedule);
  schedule();
}
