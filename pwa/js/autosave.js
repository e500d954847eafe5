// autosave.js: saves a step's answers as the resident types them, through
// PUT /api/v1/drafts/{id}: 800 ms after the last change, one save at a
// time. A save that meets a newer version combines changes to different
// answers and lets the resident choose when both sides changed the same
// ones. On a personal device, changes that cannot be sent (offline) are
// kept in IndexedDB and sent when the connection returns or on the next
// visit; changes the server cannot store (507: its disk is full) are kept
// too, and retried. A shared (kiosk) computer keeps nothing and retries.
//
// The module knows no page: createAutosave gets what it reads and shows
// as functions (o.read, o.version, o.ui), so node --test can drive it.
import { mergeStep, rebase, conflicts, canon, clockTime } from './formlogic.js';

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
//   store {get, put, remove}                the device's kept changes (draftstore.js)
//   ui {say(key, time), token(t), conflict(keys, mine, saved) → Promise<'keep'|'saved'>, reload(), activity()}
//   (conflict gets both sides' answers, to show both competing values)
//   env {fetch, online(), setTimeout, clearTimeout, now()}   (defaults: the browser's)
export function createAutosave(o) {
  const env = {
    fetch: (...a) => fetch(...a), online: () => navigator.onLine, now: () => Date.now(),
    setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (t) => clearTimeout(t), ...o.env,
  };
  const { id, step, spec, lang, kiosk, api, store, ui } = o;
  let token = o.token;
  let base = null; // the draft's data at the version the form posts
  let saved = null; // the draft's data as the server last told
  let timer = 0, retryTimer = 0, retries = 0, busy = null, dirty = false, paused = false, leaving = false;
  let refused = false; // the server refuses this draft for good (e.g. not eligible): nothing more is sent

  async function load() {
    try {
      const r = await env.fetch(api, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return false;
      saved = (await r.json()).data || {};
      base = mergeStep(saved, spec, o.initial.values, o.initial.raw);
      return true;
    } catch (e) { return false; }
  }
  async function send(data, version, keepalive) {
    const opts = () => ({ method: 'PUT', credentials: 'same-origin', keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ version, data, step }) });
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
  // keep stores the answers on this device; msg says why (offline, or the
  // server could not store them).
  function keep(mine, from, version, msg = 'Offline') {
    if (kiosk) return fail(); // shared computers keep nothing
    return store.put(id, { data: mine, base: from, version, step, at: env.now() }).then(() => ui.say(msg), fail);
  }
  // push saves mine, made from the data from at version.
  async function push(mine, from, version) {
    ui.say('Saving');
    if (!env.online()) return keep(mine, from, version);
    let res;
    try { res = await send(mine, version); } catch (e) { return keep(mine, from, version); }
    if (res.status === 409) return resolve(from, mine, (await res.json()).current);
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
      return keep(mine, from, version, 'Full');
    }
    if (!res.ok) return fail();
    const out = await res.json();
    base = mine;
    o.version.set(out.version);
    retries = 0;
    if (!kiosk) await store.remove(id).catch(() => {});
    ui.say('Saved', clockTime(out.updatedAt ? new Date(out.updatedAt) : new Date(env.now()), lang));
    ui.activity();
    return true;
  }
  // resolve a stale save: changes to different answers are combined; when
  // both sides changed the same answers, the resident chooses (saving
  // waits meanwhile).
  function resolve(from, mine, cur) {
    const merged = rebase(from, mine, cur.data);
    const clash = conflicts(from, mine, cur.data);
    if (!clash.length) return push(merged, cur.data, cur.version);
    paused = true;
    ui.say('');
    return ui.conflict(clash, mine, cur.data).then(async (choice) => {
      if (choice === 'keep') {
        paused = false;
        const ok = await push(merged, cur.data, cur.version);
        if (dirty) schedule();
        return ok;
      }
      leaving = true; // the saved version: show it
      if (!kiosk) await store.remove(id).catch(() => {});
      ui.reload();
      return new Promise(() => {}); // the page goes
    });
  }
  async function saveNow() {
    if (!base && !(await load())) return fail();
    const { values: v, raw } = o.read();
    return push(mergeStep(base, spec, v, raw), base, o.version.get());
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
    if (!e) return;
    if (!env.online()) return ui.say('Offline');
    if (!base) await load();
    if (saved && canon(saved) === canon(e.data)) return store.remove(id); // it arrived after all
    const ok = await push(e.data, e.base, e.version);
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
      if (leaving || !(timer || dirty) || !base) return;
      const { values: v, raw } = o.read();
      const mine = mergeStep(base, spec, v, raw);
      if (!kiosk) store.put(id, { data: mine, base, version: o.version.get(), step, at: env.now() }).catch(() => {});
      send(mine, o.version.get(), true).catch(() => {});
    },
  };
}
