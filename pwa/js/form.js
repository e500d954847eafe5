// form.js: enhancements of the application pages (pages/step.html and
// pages/summary.html). Every flow works without it; with it the resident
// gets autosave, unsent changes kept on a personal device while offline
// (autosave.js), conditional questions that appear as they answer
// (conditions.js), checks as they go and an error summary that takes focus
// (validation.js). This module wires them to the page; all words come
// from the page.
import { values, readStep, answerText } from './formlogic.js';
import * as store from './draftstore.js';
import { applyConditions, fieldSpec } from './conditions.js';
import { createValidation, summaryLinks, labelOf } from './validation.js';
import { createAutosave } from './autosave.js';

const lang = document.body.dataset.lang;
const kiosk = document.body.dataset.kiosk === '1';

// An error summary from the server takes focus.
const existing = document.getElementById('error-summary');
summaryLinks(existing);
if (existing) existing.focus();

const form = document.getElementById('step-form');
if (form) enhance(form);

function enhance(form) {
  const d = form.dataset;
  const spec = JSON.parse(d.spec || '[]');
  const byId = new Map(spec.map((f) => [f.id, f]));
  const ver = document.getElementById('draft-version');
  const status = document.getElementById('autosave-status');
  const panel = document.getElementById('conflict-panel');
  const vals = () => values(new FormData(form));
  const field = (name) => form.querySelector(`[data-field="${name}"]`);
  const checks = createValidation(form, d, (name) => fieldSpec(byId, name), vals);
  const autosave = createAutosave({
    id: d.draft,
    step: Number(d.step) - 1,
    spec,
    lang,
    kiosk,
    api: `/api/v1/drafts/${d.draft}?lang=${lang}`,
    token: form.elements._csrf.value,
    initial: readStep(new FormData(form), spec), // the answers as rendered
    read: () => readStep(new FormData(form), spec),
    version: { get: () => Number(ver.value), set: (v) => { ver.value = v; } },
    store,
    ui: {
      say: (key, time) => { status.textContent = (d['msg' + key] || '').replace('{time}', time || ''); },
      // refused: the server will not store this draft (the message says why).
      refused: (message) => { status.textContent = message; },
      token: (t) => { form.elements._csrf.value = t; },
      // conflict lists the answers both sides changed and waits for the
      // resident's choice.
      conflict(keys, mine, saved) {
        const pd = panel.dataset;
        const words = { none: pd.none, yes: pd.yes, no: pd.no };
        document.getElementById('conflict-list').replaceChildren(...keys.map((k) => {
          const optionLabel = (v) => {
            const o = form.querySelector(`[data-field="${k}"] input[value="${CSS.escape(v)}"], select[name="${k}"] option[value="${CSS.escape(v)}"]`);
            const l = o && (o.tagName === 'OPTION' ? o : form.querySelector(`label[for="${o.id}"]`));
            return l ? l.textContent.trim() : '';
          };
          const li = document.createElement('li');
          const q = document.createElement('strong');
          q.textContent = labelOf(field(k)) || k;
          const side = (title, v) => {
            const p = document.createElement('span');
            p.className = 'conflict-value';
            p.textContent = `${title}: ${answerText(v, optionLabel, words)}`;
            return p;
          };
          li.append(q, side(pd.mine, mine[k]), side(pd.saved, saved[k]));
          return li;
        }));
        panel.hidden = false;
        panel.focus();
        return new Promise((done) => {
          document.getElementById('conflict-keep').onclick = () => {
            panel.hidden = true;
            done('keep');
          };
          document.getElementById('conflict-saved').onclick = () => done('saved');
        });
      },
      reload: () => location.reload(),
      activity: () => document.dispatchEvent(new Event('asiointi:activity')),
    },
  });
  const toggle = () => applyConditions(form, byId, vals());

  form.addEventListener('input', (e) => {
    toggle();
    checks.recheck(e.target);
    if (e.target.type !== 'file') autosave.changed();
  });
  checks.checkOnLeave();
  form.addEventListener('submit', async (e) => {
    if (autosave.leaving) return;
    const action = e.submitter ? e.submitter.value : 'next';
    if (action === 'next') {
      const errs = checks.checkAll();
      if (errs.length) {
        e.preventDefault();
        checks.showSummary(errs);
        return;
      }
    }
    if (!navigator.onLine) { // the post would fail: keep the answers
      e.preventDefault();
      autosave.saveOffline();
      return;
    }
    const pending = autosave.handOver(); // the post carries the answers
    if (pending) {
      e.preventDefault();
      await pending;
      if (autosave.paused) return;
      autosave.leave();
      form.requestSubmit(e.submitter || undefined);
      return;
    }
    autosave.leave();
  });
  window.addEventListener('online', () => autosave.sendKept());
  window.addEventListener('pagehide', () => autosave.pageHide());

  toggle();
  autosave.start();
}
