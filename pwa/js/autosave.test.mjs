// Run with: node --test pwa/js/
// autosave.js driven without a page: a fake server (fetch), a fake clock,
// a fake device store and a fake page (ui).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createAutosave, retryDelay, SAVE_DELAY } from './autosave.js';
import { clockTime } from './formlogic.js';
import { mergeEntries, settleEntry, normalize, applyChanges } from './draftstore.js';

const spec = [{ id: 'a', type: 'text' }, { id: 'n', type: 'number' }];
const API = '/api/v1/drafts/d1?lang=fi';

// settle lets every pending promise and fake request run.
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

function harness({ kiosk = false, kept = null, device = null } = {}) {
  const h = {
    online: true,
    now: Date.UTC(2026, 10, 23, 8, 5),
    answers: { a: 'old' }, // what the form holds now
    version: 3, // the form's version field
    // the server
    srv: { version: 3, data: { a: 'old', other: 'kept' }, token: 'T1', fail: false, full: false, hold: null, refuse: null },
    puts: [], // the saves: {method, version, changes, step, token, keepalive}
    gets: 0,
    // the page
    said: [], refusals: [], token: null, reloads: 0, activity: 0, conflicts: [], sides: [], choose: null,
    kept: device || new Map(kept ? [['d1', kept]] : []), // the device's store (device: shared with another page)
    timers: new Map(),
    seq: 0,
  };
  const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  async function fetch(url, opts = {}) {
    if (!h.online || (h.drop && opts.method)) throw new TypeError('Failed to fetch'); // drop: the network goes as a save is sent
    if (url === '/api/v1/session') return json(200, { user: { id: 'u' }, csrfToken: h.srv.token });
    assert.equal(url, API);
    if (!opts.method) {
      h.gets++;
      return json(200, { id: 'd1', version: h.srv.version, data: h.srv.data });
    }
    const body = JSON.parse(opts.body);
    h.puts.push({ method: opts.method, ...body, token: opts.headers['X-CSRF-Token'], keepalive: opts.keepalive });
    if (h.srv.hold) await h.srv.hold;
    if (h.srv.fail) return json(500, { error: { code: 'internal' } });
    if (h.srv.full) return json(507, { error: { code: 'storage-full' } });
    if (h.srv.refuse) return json(403, { error: h.srv.refuse });
    if (opts.headers['X-CSRF-Token'] !== h.srv.token) return json(403, { error: { code: 'csrf' } });
    if (body.version !== h.srv.version) return json(409, { current: { version: h.srv.version, data: h.srv.data } });
    assert.equal(opts.method, 'PATCH');
    h.srv.data = applyChanges(h.srv.data, body.changes);
    h.srv.version++;
    return json(200, { version: h.srv.version, updatedAt: new Date(h.now).toISOString() });
  }
  h.a = createAutosave({
    id: 'd1', step: 1, spec, lang: 'fi', kiosk, api: API, token: 'T1',
    initial: { values: { a: 'old' }, raw: {} },
    read: () => ({ values: { ...h.answers }, raw: {} }),
    version: { get: () => h.version, set: (v) => { h.version = v; } },
    store: { // draftstore.js's rules on a Map
      get: async (id) => normalize(h.kept.get(id)) || undefined,
      put: async (id, e) => { h.kept.set(id, mergeEntries(h.kept.get(id), e)); },
      settle: async (id, sent, v) => {
        const e = settleEntry(h.kept.get(id), sent, v);
        if (e) h.kept.set(id, e);
        else h.kept.delete(id);
      },
      remove: async (id) => { h.kept.delete(id); },
    },
    ui: {
      say: (key, time) => h.said.push(time ? `${key} ${time}` : key),
      refused: (message) => h.refusals.push(message),
      token: (t) => { h.token = t; },
      conflict: (keys, mine, saved) => {
        h.conflicts.push(keys);
        h.sides.push(keys.map((k) => [mine[k], saved[k]]));
        return new Promise((r) => { h.choose = r; });
      },
      reload: () => { h.reloads++; },
      activity: () => { h.activity++; },
    },
    env: {
      fetch,
      online: () => h.online,
      now: () => h.now,
      setTimeout: (f, ms) => { h.timers.set(++h.seq, { at: h.now + ms, f }); return h.seq; },
      clearTimeout: (t) => { h.timers.delete(t); },
    },
  });
  // tick moves the clock on by ms, running the timers that come due.
  h.tick = async (ms) => {
    const end = h.now + ms;
    for (;;) {
      const due = [...h.timers].filter(([, t]) => t.at <= end).sort((x, y) => x[1].at - y[1].at)[0];
      if (!due) break;
      h.timers.delete(due[0]);
      h.now = due[1].at;
      due[1].f();
      await settle();
    }
    h.now = end;
    await settle();
  };
  h.type = async (answers) => {
    Object.assign(h.answers, answers);
    h.a.changed();
    await settle();
  };
  return h;
}

test('retry delays: 5 s, doubling, at most a minute', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(retryDelay), [5000, 10000, 20000, 40000, 60000, 60000, 60000]);
  assert.equal(SAVE_DELAY, 800);
});

test('a change is saved once, 800 ms after the last one, on the version the form shows', async () => {
  const h = harness();
  await h.a.start();
  assert.equal(h.gets, 1);
  await h.type({ a: 'n' });
  await h.tick(500);
  await h.type({ a: 'new' });
  await h.tick(SAVE_DELAY - 1);
  assert.equal(h.puts.length, 0, 'no save before the delay');
  await h.tick(1);
  assert.deepEqual(h.puts, [{ method: 'PATCH', version: 3, changes: { a: 'new' }, step: 1, token: 'T1', keepalive: undefined }],
    'only the answer that changed is sent');
  assert.deepEqual(h.srv.data, { a: 'new', other: 'kept' });
  assert.equal(h.version, 4, 'the form posts the new version');
  assert.deepEqual(h.said, ['Saving', `Saved ${clockTime(new Date(h.now), 'fi')}`]);
  assert.equal(h.activity, 1, 'a save counts as activity for the session timer');
  await h.tick(60000);
  assert.equal(h.puts.length, 1, 'nothing more to save');
});

test('a stale save of other answers is combined with the newer version', async () => {
  const h = harness();
  await h.a.start();
  h.srv.data = { a: 'old', other: 'theirs' }; // another device saved meanwhile
  h.srv.version = 5;
  await h.type({ a: 'mine' });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]), [
    [3, { a: 'mine' }],
    [5, { a: 'mine' }],
  ]);
  assert.deepEqual(h.srv.data, { a: 'mine', other: 'theirs' });
  assert.equal(h.version, 6);
  assert.equal(h.conflicts.length, 0);
});

test('when both sides changed an answer, the resident chooses; keeping mine saves it on the newer version', async () => {
  const h = harness();
  await h.a.start();
  h.srv.data = { a: 'theirs', other: 'kept' };
  h.srv.version = 5;
  await h.type({ a: 'mine' });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.conflicts, [['a']]);
  assert.deepEqual(h.sides, [[['mine', 'theirs']]], 'the panel gets both competing values');
  assert.ok(h.a.paused);
  assert.equal(h.said.at(-1), '', 'the status is cleared while the panel shows');
  await h.type({ n: 7 }); // typing goes on: saving waits for the choice
  await h.tick(10 * SAVE_DELAY);
  assert.equal(h.puts.length, 1);
  h.choose('keep');
  await settle();
  assert.ok(!h.a.paused);
  assert.deepEqual(h.puts[1], { method: 'PATCH', version: 5, changes: { a: 'mine' }, step: 1, token: 'T1', keepalive: undefined });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]).slice(2), [[6, { n: 7 }]],
    'the change made meanwhile is saved after');
  assert.deepEqual(h.srv.data, { a: 'mine', other: 'kept', n: 7 });
});

test('choosing the saved answers drops the device copy and reloads', async () => {
  const h = harness();
  await h.a.start();
  h.srv.data = { a: 'theirs' };
  h.srv.version = 5;
  h.online = false;
  await h.type({ a: 'mine' });
  await h.tick(SAVE_DELAY);
  assert.ok(h.kept.has('d1'), 'kept on the device while offline');
  h.online = true;
  h.a.sendKept(); // waits for the choice
  await settle();
  assert.deepEqual(h.conflicts, [['a']]);
  h.choose('saved');
  await settle();
  assert.equal(h.reloads, 1);
  assert.ok(h.a.leaving, 'nothing is saved as the page goes');
  assert.ok(!h.kept.has('d1'));
  h.a.pageHide();
  await settle();
  assert.equal(h.puts.length, 1);
});

test('a failed save is retried after 5 s, then 10 s, and the wait starts again after a success', async () => {
  const h = harness();
  await h.a.start();
  h.srv.fail = true;
  await h.type({ a: 'new' });
  await h.tick(SAVE_DELAY);
  assert.equal(h.puts.length, 1);
  assert.equal(h.said.at(-1), 'Failed');
  await h.tick(4999);
  assert.equal(h.puts.length, 1);
  await h.tick(1);
  assert.equal(h.puts.length, 2);
  await h.tick(9999);
  assert.equal(h.puts.length, 2);
  h.srv.fail = false;
  await h.tick(1);
  assert.equal(h.puts.length, 3);
  assert.match(h.said.at(-1), /^Saved /);
  h.srv.fail = true;
  await h.type({ a: 'newer' });
  await h.tick(SAVE_DELAY + 5000);
  assert.equal(h.puts.length, 5, 'after a success the first retry comes after 5 s again');
});

test('offline, changes are kept on the device and sent when the connection is back', async () => {
  const h = harness();
  await h.a.start();
  h.online = false;
  await h.type({ a: 'offline' });
  await h.tick(SAVE_DELAY);
  assert.equal(h.puts.length, 0);
  assert.deepEqual(h.said, ['Saving', 'Offline']);
  assert.deepEqual(h.kept.get('d1'), { changes: { a: 'offline' }, base: { a: 'old' }, version: 3, step: 1, at: h.now });
  h.online = true;
  await h.a.sendKept();
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]), [[3, { a: 'offline' }]]);
  assert.ok(!h.kept.has('d1'), 'sent: the device copy goes');
  assert.equal(h.reloads, 0, 'coming back online does not reload');
});

test('when the server cannot store the answers (507), they are kept on the device and retried', async () => {
  const h = harness();
  await h.a.start();
  h.srv.full = true;
  await h.type({ a: 'new' });
  await h.tick(SAVE_DELAY);
  assert.equal(h.said.at(-1), 'Full');
  assert.deepEqual(h.kept.get('d1').changes, { a: 'new' });
  await h.tick(5000);
  assert.equal(h.puts.length, 2, 'retried after 5 s');
  h.srv.full = false;
  await h.tick(10000);
  assert.equal(h.puts.length, 3);
  assert.equal(h.srv.data.a, 'new');
  assert.ok(!h.kept.has('d1'), 'stored: the device copy goes');
  assert.match(h.said.at(-1), /^Saved /);

  const kiosk = harness({ kiosk: true });
  await kiosk.a.start();
  kiosk.srv.full = true;
  await kiosk.type({ a: 'new' });
  await kiosk.tick(SAVE_DELAY);
  assert.equal(kiosk.said.at(-1), 'Failed', 'a shared computer keeps nothing');
  assert.equal(kiosk.kept.size, 0);
  await kiosk.tick(5000);
  assert.equal(kiosk.puts.length, 2);
});

test('a shared computer keeps nothing: it retries instead', async () => {
  const h = harness({ kiosk: true });
  await h.a.start();
  h.online = false;
  await h.type({ a: 'offline' });
  await h.tick(SAVE_DELAY);
  assert.equal(h.kept.size, 0);
  assert.equal(h.said.at(-1), 'Failed');
  h.online = true;
  await h.tick(5000);
  assert.equal(h.puts.length, 1);
  assert.equal(h.srv.data.a, 'offline');
});

test('after a new login the token is fetched and the save repeated once', async () => {
  const h = harness();
  await h.a.start();
  h.srv.token = 'T2';
  await h.type({ a: 'new' });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.map((p) => p.token), ['T1', 'T2']);
  assert.equal(h.token, 'T2', 'the form posts the new token');
  assert.equal(h.srv.data.a, 'new');
});

test('changes kept from an earlier visit are sent at the start, and the page reloads to show them', async () => {
  const kept = { changes: { a: 'device' }, base: { a: 'old' }, version: 3, step: 1, at: 1 };
  const h = harness({ kept });
  await h.a.start();
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]), [[3, { a: 'device' }]]);
  assert.equal(h.reloads, 1);
  assert.ok(h.a.leaving);
  assert.ok(!h.kept.has('d1'));

  // Kept by the earlier version of this script: the whole answers.
  const legacy = harness({ kept: { data: { a: 'device', other: 'kept' }, base: { a: 'old', other: 'kept' }, version: 3, step: 1, at: 1 } });
  await legacy.a.start();
  assert.deepEqual(legacy.puts.map((p) => [p.version, p.changes]), [[3, { a: 'device' }]]);
  assert.deepEqual(legacy.srv.data, { a: 'device', other: 'kept' });

  const other = harness({ kept: { ...kept, step: 0 } });
  await other.a.start();
  assert.equal(other.puts.length, 1);
  assert.equal(other.reloads, 0, 'changes of another step: no reload');

  const arrived = harness({ kept: { ...kept, changes: { a: 'old' } } });
  await arrived.a.start();
  assert.equal(arrived.puts.length, 0, 'the server has them already');
  assert.ok(!arrived.kept.has('d1'));
});

test('a post takes over: no timed save follows, and a save under way is waited for', async () => {
  const h = harness();
  await h.a.start();
  await h.type({ a: 'posted' });
  assert.equal(h.a.handOver(), null, 'nothing under way');
  await h.tick(10 * SAVE_DELAY);
  assert.equal(h.puts.length, 0);

  let release;
  h.srv.hold = new Promise((r) => { release = r; });
  await h.type({ a: 'slow' });
  await h.tick(SAVE_DELAY);
  const pending = h.a.handOver();
  assert.ok(pending instanceof Promise, 'the save under way');
  let done = false;
  pending.then(() => { done = true; });
  await settle();
  assert.ok(!done);
  release();
  await settle();
  assert.ok(done);
  assert.equal(h.version, 4);
});

test('as the page goes, unsaved changes are kept and sent', async () => {
  const h = harness();
  await h.a.start();
  h.a.pageHide();
  await settle();
  assert.equal(h.puts.length, 0, 'nothing changed');
  await h.type({ a: 'typed' });
  h.a.pageHide();
  await settle();
  assert.deepEqual(h.puts, [{ method: 'PATCH', version: 3, changes: { a: 'typed' }, step: 1, token: 'T1', keepalive: true }]);
  assert.deepEqual(h.kept.get('d1').changes, { a: 'typed' });

  const posted = harness();
  await posted.a.start();
  await posted.type({ a: 'typed' });
  posted.a.handOver();
  posted.a.leave();
  posted.a.pageHide();
  await settle();
  assert.equal(posted.puts.length, 0, 'a post carries the answers');
});

test('offline on Continue: the answers are saved (kept) instead of posted', async () => {
  const h = harness();
  await h.a.start();
  h.online = false;
  h.answers.a = 'typed';
  await h.a.saveOffline();
  assert.deepEqual(h.kept.get('d1').changes, { a: 'typed' });
});

test('a save the server refuses for good (not eligible) says why and is not retried', async () => {
  const h = harness();
  await h.a.start();
  h.srv.refuse = { code: 'not-eligible', message: 'Varhaiskasvatus on alle kouluikäisille lapsille. Eetu on 7-vuotias.' };
  await h.type({ a: 'new' });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.refusals, ['Varhaiskasvatus on alle kouluikäisille lapsille. Eetu on 7-vuotias.']);
  assert.equal(h.puts.length, 1);
  await h.tick(120000);
  await h.type({ a: 'newer' });
  await h.tick(SAVE_DELAY + 60000);
  assert.equal(h.puts.length, 1, 'neither retried nor saved again');
  assert.ok(!h.said.includes('Failed'), 'not shown as a failure to try again');
  assert.equal(h.a.paused, false, 'the form may still be posted (the server answers with the reason)');

  const other = harness(); // another 403 (a stale token) is not a refusal
  await other.a.start();
  other.srv.token = 'T2';
  await other.type({ a: 'new' });
  await other.tick(SAVE_DELAY);
  assert.deepEqual(other.refusals, []);
  assert.match(other.said.at(-1), /^Saved /);
});

test('each save sends only what changed since the last save the server acknowledged', async () => {
  const h = harness();
  await h.a.start();
  await h.type({ a: 'one' });
  await h.tick(SAVE_DELAY);
  await h.type({ n: 5 });
  await h.tick(SAVE_DELAY);
  await h.type({ n: undefined }); // the number cleared
  await h.tick(SAVE_DELAY);
  await h.type({ a: 'one' }); // typed and put back: nothing to send
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]), [[3, { a: 'one' }], [4, { n: 5 }], [5, { n: null }]]);
  assert.deepEqual(h.srv.data, { a: 'one', other: 'kept' });
  assert.equal(h.version, 6);
});

test('a failed save is sent again with the changes made since: nothing is lost', async () => {
  const h = harness();
  await h.a.start();
  h.srv.fail = true;
  await h.type({ a: 'first' });
  await h.tick(SAVE_DELAY);
  await h.type({ n: 5 });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.map((p) => p.changes), [{ a: 'first' }, { a: 'first', n: 5 }], 'the union of the changes not yet saved');
  h.srv.fail = false;
  await h.tick(10000);
  assert.deepEqual(h.puts.at(-1).changes, { a: 'first', n: 5 });
  assert.deepEqual(h.srv.data, { a: 'first', other: 'kept', n: 5 });
  await h.type({ a: 'second' });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.at(-1), { method: 'PATCH', version: 4, changes: { a: 'second' }, step: 1, token: 'T1', keepalive: undefined },
    'once saved, a change is not sent again');
});

test('a network drop while saving keeps the changes on the device, and they are sent when it is back', async () => {
  const h = harness();
  await h.a.start();
  h.drop = true;
  await h.type({ a: 'dropped' });
  await h.tick(SAVE_DELAY);
  assert.equal(h.said.at(-1), 'Offline');
  assert.deepEqual(h.kept.get('d1').changes, { a: 'dropped' });
  h.drop = false;
  await h.a.sendKept();
  assert.deepEqual(h.srv.data, { a: 'dropped', other: 'kept' });
  assert.ok(!h.kept.has('d1'));
});

test('changes kept offline and more after a reload are merged on the device and sent together', async () => {
  const device = new Map();
  const first = harness({ device });
  await first.a.start();
  first.online = false;
  await first.type({ a: 'offline' });
  await first.tick(SAVE_DELAY);
  assert.deepEqual(device.get('d1').changes, { a: 'offline' });

  // The page is reloaded (from the service worker's cache), still offline:
  // the form shows the saved answers, the resident goes on typing.
  const second = harness({ device });
  second.online = false;
  second.srv = first.srv;
  await second.a.start();
  await second.type({ n: 7 });
  await second.tick(SAVE_DELAY);
  assert.equal(second.puts.length, 0);
  assert.deepEqual(device.get('d1'), { changes: { a: 'offline', n: 7 }, base: { a: 'old', n: null }, version: 3, step: 1, at: second.now },
    'one entry: the union of both pages\' changes');
  second.online = true;
  await second.a.sendKept();
  assert.deepEqual(second.puts.map((p) => [p.version, p.changes]), [[3, { a: 'offline', n: 7 }]]);
  assert.deepEqual(second.srv.data, { a: 'offline', other: 'kept', n: 7 });
  assert.ok(!device.has('d1'));
});

test('kept changes whose sending fails at the start go with the next save', async () => {
  const kept = { changes: { a: 'device' }, base: { a: 'old' }, version: 3, step: 0, at: 1 };
  const h = harness({ kept });
  h.srv.fail = true;
  await h.a.start();
  assert.equal(h.said.at(-1), 'Failed');
  h.srv.fail = false;
  await h.type({ n: 7 });
  await h.tick(SAVE_DELAY);
  assert.deepEqual(h.puts.at(-1).changes, { a: 'device', n: 7 }, 'the kept change is not lost to the new one');
  assert.deepEqual(h.srv.data, { a: 'device', other: 'kept', n: 7 });
  assert.ok(!h.kept.has('d1'), 'saved: the device copy goes');
});

test('kept changes that meet a newer version of the same answers fall back to the conflict panel', async () => {
  const device = new Map([['d1', { changes: { a: 'device', n: 3 }, base: { a: 'old', n: null }, version: 3, step: 0, at: 1 }]]);
  const h = harness({ device });
  h.srv.data = { a: 'theirs', other: 'kept' };
  h.srv.version = 4;
  h.version = 4;
  h.a.start(); // waits for the choice
  await settle();
  assert.deepEqual(h.conflicts, [['a']], 'n was not changed on the server: only a clashes');
  assert.deepEqual(h.sides, [[['device', 'theirs']]]);
  h.choose('keep');
  await settle();
  assert.deepEqual(h.puts.map((p) => [p.version, p.changes]), [[3, { a: 'device', n: 3 }], [4, { a: 'device', n: 3 }]]);
  assert.deepEqual(h.srv.data, { a: 'device', other: 'kept', n: 3 });
  assert.ok(!device.has('d1'));
});
