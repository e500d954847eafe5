// conditions.js: conditional questions of a step page (data-show-if, a
// showIf condition of the form definition as JSON). A question shows while
// its condition holds for the answer it depends on: a sibling in the same
// group item first, then a question of the page. A hidden question's
// answer counts as no answer, as on the server (server/forms/visible.go).
import { readField, matches } from './formlogic.js';

// fieldSpec finds the spec ({id, type, fields?}) of an input name among the
// step's fields (byId): "budget.0.item" is the item sub-field of budget.
export function fieldSpec(byId, name) {
  const p = name.split('.');
  const f = byId.get(p[0]);
  return p.length === 3 ? f && (f.fields || []).find((s) => s.id === p[2]) : f;
}

// sourceName is the input name whose answer condition c reads for a
// question in group item itemId (empty at the top level): the item's own
// question when it has one (has tells), else the page's.
export function sourceName(c, itemId, has) {
  const own = itemId ? `${itemId}.${c.field}` : '';
  return own && has(own) ? own : c.field;
}

// shown tells whether condition c holds for the answer of the question
// name (spec f) in vals; an unknown or hidden question has no answer.
export function shown(c, f, name, vals, hidden) {
  return matches(c, f && !hidden ? readField(f, name, vals).value : undefined);
}

// applyConditions shows and hides the conditional questions of form for
// the answers vals, in page order (so a question depending on one hidden
// just now is hidden too).
export function applyConditions(form, byId, vals) {
  const field = (name) => form.querySelector(`[data-field="${name}"]`);
  for (const w of form.querySelectorAll('[data-show-if]')) {
    const c = JSON.parse(w.dataset.showIf);
    const item = w.closest('.group-item');
    const name = sourceName(c, item && item.id, (n) => !!field(n));
    const src = field(name);
    w.hidden = !shown(c, fieldSpec(byId, name), name, vals, !src || !!src.closest('[hidden]'));
  }
}
