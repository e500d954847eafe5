// draftstore.js: unsent draft changes kept in IndexedDB on a personal
// device while offline (never in kiosk mode: autosave.js does not call it
// there), and the rules of the queue they form. One entry per draft id:
//   {changes, base, version, step, at}
// changes: the answers changed since version, by field id (null: removed);
// base: what each of them was at that version, for telling a conflict;
// step: the step they were made on; at: when.
// Changes kept again for the same draft are merged into the entry, so what
// is sent when the connection returns is the union of every change kept.
import { canon } from './formlogic.js';

const DB = 'asiointi-drafts';
const STORE = 'pending';

// diff lists the answers of ids (default: every id of either) that differ
// from `from` in `to`: {changes, base}.
export function diff(from = {}, to = {}, ids = new Set([...Object.keys(from), ...Object.keys(to)])) {
  const changes = {}, base = {};
  for (const k of ids) {
    if (canon(from[k]) === canon(to[k])) continue;
    changes[k] = to[k] ?? null;
    base[k] = from[k] ?? null;
  }
  return { changes, base };
}

// normalize reads an entry: one kept by an earlier version of this script
// ({data, base}: the whole answers and those they were made from) becomes
// the changes between the two.
export function normalize(e) {
  if (!e || e.changes) return e || null;
  const { changes, base } = diff(e.base || {}, e.data || {});
  return { changes, base, version: e.version, step: e.step, at: e.at };
}

// isEmpty: the entry changes nothing.
export const isEmpty = (e) => !e || Object.keys(e.changes).length === 0;

// mergeEntries merges newer changes into an older entry (either may be
// null): a newer value of an answer wins, the older base stays (what the
// answer was before any of the changes), and the entry keeps the lower
// version, so that a save of the union meets every version saved since
// (and a conflict shows) rather than overwriting it.
export function mergeEntries(older, newer) {
  older = normalize(older);
  newer = normalize(newer);
  if (isEmpty(older)) return newer && { ...newer, changes: { ...newer.changes }, base: { ...newer.base } };
  if (isEmpty(newer)) return { ...older, changes: { ...older.changes }, base: { ...older.base } };
  return {
    changes: { ...older.changes, ...newer.changes },
    base: { ...newer.base, ...older.base },
    version: Math.min(older.version, newer.version),
    step: newer.step,
    at: newer.at,
  };
}

// settleEntry is what is left of entry e once the changes sent are saved
// as version: the changes saved as they are go, an answer changed again
// since keeps its newer value (with what was sent as its base). null:
// nothing is left.
export function settleEntry(e, sent, version) {
  e = normalize(e);
  if (!e) return null;
  const changes = { ...e.changes }, base = { ...e.base };
  for (const k of Object.keys(sent)) {
    if (!(k in changes)) continue;
    if (canon(changes[k]) === canon(sent[k])) {
      delete changes[k];
      delete base[k];
    } else {
      base[k] = sent[k];
    }
  }
  return Object.keys(changes).length ? { ...e, changes, base, version } : null;
}

// arrived: every change of e is in the saved answers already.
export const arrived = (e, data) => Object.keys(e.changes).every((k) => canon(data[k]) === canon(e.changes[k]));

// applyChanges is data with the changes made (null removes an answer).
export function applyChanges(data, changes) {
  const out = { ...data };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

function open() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); resolve(req.result); };
    t.onerror = t.onabort = () => { db.close(); reject(t.error); };
  });
}

// update replaces the entry of id by fn(entry) in one transaction (null:
// removes it); it answers the entry as it was.
function update(id, fn) {
  return run('readwrite', (s) => {
    const r = s.get(id);
    r.onsuccess = () => {
      const next = fn(normalize(r.result));
      if (isEmpty(next)) s.delete(id);
      else s.put(next, id);
    };
    return r;
  });
}

export const get = (id) => run('readonly', (s) => s.get(id)).then(normalize);
// put keeps changes: merged into the entry kept for the draft, if any.
export const put = (id, entry) => update(id, (e) => mergeEntries(e, entry));
// settle: the changes sent were saved as version (see settleEntry).
export const settle = (id, sent, version) => update(id, (e) => settleEntry(e, sent, version));
export const remove = (id) => run('readwrite', (s) => s.delete(id));
