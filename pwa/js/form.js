// form.js: enhancements of the application pages (pages/step.html and
// pages/summary.html). Every flow works without it; with it the resident
// gets autosave, unsent changes kept on a personal device while offline,
// conditional questions that appear as they answer, checks as they go and
// an error summary that takes focus. All words come from the page.
import { values, readField, readStep, mergeStep, rebase, conflicts, canon, matches, check, clockTime } from './formlogic.js';
import * as store from './draftstore.js';

const lang = document.body.dataset.lang;
const kiosk = document.body.dataset.kiosk === '1';

// The error summary takes focus; its links move focus to the field.
function summaryLinks(box) {
  if (!box || box.dataset.ready) return;
  box.dataset.ready = '1';
  box.addEventListener('click', (e) => {
    const a = e.target.closest('a[href^="#"]');
    const t = a && document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (!t) return;
    e.preventDefault();
    (t.closest('[data-field]') || t).scrollIntoView();
    t.focus({ preventScroll: true });
  });
}
const existing = document.getElementById('error-summary');
summaryLinks(existing);
if (existing) existing.focus();

const form = document.getElementById('step-form');
if (form) enhance(form);

function enhance(form) {
  const d = form.dataset;
  const id = d.draft;
  const step = Number(d.step) - 1;
  const spec = JSON.parse(d.spec || '[]');
  const byId = new Map(spec.map((f) => [f.id, f]));
  const ver = document.getElementById('draft-version');
  const status = document.getElementById('autosave-status');
  const panel = document.getElementById('conflict-panel');
  const api = `/api/v1/drafts/${id}?lang=${lang}`;
  const initial = readStep(new FormData(form), spec); // the answers as rendered
  let token = form.elements._csrf.value;
  let base = null; // the draft's data at the version in ver
  let saved = null; // the draft's data as the server last told
  let timer = 0, retryTimer = 0, retries = 0, busy = null, dirty = false, paused = false, leaving = false;

  const say = (key, time) => { status.textContent = (d['msg' + key] || '').replace('{time}', time || ''); };
  const vals = () => values(new FormData(form));
  const field = (name) => form.querySelector(`[data-field="${name}"]`);
  function specOf(name) { // "budget.0.item" → the item sub-field
    const p = name.split('.');
    const f = byId.get(p[0]);
    return p.length === 3 ? f && (f.fields || []).find((s) => s.id === p[2]) : f;
  }

  // Conditional questions (data-show-if): a sibling in the same group
  // item first, then a question of this page; a hidden question's answer
  // counts as no answer.
  function toggle() {
    const v = vals();
    for (const w of form.querySelectorAll('[data-show-if]')) {
      const c = JSON.parse(w.dataset.showIf);
      const item = w.closest('.group-item');
      const name = item && field(`${item.id}.${c.field}`) ? `${item.id}.${c.field}` : c.field;
      const src = field(name), f = specOf(name);
      w.hidden = !matches(c, src && f && !src.closest('[hidden]') ? readField(f, name, v).value : undefined);
    }
  }

  // labelOf is a question's text (with its row in a group), without "(required)".
  function labelOf(w) {
    const l = w && w.querySelector('label, legend');
    if (!l) return '';
    const c = l.cloneNode(true);
    c.querySelectorAll('.req').forEach((x) => x.remove());
    const item = w.parentElement.closest('.group-item');
    return (item ? item.querySelector('legend').textContent.trim() + ' – ' : '') + c.textContent.trim();
  }

  // Checks with the server's rules and words (data-rules).
  function problem(w, v) {
    const r = w._r || (w._r = JSON.parse(w.dataset.rules));
    const name = w.dataset.field;
    const item = w.parentElement.closest('.group-item');
    if (item && ![...v].some(([k, xs]) => k.startsWith(item.id + '.') && xs.some((x) => x.trim()))) return ['', ''];
    const res = readField(specOf(name) || { type: r.t }, name, v);
    const input = document.getElementById(name);
    const key = check(r, res.value, res.raw, r.t === 'file' && input && input.files && input.files[0]);
    return [key, key ? r.m[key] || '' : ''];
  }
  function describe(el, eid, on) {
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== eid);
    if (on) ids.push(eid);
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  }
  function mark(w, msg) {
    const name = w.dataset.field, eid = name + '-error';
    const set = w.tagName === 'FIELDSET';
    const target = set ? w : document.getElementById(name);
    const inputs = set ? w.querySelectorAll(`input[name="${name}"]`) : [target];
    let p = document.getElementById(eid);
    if (msg && !p) {
      p = document.createElement('p');
      p.className = 'field-error';
      p.id = eid;
      const notes = w.querySelectorAll(':scope > .cond-hint, :scope > .hint, :scope > .source');
      const after = notes[notes.length - 1] || w.querySelector(':scope > label, :scope > legend');
      if (after) after.after(p); else w.prepend(p);
    }
    if (msg) {
      const s = document.createElement('span');
      s.className = 'visually-hidden';
      s.textContent = d.msgError + ' ';
      p.replaceChildren(s, msg);
    } else if (p) p.remove();
    w.classList.toggle('field-error-state', !!msg);
    for (const i of inputs) if (i) msg ? i.setAttribute('aria-invalid', 'true') : i.removeAttribute('aria-invalid');
    if (target) describe(target, eid, !!msg);
  }
  function checkAll() {
    const v = vals();
    const errs = [];
    for (const w of form.querySelectorAll('[data-rules]')) {
      const [, msg] = w.closest('[hidden]') ? ['', ''] : problem(w, v);
      mark(w, msg);
      if (msg) errs.push([w.dataset.field, `${labelOf(w)}: ${msg}`]);
    }
    return errs;
  }
  function showSummary(errs) {
    let box = document.getElementById('error-summary');
    if (!box) {
      box = document.createElement('div');
      box.className = 'error-summary';
      box.id = 'error-summary';
      box.tabIndex = -1;
      box.setAttribute('role', 'alert');
      box.setAttribute('aria-labelledby', 'error-summary-title');
      const h = document.createElement('h2');
      h.id = 'error-summary-title';
      h.textContent = d.msgProblem;
      box.append(h, document.createElement('ul'));
      form.before(box);
      summaryLinks(box);
    }
    box.querySelector('ul').replaceChildren(...errs.map(([name, msg]) => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '#' + name;
      a.textContent = msg;
      li.append(a);
      return li;
    }));
    box.focus();
  }

  // Autosave.
  async function load() {
    try {
      const r = await fetch(api, { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) return false;
      saved = (await r.json()).data || {};
      base = mergeStep(saved, spec, initial.values, initial.raw);
      return true;
    } catch (e) { return false; }
  }
  async function send(data, version, keepalive) {
    const opts = () => ({ method: 'PUT', credentials: 'same-origin', keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify({ version, data, step }) });
    let res = await fetch(api, opts());
    if (res.status === 403) { // a new session since the page was made: fetch its token
      const s = await (await fetch('/api/v1/session', { credentials: 'same-origin', cache: 'no-store' })).json();
      if (s.user && s.csrfToken && s.csrfToken !== token) {
        token = form.elements._csrf.value = s.csrfToken;
        res = await fetch(api, opts());
      }
    }
    return res;
  }
  function retryLater() {
    dirty = true;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(save, Math.min(60000, 5000 * 2 ** retries++));
  }
  function fail() {
    say('Failed');
    retryLater();
  }
  // keep stores the answers on this device; msg says why (offline, or the
  // server could not store them).
  function keep(mine, from, version, msg = 'Offline') {
    if (kiosk) return fail(); // shared computers keep nothing
    return store.put(id, { data: mine, base: from, version, step, at: Date.now() }).then(() => say(msg), fail);
  }
  // push saves mine, made from the data from at version.
  async function push(mine, from, version) {
    say('Saving');
    if (!navigator.onLine) return keep(mine, from, version);
    let res;
    try { res = await send(mine, version); } catch (e) { return keep(mine, from, version); }
    if (res.status === 409) return resolve(from, mine, (await res.json()).current);
    if (res.status === 507) { // the server's disk is full: keep them here and try again later
      if (kiosk) return fail();
      retryLater();
      return keep(mine, from, version, 'Full');
    }
    if (!res.ok) return fail();
    const out = await res.json();
    base = mine;
    ver.value = out.version;
    retries = 0;
    if (!kiosk) await store.remove(id).catch(() => {});
    say('Saved', clockTime(out.updatedAt ? new Date(out.updatedAt) : new Date(), lang));
    document.dispatchEvent(new Event('asiointi:activity'));
    return true;
  }
  // resolve a stale save: changes to different answers are combined; when
  // both sides changed the same answers, the resident chooses.
  function resolve(from, mine, cur) {
    const merged = rebase(from, mine, cur.data);
    const clash = conflicts(from, mine, cur.data);
    if (!clash.length) return push(merged, cur.data, cur.version);
    paused = true;
    say('');
    document.getElementById('conflict-list').replaceChildren(...clash.map((k) => {
      const li = document.createElement('li');
      li.textContent = labelOf(field(k)) || k;
      return li;
    }));
    panel.hidden = false;
    panel.focus();
    return new Promise((done) => {
      document.getElementById('conflict-keep').onclick = async () => {
        panel.hidden = true;
        paused = false;
        done(await push(merged, cur.data, cur.version));
        if (dirty) schedule();
      };
      document.getElementById('conflict-saved').onclick = async () => {
        leaving = true;
        if (!kiosk) await store.remove(id).catch(() => {});
        location.reload();
      };
    });
  }
  async function saveNow() {
    if (!base && !(await load())) return fail();
    const { values: v, raw } = readStep(new FormData(form), spec);
    return push(mergeStep(base, spec, v, raw), base, Number(ver.value));
  }
  // run queues fn after the save or sync under way: one at a time.
  function run(fn) {
    const p = (busy || Promise.resolve()).then(fn).catch(fail).finally(() => { if (busy === p) busy = null; });
    busy = p;
    return p;
  }
  function save() {
    clearTimeout(timer);
    timer = 0;
    return run(() => {
      if (!dirty || paused) return;
      dirty = false;
      return saveNow();
    });
  }
  function schedule() {
    dirty = true;
    clearTimeout(timer);
    if (!paused) timer = setTimeout(save, 800);
  }
  // Changes kept on this device are sent when the connection is back (and
  // on the next visit); after a visit the page is reloaded to show them.
  async function sendPending(reload) {
    if (kiosk) return;
    const e = await store.get(id).catch(() => null);
    if (!e) return;
    if (!navigator.onLine) return say('Offline');
    if (!base) await load();
    if (saved && canon(saved) === canon(e.data)) return store.remove(id); // it arrived after all
    const ok = await push(e.data, e.base, e.version);
    if (ok && reload && e.step === step) {
      leaving = true;
      location.reload();
    }
  }

  form.addEventListener('input', (e) => {
    toggle();
    const w = e.target.closest('[data-rules]');
    if (w && w.classList.contains('field-error-state')) mark(w, problem(w, vals())[1]);
    if (e.target.type !== 'file') schedule();
  });
  // Checking a field when it is left must not move the button being
  // pressed: while a pointer is down, the check waits for its release.
  let pressed = false;
  const later = [];
  document.addEventListener('pointerdown', () => { pressed = true; }, true);
  const release = () => { pressed = false; setTimeout(() => later.splice(0).forEach((f) => f()), 0); };
  document.addEventListener('pointerup', release, true);
  document.addEventListener('pointercancel', release, true);
  form.addEventListener('focusout', (e) => {
    const w = e.target.closest('[data-rules]');
    if (!w || w.contains(e.relatedTarget)) return;
    const check = () => {
      const [key, msg] = problem(w, vals());
      if (key !== 'required' || w.classList.contains('field-error-state')) mark(w, msg);
    };
    if (pressed) later.push(check); else check();
  });
  form.addEventListener('submit', async (e) => {
    if (leaving) return;
    const action = e.submitter ? e.submitter.value : 'next';
    if (action === 'next') {
      const errs = checkAll();
      if (errs.length) {
        e.preventDefault();
        showSummary(errs);
        return;
      }
    }
    if (!navigator.onLine) { // the post would fail: keep the answers
      e.preventDefault();
      dirty = true;
      save();
      return;
    }
    clearTimeout(timer); // the post carries the answers
    timer = 0;
    dirty = false;
    if (busy) {
      e.preventDefault();
      await busy;
      if (paused) return;
      leaving = true;
      form.requestSubmit(e.submitter || undefined);
      return;
    }
    leaving = true;
  });
  window.addEventListener('online', () => run(() => sendPending(false)));
  window.addEventListener('pagehide', () => {
    if (leaving || !(timer || dirty) || !base) return;
    const { values: v, raw } = readStep(new FormData(form), spec);
    const mine = mergeStep(base, spec, v, raw);
    if (!kiosk) store.put(id, { data: mine, base, version: Number(ver.value), step, at: Date.now() }).catch(() => {});
    send(mine, Number(ver.value), true).catch(() => {});
  });

  toggle();
  run(() => load().then(() => sendPending(true)));
}
