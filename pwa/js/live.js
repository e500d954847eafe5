// Live updates: a WebSocket to /ws tells this page that something new
// arrived for the person; the page then fetches itself again and swaps
// the regions marked data-live (the bell, lists). The page remembers the
// newest notification it has seen (data-live-since on <body>, then each
// event's id) and reconnects with ?since= it, so the server sends exactly
// what was missed while away (or "resync": fetch again), and a page that
// missed nothing fetches nothing. Without JS (or without a socket) every
// page is still right after a reload.

// refreshRegions swaps the live regions of doc for those in html and
// returns html's data-live-since (undefined when it has none).
export function refreshRegions(doc, html) {
  const fresh = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('[data-live][id]').forEach((el) => {
    const next = fresh.getElementById(el.id);
    if (next) el.replaceWith(doc.importNode(next, true));
  });
  return fresh.body ? fresh.body.dataset.liveSince : undefined;
}

// backoff is the wait before reconnect attempt n (0, 1, …): 1 s doubling
// to a minute, with up to half again of jitter so clients spread out.
export function backoff(n, random = Math.random) {
  const base = Math.min(1000 * 2 ** n, 60000);
  return base + random() * base / 2;
}

// socketURL is the address of the live socket for loc, resuming after
// since (undefined: a page that does not know; then nothing is replayed).
export function socketURL(loc, since) {
  const url = (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws';
  return since === undefined ? url : url + '?since=' + encodeURIComponent(since);
}

// seen is the newest id after an event: ids sort by time.
export function seen(since, event) {
  if (!event || event.type !== 'notification' || typeof event.id !== 'string') return since;
  return since === undefined || event.id > since ? event.id : since;
}

export function startLive(doc) {
  if (!doc.body.dataset.idle || !('WebSocket' in window)) return; // logged-in pages only
  let since = doc.body.dataset.liveSince;
  let attempt = 0;
  let opened = false;
  let stopped = false;
  let ws;
  let busy = null;
  let again = false;
  const refresh = () => {
    if (!doc.querySelector('[data-live][id]')) return;
    if (busy) { again = true; return; } // fetch once more when this one ends
    busy = fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/html' } })
      .then((res) => (res.ok && !res.redirected ? res.text() : null))
      .then((html) => {
        if (!html) return;
        const fresh = refreshRegions(doc, html);
        if (fresh !== undefined && (since === undefined || fresh > since)) since = fresh;
      })
      .catch(() => {})
      .finally(() => {
        busy = null;
        if (again) { again = false; refresh(); }
      });
  };
  const connect = () => {
    ws = new WebSocket(socketURL(location, since));
    ws.addEventListener('open', () => {
      if (opened && since === undefined) refresh(); // no replay: fetch what was missed
      opened = true;
      attempt = 0;
    });
    ws.addEventListener('message', (e) => {
      let event = null;
      try { event = JSON.parse(e.data); } catch { /* not ours */ }
      since = seen(since, event);
      refresh();
    });
    ws.addEventListener('close', (e) => {
      if (stopped || e.code === 4001) return; // the session ended
      const wait = e.code === 4000 ? 0 : backoff(attempt++);
      setTimeout(connect, wait);
    });
  };
  window.addEventListener('pagehide', () => { stopped = true; if (ws) ws.close(1000); });
  connect();
}
