// draftstore.js: unsent draft changes kept in IndexedDB on a personal
// device while offline (never in kiosk mode: form.js does not call it
// there). One entry per draft id: {data, base, version, step, at}.
const DB = 'asiointi-drafts';
const STORE = 'pending';

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

export const get = (id) => run('readonly', (s) => s.get(id));
export const put = (id, entry) => run('readwrite', (s) => s.put(entry, id));
export const remove = (id) => run('readwrite', (s) => s.delete(id));
