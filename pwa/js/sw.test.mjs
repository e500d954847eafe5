// The service worker's push and notification click handlers, run in a
// fake worker scope (node:vm). Chromium's DevTools protocol can deliver a
// push to a real worker (e2e/notify_test.go) but has no command that
// clicks the notification it shows, so the click is tested here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('../sw.js', import.meta.url), 'utf8')
  .replace('__VERSION__', 'test')
  .replace('__PRECACHE__', '["/s/test/icons/icon-192.png"]');

const origin = 'https://asiointi.example.fi';

// worker loads sw.js into a fresh scope with windows (the URLs of the
// app's open windows) and returns its handlers and what they did.
function worker(windows = []) {
  const handlers = {};
  const did = { shown: [], focused: [], navigated: [], opened: [] };
  const clients = windows.map((url) => {
    const c = {
      url,
      focus: () => { did.focused.push(c.url); return Promise.resolve(c); },
      navigate: (to) => { did.navigated.push(to); c.url = to; return Promise.resolve(c); },
    };
    return c;
  });
  const self = {
    location: new URL(origin + '/sw.js'),
    addEventListener: (type, fn) => { handlers[type] = fn; },
    registration: { showNotification: (title, opts) => { did.shown.push({ title, ...opts }); return Promise.resolve(); } },
    clients: {
      matchAll: () => Promise.resolve(clients),
      openWindow: (url) => { did.opened.push(url); return Promise.resolve(null); },
    },
  };
  vm.runInNewContext(source, { self, URL, Promise, caches: {}, fetch: () => Promise.reject(new Error('offline')) });
  const fire = async (type, event) => {
    let wait = Promise.resolve();
    handlers[type]({ ...event, waitUntil: (p) => { wait = p; } });
    await wait;
  };
  return { fire, did };
}

const push = (payload) => ({ data: { json: () => JSON.parse(payload) } });
const notification = (link) => ({ data: { link }, close: () => {} });

test('a push shows a neutral notification that links to the thing', async () => {
  const w = worker();
  await w.fire('push', push('{"title":"Sinulle on uusi ilmoitus.","id":"n1","link":"/fi/cases/c1"}'));
  assert.equal(w.did.shown.length, 1);
  assert.equal(w.did.shown[0].title, 'Sinulle on uusi ilmoitus.');
  assert.equal(w.did.shown[0].tag, 'n1');
  assert.equal(w.did.shown[0].data.link, '/fi/cases/c1');
});

test('a push linking off the site links to the front page', async () => {
  const w = worker();
  await w.fire('push', push('{"title":"x","link":"https://evil.example/"}'));
  assert.equal(w.did.shown[0].data.link, '/');
});

test('a click with no window of the app open opens the linked page', async () => {
  const w = worker();
  await w.fire('notificationclick', { notification: notification('/fi/cases/c1') });
  assert.deepEqual(w.did.opened, [origin + '/fi/cases/c1']);
});

test('a click focuses a window already showing the linked page', async () => {
  const w = worker([origin + '/fi/my', origin + '/fi/cases/c1']);
  await w.fire('notificationclick', { notification: notification('/fi/cases/c1') });
  assert.deepEqual(w.did.focused, [origin + '/fi/cases/c1']);
  assert.deepEqual(w.did.navigated, []);
  assert.deepEqual(w.did.opened, []);
});

test('a click takes another window of the app to the linked page', async () => {
  const w = worker(['https://other.example/', origin + '/fi/my']);
  await w.fire('notificationclick', { notification: notification('/fi/cases/c1') });
  assert.deepEqual(w.did.focused, [origin + '/fi/my']);
  assert.deepEqual(w.did.navigated, [origin + '/fi/cases/c1']);
  assert.deepEqual(w.did.opened, []);
});
