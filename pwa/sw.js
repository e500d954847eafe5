// Asiointi service worker. Version __VERSION__ (changes with every deploy).
// It precaches the static shell and the offline pages, serves static files
// cache-first, and never stores authenticated HTML or /api/ answers.
const VERSION = '__VERSION__';
const CACHE = 'asiointi-' + VERSION;
const PRECACHE = __PRECACHE__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((c) => c.addAll(PRECACHE.map((u) => new Request(u, { credentials: 'omit' }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('asiointi-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function offlinePage(url) {
  const m = url.pathname.match(/^\/(fi|sv|en)(\/|$)/);
  return caches.match('/' + (m ? m[1] : 'fi') + '/offline');
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/auth/')) return; // network only, never cached
  if (url.pathname.startsWith('/s/')) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok && url.pathname.startsWith('/s/' + VERSION + '/')) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    })));
    return;
  }
  if (req.mode === 'navigate') {
    // Pages go to the network; HTML is never stored. Offline → offline page.
    event.respondWith(fetch(req).catch(() => offlinePage(url)));
  }
});
