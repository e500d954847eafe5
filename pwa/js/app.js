// Asiointi page enhancements: service worker, session timeout warning and
// protection against showing a personal page from the back/forward cache.
import { startIdleTimer } from './idle.js';
import { setupPush } from './push.js';
import { startLive } from './live.js';

const body = document.body;
const kiosk = body.dataset.kiosk === '1';

// A personal page restored from the back/forward cache after logout must
// not be shown: ask the server again (it answers with the login page).
window.addEventListener('pageshow', (e) => {
  if (e.persisted && body.dataset.personal === '1') location.reload();
});

if ('serviceWorker' in navigator) {
  if (kiosk) {
    // Shared computers keep nothing: no worker, no caches.
    navigator.serviceWorker.getRegistrations().then((rs) => rs.forEach((r) => r.unregister()));
    if (window.caches) caches.keys().then((ks) => ks.forEach((k) => caches.delete(k)));
  } else {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
}

// Print buttons (receipts) need JavaScript: shown only when it runs.
for (const b of document.querySelectorAll('[data-print]')) {
  b.hidden = false;
  b.addEventListener('click', () => window.print());
}

if (body.dataset.idle) startIdleTimer(body);
setupPush(document);
startLive(document);
