// autosave.js: saves a step's answers as the resident types them: 800 ms
// after the last change, one save at a time, it sends the answers changed
// since the last save the server acknowledged (PATCH /api/v1/drafts/{id}
// {version, changes, step}; null removes an answer). A save that meets a
// newer version combines changes to different answers and lets the
// resident choose when both sides changed the same ones. On a personal
// device, changes that cannot be sent (offline, or the server's disk is
// full: 507) are kept in IndexedDB (draftstore.js, which merges them per
// draft) and sent when the connection returns or on the next visit; until
// a save is acknowledged, the changes not yet saved are sent again with
// every save, so nothing is lost to a network drop, a failed save or a
// reload. A shared (kiosk) computer keeps nothing and retries.
//
// The module knows no page: createAutosave gets what it reads and shows
// as functions (o.read, o.version, o.ui), so node --test can drive it.
import { mergeStep, canon, clockTime } from './formlogic.js';
import { diff, mergeEntries, settleEntry, arrived, applyChanges, isEmpty } from './draftstore.js';

// SAVE_DELAY is how long after the last change a save starts.
export const SAVE_DELAY = 800;

// REFUSALS are the codes of the server's answers that refuse the draft
// itself (403): the person may not, or may no longer, make it — the
// service is not for whom it is for, or they may not act for them.
export const REFUSALS = ['not-eligible', 'on-behalf-requirement'];

// retryDelay is the wait before retry n (from 0) of a failed save: 5 s,
// doubling, at most a minute.
export const retryDelay = (n) => Math.min(60000, 5000 * 2 ** n);

// createAutosave starts nothing: call start() when the page is ready.
// o holds
//   id, step (0-based), spec, lang, kiosk   the draft, the step's fields, the page
//   api                                     the draft's URL, with ?lang=
//   token                                   the CSRF token of the page
//   initial                                 readStep of the answers as rendered
//   read()                                  readStep of the answers now
//   version {get(), set(v)}                 the draft version the form posts
//   store {get, put, settle, remove}        the device's kept changes (draftstore.js)
//   ui {say(key, time), token(t), conflict(keys, mine, saved) → Promise<'keep'|'saved'>, reload(), activity()}
//   (conflict gets both sides' answers, to show both competing values)
//   env {fetch, online(), setTimeout, clearTimeout, now()}   (defaults: the browser's)
export function createAutosave(o) {
  const env = {
    fetch: (...a) => fetch(...a), online: () => navigator.onLine, now: () => Date.now(),
    setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t), ...o.env,
  };
  const { id, step, spec, lang, kiosk, api, store, ui } = o;
  const ids = new Set(spec.filter((f) => f.type !== 'info').map((f) => f.id));
  let token = o.token;
  let saved = null; // the draft's answers as the server last told
  let loaded = false; // saved came from the server (not from the page: rendered)
  let savedVersion = null; // their version, once a save or a conflict told (before: the form's)
  let shown = null; // the step's answers as last read from the form (over saved)
  let queue = null; // the changes not yet acknowledged: a draftstore.js entry
  let timer = 0, retryTimer = 0, retries = 0, busy = null, dirty = false, paused = false, leaving = false;
  let refused = false; // the server refuses this draft for good (e.g. not eligible): nothing more is sent

  async function load() {
    try {
      const r = await env.fetch(api, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return false;
      saved = (await r.json()).data || {};
      shown = shown || mergeStep(saved, spec, o.initial.values, o.initial.raw);
      loaded = true;
      return true;
    } catch (e) { return false; }
  }
  // rendered: without the draft from the server (offline, the page from
  // the service worker's cache), the step's answers as the page was
  // rendered stand for the saved ones: changes need no more.
  function rendered() {
    if (saved) return;
    saved = mergeStep({}, spec, o.initial.values, o.initial.raw);
    shown = { ...saved };
  }
  // edits adds what the resident changed in the form since it was last
  // read to the queue.
  function edits() {
    const { values: v, raw } = o.read();
    const now = mergeStep(shown, spec, v, raw);
    const { changes } = diff(shown, now, ids);
    shown = now;
    const keys = Object.keys(changes);
    if (!keys.length) return;
    const base = Object.fromEntries(keys.map((k) => [k, saved[k] ?? null]));
    queue = mergeEntries(queue, { changes, base, version: savedVersion ?? o.version.get(), step, at: env.now() });
  }
  async function send(entry, keepalive) {
    const opts = () => ({ method: 'PATCH', credentials: 'same-origin', keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ version: entry.version, changes: entry.changes, step }) });
    let res = await env.fetch(api, opts());
    if (res.status === 403) { // a new session since the page was made: fetch its token
      const s = await (await env.fetch('/api/v1/session', { credentials: 'same-origin', cache: 'no-store' })).json();
      if (s.user && s.csrfToken && s.csrfToken !== token) {
        token = s.csrfToken;
        ui.token(token);
        res = await env.fetch(api, opts());
      }
    }
    return res;
  }
  function retryLater() {
    dirty = true;
    env.clearTimeout(retryTimer);
    retryTimer = env.setTimeout(save, retryDelay(retries++));
  }
  function fail() {
    ui.say('Failed');
    retryLater();
  }
  // keep stores the queued changes on this device (merged into what is
  // kept there); msg says why (offline, or the server could not store them).
  function keep(entry, msg = 'Offline') {
    if (kiosk) return fail(); // shared computers keep nothing
    return store.put(id, entry).then(() => ui.say(msg), fail);
  }
  // push sends the queued changes.
  async function push() {
    const entry = queue;
    if (isEmpty(entry)) return true;
    ui.say('Saving');
    if (!env.online()) return keep(entry);
    let res;
    try { res = await send(entry); } catch (e) { return keep(entry); }
    if (res.status === 409) return resolve(entry, (await res.json()).current);
    if (res.status === 403) { // a refusal that saving again will not change: say why and stop
      const err = ((await res.json().catch(() => null)) || {}).error || {};
      if (REFUSALS.includes(err.code)) {
        refused = true;
        dirty = false;
        ui.refused(err.message || '');
        return false;
      }
    }
    if (res.status === 507) { // the server's disk is full: keep them here and try again later
      if (kiosk) return fail();
      retryLater();
      return keep(entry, 'Full');
    }
    if (!res.ok) return fail();
    const out = await res.json();
    saved = applyChanges(saved, entry.changes);
    savedVersion = out.version;
    queue = settleEntry(queue, entry.changes, out.version);
    o.version.set(out.version);
    retries = 0;
    if (!kiosk) await store.settle(id, entry.changes, out.version).catch(() => {});
    ui.say('Saved', clockTime(out.updatedAt ? new Date(out.updatedAt) : new Date(env.now()), lang));
    ui.activity();
    return true;
  }
  // resolve a stale save: changes to answers the newer version did not
  // change are saved on it; when both sides changed the same answers, the
  // resident chooses (saving waits meanwhile).
  function resolve(entry, cur) {
    saved = cur.data || {};
    savedVersion = cur.version;
    const changes = {}, base = {}, clash = [];
    for (const [k, v] of Object.entries(entry.changes)) {
      const t = canon(saved[k]);
      if (t === canon(v)) continue; // the newer version has it already
      if (t !== canon(entry.base[k])) clash.push(k);
      changes[k] = v;
      base[k] = saved[k] ?? null;
    }
    // Changes made while the save was under way stay queued after these.
    queue = mergeEntries({ changes, base, version: cur.version, step, at: entry.at },
      settleEntry(queue, entry.changes, cur.version));
    if (!clash.length) return push();
    paused = true;
    ui.say('');
    return ui.conflict(clash, applyChanges(saved, entry.changes), saved).then(async (choice) => {
      if (choice === 'keep') {
        paused = false;
        const ok = await push();
        if (dirty) schedule();
        return ok;
      }
      leaving = true; // the saved version: show it
      queue = null;
      if (!kiosk) await store.remove(id).catch(() => {});
      ui.reload();
      return new Promise(() => {}); // the page goes
    });
  }
  async function saveNow() {
    if (!loaded && !(await load())) rendered();
    edits();
    return push();
  }
  // run queues fn after the save or sync under way: one at a time.
  function run(fn) {
    const p = (busy || Promise.resolve()).then(fn).catch(fail).finally(() => { if (busy === p) busy = null; });
    busy = p;
    return p;
  }
  function save() {
    env.clearTimeout(timer);
    timer = 0;
    return run(() => {
      if (!dirty || paused || refused) return;
      dirty = false;
      return saveNow();
    });
  }
  function schedule() {
    dirty = true;
    env.clearTimeout(timer);
    if (!paused && !refused) timer = env.setTimeout(save, SAVE_DELAY);
  }
  // Changes kept on this device are sent when the connection is back (and
  // on the next visit); after a visit the page is reloaded to show them.
  async function sendPending(reload) {
    if (kiosk) return;
    const e = await store.get(id).catch(() => null);
    if (isEmpty(e)) return;
    if (!env.online()) return ui.say('Offline');
    if (!loaded && !(await load())) rendered();
    if (loaded && arrived(e, saved) && isEmpty(queue)) return store.remove(id); // they arrived after all
    queue = mergeEntries(e, queue);
    const ok = await push();
    if (ok && reload && e.step === step) {
      leaving = true;
      ui.reload();
    }
  }

  return {
    // start loads the draft and sends changes kept from an earlier visit.
    start: () => run(() => load().then(() => sendPending(true))),
    // changed: the answers changed; a save follows after SAVE_DELAY.
    changed: schedule,
    // sendKept sends the changes kept on the device (the connection is back).
    sendKept: () => run(() => sendPending(false)),
    // saveOffline: the form cannot be posted (offline); save (keep) instead.
    saveOffline() {
      dirty = true;
      return save();
    },
    // handOver: the form's post carries the answers, so no timed save
    // follows; it returns the save under way, if any, for the post to
    // wait for.
    handOver() {
      env.clearTimeout(timer);
      timer = 0;
      dirty = false;
      return busy;
    },
    // leave: the page goes (a post, a reload); nothing more is saved.
    leave() { leaving = true; },
    get leaving() { return leaving; },
    // paused: the resident is choosing between their changes and the saved ones.
    get paused() { return paused; },
    // pageHide sends unsaved changes as the page goes (kept on the device
    // too, as the request may not finish).
    pageHide() {
      if (leaving) return;
      if (timer || dirty) {
        rendered();
        edits();
      }
      if (isEmpty(queue)) return;
      if (!kiosk) store.put(id, queue).catch(() => {});
      send(queue, true).catch(() => {});
    },
  };
}
