// Live updates: a WebSocket to /ws tells this page that something new
// arrived for the person; the page then fetches itself again and swaps
// the regions marked data-live (the bell, lists). After a reconnect it
// does the same, so what was missed while away shows up too. Without JS
// (or without a socket) every page is still right after a reload.
export function refreshRegions(doc, html) {
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('[data-live][id]').forEach((el) => {
    const next = fresh.getElementById(el.id);
    if (next) el.replaceWith(doc.importNode(next, true));
  });
}

// backoff is the wait before reconnect attempt n (0, 1, …): 1 s doubling
// to a minute, with up to half again of jitter so clients spread out.
export function backoff(n, random = Math.random) {
  const base = Math.min(1000 * 2 ** n, 60000);
  return base + random() * base / 2;
}

export function startLive(doc) {
  if (!doc.body.dataset.idle || !('WebSocket' in window)) return; // logged-in pages only
  let attempt = 0;
  let opened = false;
  let stopped = false;
  let ws;
  let busy = null;
  const refresh = () => {
    if (!doc.querySelector('[data-live][id]')) return;
    if (busy) return;
    busy = fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then((res) => (res.ok && !res.redirected ? res.text() : null))
      .then((html) => { if (html) refreshRegions(doc, html); })
      .catch(() => {})
      .finally(() => { busy = null; });
  };
  const connect = () => {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    ws.addEventListener('open', () => {
      if (opened) refresh(); // re-sync what was missed
      opened = true;
      attempt = 0;
    });
    ws.addEventListener('message', refresh);
    ws.addEventListener('close', (e) => {
      if (stopped || e.code === 4001) return; // the session ended
      const wait = e.code === 4000 ? 0 : backoff(attempt++);
      setTimeout(connect, wait);
    });
  };
  window.addEventListener('pagehide', () => { stopped = true; if (ws) ws.close(1000); });
  connect();
}
