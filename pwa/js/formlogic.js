// formlogic.js: the pure rules behind form.js, tested with node --test.
// Reading a step's answers mirrors readStep in server/web/form_step.go;
// conditions mirror server/forms/visible.go; check() applies the same rules
// as forms.CheckSubmit, with messages the server renders into data-rules.
// Both sides run the vectors in server/forms/testdata/vectors
// (formlogic.vectors.test.mjs here); the server is authoritative.
import { validHetu, validBusinessId, validIban, validPostalCode } from './fincode.js';

// values groups FormData-like [name, value] pairs by name (files skipped).
export function values(pairs) {
  const m = new Map();
  for (const [k, v] of pairs) {
    if (typeof v !== 'string') continue;
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(v);
  }
  return m;
}

const first = (vals, name) => (vals.get(name) || [])[0] ?? '';

function hasInput(vals, prefix) {
  for (const [k, vs] of vals) if (k.startsWith(prefix) && vs.some((v) => v.trim() !== '')) return true;
  return false;
}

// parseNumber reads "12", "12,5" or "1 200" (a space, no-break space or
// narrow no-break space between digits); null when it is not a number, or
// too large for one.
export function parseNumber(s) {
  s = s.replace(/[ \u00a0\u202f]/g, '').replace(',', '.');
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

// atoi reads a whole number as Go's strconv.Atoi does (an optional sign,
// digits only); NaN otherwise.
const atoi = (s) => (/^[+-]?\d+$/.test(s) ? Number(s) : NaN);

// readField reads one field's answer from vals under name. It returns
// {value} (undefined when unanswered) and raw text that did not read; for a
// group, itemRaw holds such texts by "<item>.<sub-field>", counting the
// items kept.
export function readField(f, name, vals) {
  const text = first(vals, name);
  switch (f.type) {
    case 'info': return {};
    case 'checkbox': return { value: text === 'true' || text === 'on' };
    case 'checkboxes': {
      const list = [...new Set((vals.get(name) || []).filter((x) => x !== ''))];
      return { value: list.length ? list : undefined };
    }
    case 'number': {
      const t = text.trim();
      if (!t) return {};
      const n = parseNumber(t);
      return n === null ? { raw: text } : { value: n };
    }
    case 'time': {
      // A browser without a time picker: "18.30", "klo 18" read as 18:30, 18:00.
      const t = text.trim();
      return { value: parseTime(t) || t || undefined };
    }
    case 'date': {
      let t = text.trim();
      const m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t);
      if (m) t = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
      return { value: t || undefined };
    }
    case 'group': {
      const n = Math.max(0, atoi(first(vals, name + '.count')) || 0);
      const items = [];
      const itemRaw = {};
      for (let i = 0; i < n; i++) {
        const prefix = `${name}.${i}.`;
        if (!hasInput(vals, prefix)) continue;
        const item = {};
        for (const sub of f.fields || []) {
          const r = readField(sub, prefix + sub.id, vals);
          if (r.value !== undefined) item[sub.id] = r.value;
          if (r.raw !== undefined) itemRaw[`${items.length}.${sub.id}`] = r.raw;
        }
        items.push(item);
      }
      return { value: items.length ? items : undefined, itemRaw };
    }
  }
  return { value: text === '' ? undefined : text };
}

// readStep reads the answers of a step's fields (spec: [{id, type,
// fields?}]) into {values, raw}; raw holds the texts that did not read by
// field path ("count", "budget.0.sum").
export function readStep(pairs, spec) {
  const vals = pairs instanceof Map ? pairs : values(pairs);
  const out = {};
  const raw = {};
  for (const f of spec) {
    const r = readField(f, f.id, vals);
    if (r.value !== undefined) out[f.id] = r.value;
    if (r.raw !== undefined) raw[f.id] = r.raw;
    for (const [p, t] of Object.entries(r.itemRaw || {})) raw[`${f.id}.${p}`] = t;
  }
  return { values: out, raw };
}

// mergeStep puts a step's answers into a copy of the draft's data: an
// unanswered field is removed, a number that did not read keeps its value
// (a group is replaced whole, as on the server).
export function mergeStep(base, spec, vals, raw = {}) {
  const out = { ...base };
  for (const f of spec) {
    if (f.type === 'info' || f.id in raw) continue;
    if (vals[f.id] !== undefined) out[f.id] = vals[f.id];
    else delete out[f.id];
  }
  return out;
}

// canon is a JSON text with sorted keys, for comparing answers.
export function canon(v) {
  if (v === undefined || v === null) return 'null';
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (typeof v === 'object') return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

const keys = (...objs) => [...new Set(objs.flatMap((o) => Object.keys(o || {})))];

// rebase applies my changes (from base to mine) onto theirs.
export function rebase(base, mine, theirs) {
  const out = { ...theirs };
  for (const k of keys(base, mine)) {
    if (canon(base[k]) === canon(mine[k])) continue;
    if (mine[k] === undefined) delete out[k];
    else out[k] = mine[k];
  }
  return out;
}

// conflicts lists the answers both sides changed, to different values.
export function conflicts(base, mine, theirs) {
  return keys(base, mine, theirs).filter((k) => {
    const b = canon(base[k]), m = canon(mine[k]), t = canon(theirs[k]);
    return b !== m && b !== t && m !== t;
  });
}

// Invisible characters: the rule of server/forms/invisible.go, tested
// with the same cases (server/forms/testdata/invisible.json). Visible is
// anything but white space, controls and default-ignorable code points.
const visibleRe = /[^\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}]/u;
const isVisible = (c) => visibleRe.test(c);
const isIgnorable = (c) => /\p{Default_Ignorable_Code_Point}/u.test(c);
const isSelector = (c) => /\p{Variation_Selector}/u.test(c);
const marks = new Set(['\u200e', '\u200f', '\u061c']); // LRM, RLM, ALM

// hasVisible: s shows something.
export const hasVisible = (s) => visibleRe.test(s);

// stripInvisible normalises to NFC and drops the invisible characters that
// cannot be meant: bidi controls (text of several lines keeps LRM, RLM and
// ALM), a ZWJ or ZWNJ not between two visible characters, a variation
// selector not after one, and every other default-ignorable code point.
export function stripInvisible(s, multiline = false) {
  const cs = [...s.normalize('NFC')];
  const out = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    const prev = out.length ? out[out.length - 1] : undefined;
    let keep = !isIgnorable(c);
    if (!keep) {
      if (marks.has(c)) keep = multiline;
      else if (c === '\u200c' || c === '\u200d') {
        keep = prev !== undefined && (isVisible(prev) || isSelector(prev)) && i + 1 < cs.length && isVisible(cs[i + 1]);
      } else if (isSelector(c)) keep = prev !== undefined && isVisible(prev);
    }
    if (keep) out.push(c);
  }
  return out.join('');
}

// cleanText is the answer as the server keeps it: one line with runs of
// white space made one space, or several lines trimmed.
export function cleanText(s, multiline = false) {
  const t = stripInvisible(s, multiline).trim();
  if (multiline) return hasVisible(t) ? t : '';
  return t.split(/\s+/).filter(Boolean).join(' ');
}

// isEmpty: no answer, text with nothing visible, empty list or an unticked
// checkbox.
export function isEmpty(v) {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return !hasVisible(v);
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}

const same = (a, b) => (typeof a === 'number' ? typeof b === 'number' && a === b
  : (typeof a === 'string' || typeof a === 'boolean') && a === b);
const matchValue = (v, want) => (Array.isArray(v) ? v.some((x) => same(x, want)) : same(v, want));

// matches: a showIf condition {field, equals | in | notEmpty} holds for v.
export function matches(c, v) {
  if (c.notEmpty) return !isEmpty(v);
  if (c.equals !== undefined && c.equals !== null) return matchValue(v, c.equals);
  return (c.in || []).some((w) => matchValue(v, w));
}

// Checks as in server/forms/values.go (vectors shared with it in
// server/forms/testdata/vectors). Lengths there are in UTF-8 bytes, and
// white space is what Go's unicode.IsSpace says (JavaScript's \s also
// counts U+FEFF and not U+0085).
const encoder = new TextEncoder();
const bytes = (s) => encoder.encode(s).length;
const goSpace = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

export function validEmail(s) {
  if (bytes(s) > 254 || goSpace.test(s)) return false;
  const at = s.indexOf('@');
  const local = s.slice(0, at), domain = s.slice(at + 1);
  if (at < 1 || bytes(local) > 64 || domain.includes('@')) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const l of labels) {
    if (!l || bytes(l) > 63 || l[0] === '-' || l.at(-1) === '-' || !/^[\p{L}\p{Nd}-]+$/u.test(l)) return false;
  }
  return /^\p{L}{2,}$/u.test(labels.at(-1));
}

export function validPhone(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= '0' && c <= '9') n++;
    else if (!(c === '+' && i === 0) && !((c === ' ' || c === '-') && i > 0)) return false;
  }
  return n >= 7 && n <= 15;
}

// parseMoney reads "123.45", "123,45", "1 234,5", "12 €" into cents.
export function parseMoney(s) {
  s = s.trim().replace(/^€|€$/g, '').trim().replace(/[ \u00a0\u202f]/g, '');
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1); }
  const m = /^(\d{1,12})(?:[.,](\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const cents = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  return neg && cents ? -cents : cents; // "-0" is 0, not -0
}

function realDate(s) {
  const m = /^([1-9]\d{3})-(\d\d)-(\d\d)$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

const length = (s) => [...s].length;

// patternRegExp compiles a field's pattern as the HTML pattern attribute
// does (anchored, flag v); an engine without flag v (Safari before 17,
// Node.js 18) gets flag u, which reads the patterns the definitions use
// (validate-form keeps them to Go's RE2 syntax) the same way.
export function patternRegExp(re) {
  try {
    return new RegExp(`^(?:${re})$`, 'v');
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return new RegExp(`^(?:${re})$`, 'u');
  }
}

// check returns the message key of the first problem with value v under
// rules r (see clientRules in server/web/form_fields.go), or ''. raw is
// text that did not read as a number; file a chosen File.
export function check(r, v, raw, file) {
  if (raw !== undefined) return 'number';
  if (r.t === 'file' && file) {
    if (r.maxB && file.size > r.maxB) return 'tooBig';
    if (r.acc && file.type && !r.acc.includes(file.type)) return 'type';
    return '';
  }
  if (isEmpty(v)) return r.r ? 'required' : '';
  switch (r.t) {
    case 'text': case 'textarea': case 'email': case 'phone': {
      const s = cleanText(v, r.t === 'textarea');
      // A pattern's own hint says what is wrong better than a length.
      if (r.re && !patternRegExp(r.re).test(s)) return 'pattern';
      if (r.maxL && length(s) > r.maxL) return 'tooLong';
      if (length(s) < (r.minL || 0)) return 'tooShort';
      if (r.t === 'email' && !validEmail(s)) return 'email';
      if (r.t === 'phone' && !validPhone(s)) return 'phone';
      return '';
    }
  }
  if (typeof v === 'string') v = stripInvisible(v); // codes, amounts, dates
  switch (r.t) {
    case 'hetu': return validHetu(v.trim().toUpperCase()) ? '' : 'hetu';
    case 'businessId': return validBusinessId(v.trim()) ? '' : 'businessId';
    case 'iban': return validIban(v.replace(/\s/g, '').toUpperCase()) ? '' : 'iban';
    case 'postalCode': return validPostalCode(v.trim()) ? '' : 'postalCode';
    case 'number':
      if (r.min != null && v < r.min) return 'tooSmall';
      if (r.max != null && v > r.max) return 'tooLarge';
      return '';
    case 'money': {
      const c = parseMoney(v);
      if (c === null) return 'money';
      if (c < Math.round((r.min || 0) * 100)) return 'tooSmall';
      if (r.max != null && c > Math.round(r.max * 100)) return 'tooLarge';
      return '';
    }
    case 'time':
      return parseTime(v) === null ? 'time' : '';
    case 'date':
      if (!realDate(v.trim())) return 'date';
      if (r.dMin && v.trim() < r.dMin) return 'tooEarly';
      if (r.dMax && v.trim() > r.dMax) return 'tooLate';
      return '';
    case 'checkboxes':
      if (r.min != null && v.length < r.min) return 'tooFew';
      if (r.max != null && v.length > r.max) return 'tooMany';
      return '';
    case 'group':
      if (r.minI && v.length < r.minI) return 'tooFew';
      if (r.maxI && v.length > r.maxI) return 'tooMany';
      return '';
  }
  return '';
}

// answerText writes an answer as a person reads it in the conflict panel:
// choices by their labels (optionLabel(value), or the value), a ticked box
// as words.yes / words.no, a list joined with commas, nothing as
// words.none.
export function answerText(v, optionLabel, words) {
  if (typeof v === 'boolean') return v ? words.yes : words.no;
  if (isEmpty(v)) return words.none;
  if (Array.isArray(v)) {
    return v.map((x) => (typeof x === 'object' && x !== null ? Object.values(x).filter((y) => !isEmpty(y)).join(' / ') : (optionLabel(String(x)) || String(x)))).join(', ');
  }
  return optionLabel(String(v)) || String(v);
}

// parseTime reads a time of day as ParseTime in server/forms/values.go
// does ("18.30", "18:30", "18", "klo 18"): "HH:MM", or null.
export function parseTime(s) {
  s = String(s).trim().toLowerCase();
  for (const w of ['klo', 'kl.', 'kl', 'at']) {
    if (s.startsWith(w) && /^[ \d]/.test(s.slice(w.length))) {
      s = s.slice(w.length).trim();
      break;
    }
  }
  const m = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(s);
  if (!m || +m[1] > 23 || (m[2] !== undefined && +m[2] > 59)) return null;
  return `${m[1].padStart(2, '0')}:${m[2] ?? '00'}`;
}

const helsinkiClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Helsinki', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

// clockTime writes the time in Helsinki, as the rest of the page (the
// server's datefmt.Time) does, whatever the device's zone: 12.41 (fi, sv),
// 12:41 (en).
export function clockTime(d, lang) {
  const parts = Object.fromEntries(helsinkiClock.formatToParts(d).map((p) => [p.type, p.value]));
  return lang === 'en' ? `${parts.hour}:${parts.minute}` : `${+parts.hour}.${parts.minute}`;
}
