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

// A push message names no one: a neutral title, the notification id and a
// link; the page shows the details after login.
self.addEventListener('push', (event) => {
  let msg = {};
  try { msg = event.data ? event.data.json() : {}; } catch (e) { msg = {}; }
  const link = typeof msg.link === 'string' && msg.link.startsWith('/') ? msg.link : '/';
  event.waitUntil(self.registration.showNotification(msg.title || 'Asiointi', {
    tag: msg.id || undefined,
    data: { link },
    icon: PRECACHE.find((u) => u.endsWith('icon-192.png')),
  }));
});

// A click focuses a window of the app already showing the link, or another
// window of the app navigated there, or opens one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.link) || '/', self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((wins) => {
    const same = wins.find((w) => w.url === target);
    if (same) return same.focus();
    const any = wins.find((w) => new URL(w.url).origin === self.location.origin);
    if (any) return any.focus().then((w) => (w || any).navigate(target));
    return self.clients.openWindow(target);
  }));
});
