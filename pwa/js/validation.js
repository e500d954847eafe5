// validation.js: the checks of a step page, shown as the resident goes. A
// question's problem appears next to it (aria-invalid, aria-describedby)
// when focus leaves it or, once shown, as it is corrected; Continue with
// problems shows the error summary, which takes focus and whose links move
// focus to the question. Rules and words come from the page (data-rules,
// data-msg-*), made by the server from the same checks it applies.
import { readField, check } from './formlogic.js';

// ---- pure parts ----

// itemBlank tells whether group item itemId has no answer at all in vals
// (its questions are not checked then: an empty row is dropped).
export function itemBlank(vals, itemId) {
  for (const [k, xs] of vals) if (k.startsWith(itemId + '.') && xs.some((x) => x.trim())) return false;
  return true;
}

// problemOf is [key, message] of the first problem with the answer of the
// question name (spec f) in vals under rules r, or ['', '']. file is the
// file chosen in a file question.
export function problemOf(r, f, name, vals, file) {
  const res = readField(f || { type: r.t }, name, vals);
  const key = check(r, res.value, res.raw, r.t === 'file' && file);
  return [key, key ? r.m[key] || '' : ''];
}

// describedBy is an aria-describedby value (ids) with eid added (on) or
// removed; null when nothing is left.
export function describedBy(ids, eid, on) {
  const list = (ids || '').split(' ').filter((x) => x && x !== eid);
  if (on) list.push(eid);
  return list.length ? list.join(' ') : null;
}

// questionLabel names a question in messages: its label, after its group
// row's legend when it is in one.
export const questionLabel = (label, legend) => (legend === undefined ? label : `${legend} – ${label}`);

// ---- the page ----

// summaryLinks makes the links of an error summary move focus to their
// question (once per summary).
export function summaryLinks(box) {
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

// labelOf is a question's text (with its row in a group), without
// "(required)".
export function labelOf(w) {
  const l = w && w.querySelector('label, legend');
  if (!l) return '';
  const c = l.cloneNode(true);
  c.querySelectorAll('.req').forEach((x) => x.remove());
  const item = w.parentElement.closest('.group-item');
  return questionLabel(c.textContent.trim(), item ? item.querySelector('legend').textContent.trim() : undefined);
}

// createValidation shows the checks of form. texts holds the page's words
// (msgError, msgProblem), specOf finds a question's spec by input name and
// vals reads the form's answers.
export function createValidation(form, texts, specOf, vals) {
  function problem(w, v) {
    const r = w._r || (w._r = JSON.parse(w.dataset.rules));
    const name = w.dataset.field;
    const item = w.parentElement.closest('.group-item');
    if (item && itemBlank(v, item.id)) return ['', ''];
    const input = document.getElementById(name);
    return problemOf(r, specOf(name), name, v, input && input.files && input.files[0]);
  }

  // mark shows msg at question w, or clears it.
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
      s.textContent = texts.msgError + ' ';
      p.replaceChildren(s, msg);
    } else if (p) p.remove();
    w.classList.toggle('field-error-state', !!msg);
    for (const i of inputs) if (i) msg ? i.setAttribute('aria-invalid', 'true') : i.removeAttribute('aria-invalid');
    if (target) {
      const ids = describedBy(target.getAttribute('aria-describedby'), eid, !!msg);
      if (ids) target.setAttribute('aria-describedby', ids);
      else target.removeAttribute('aria-describedby');
    }
  }

  // checkAll marks every shown question and returns [name, line] of each
  // problem for the summary.
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

  // showSummary lists errs in the error summary (made when the page has
  // none) and moves focus to it.
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
      h.textContent = texts.msgProblem;
      box.append(h, document.createElement('ul'));
      form.before(box);
      summaryLinks(box);
    }
    // The page's title says there is a problem, as the server's does.
    if (errs.length && texts.msgError && !document.title.startsWith(texts.msgError)) {
      document.title = `${texts.msgError} ${document.title}`;
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

  // recheck: after an input in target, its question is checked again when
  // it shows a problem.
  function recheck(target) {
    const w = target.closest('[data-rules]');
    if (w && w.classList.contains('field-error-state')) mark(w, problem(w, vals())[1]);
  }

  // checkOnLeave checks a question when focus leaves it; a missing answer
  // is pointed out only once its problem shows. Checking must not move the
  // button being pressed: while a pointer is down, the check waits for its
  // release.
  function checkOnLeave() {
    let pressed = false;
    const later = [];
    document.addEventListener('pointerdown', () => { pressed = true; }, true);
    const release = () => { pressed = false; setTimeout(() => later.splice(0).forEach((f) => f()), 0); };
    document.addEventListener('pointerup', release, true);
    document.addEventListener('pointercancel', release, true);
    form.addEventListener('focusout', (e) => {
      const w = e.target.closest('[data-rules]');
      if (!w || w.contains(e.relatedTarget)) return;
      const checkNow = () => {
        const [key, msg] = problem(w, vals());
        if (key !== 'required' || w.classList.contains('field-error-state')) mark(w, msg);
      };
      if (pressed) later.push(checkNow); else checkNow();
    });
  }

  return { checkAll, showSummary, recheck, checkOnLeave };
}
