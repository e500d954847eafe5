// Run with: node --test pwa/js/
// The pure rules of form.js: reading a step like the server does, merging,
// three-way rebase of a stale save, conditions and the checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  readStep, mergeStep, rebase, conflicts, canon, matches, isEmpty, check,
  parseNumber, parseMoney, validEmail, validPhone, clockTime, answerText,
  hasVisible, stripInvisible, cleanText,
} from './formlogic.js';

// The cases server/forms/invisible_test.go checks the server with.
const invisible = JSON.parse(readFileSync(new URL('../../server/forms/testdata/invisible.json', import.meta.url), 'utf8'));

const spec = [
  { id: 'name', type: 'text' },
  { id: 'count', type: 'number' },
  { id: 'ok', type: 'checkbox' },
  { id: 'days', type: 'checkboxes' },
  { id: 'when', type: 'date' },
  { id: 'doc', type: 'file' },
  { id: 'rows', type: 'group', fields: [{ id: 'item', type: 'text' }, { id: 'sum', type: 'money' }] },
];

test('readStep reads values as the server does', () => {
  const pairs = [
    ['_csrf', 'x'], ['name', 'Maija '], ['count', '12,5'], ['days', 'mon'], ['days', 'tue'], ['days', 'mon'],
    ['when', '3.4.2027'], ['doc', 'att1'], ['doc', { name: 'file.pdf' }],
    ['rows.count', '3'], ['rows.0.item', 'Rent'], ['rows.0.sum', '100'], ['rows.1.item', ''], ['rows.1.sum', ' '],
    ['rows.2.item', 'Travel'],
  ];
  const { values, raw } = readStep(pairs, spec);
  assert.deepEqual(values, {
    name: 'Maija ', count: 12.5, ok: false, days: ['mon', 'tue'], when: '2027-04-03', doc: 'att1',
    rows: [{ item: 'Rent', sum: '100' }, { item: 'Travel' }],
  });
  assert.deepEqual(raw, {});
});

test('a number that does not read stays as text', () => {
  const { values, raw } = readStep([['count', '12a'], ['ok', 'true']], spec);
  assert.deepEqual(values, { ok: true });
  assert.deepEqual(raw, { count: '12a' });
});

test('mergeStep replaces the step, keeps the rest and unread numbers', () => {
  const base = { name: 'Old', count: 3, other: 'kept', when: '2027-01-01' };
  const out = mergeStep(base, spec, { name: 'New', ok: true }, { count: 'x' });
  assert.deepEqual(out, { name: 'New', count: 3, other: 'kept', ok: true });
  assert.deepEqual(base.name, 'Old', 'base untouched');
});

test('canon ignores key order', () => {
  assert.equal(canon({ b: 1, a: [{ y: 2, x: 1 }] }), canon({ a: [{ x: 1, y: 2 }], b: 1 }));
  assert.notEqual(canon({ a: 1 }), canon({ a: '1' }));
  assert.equal(canon(undefined), canon(null));
});

test('rebase keeps both sides when they changed different answers', () => {
  const base = { a: 1, b: 1, c: 1 };
  const mine = { a: 2, b: 1 }; // changed a, removed c
  const theirs = { a: 1, b: 3, c: 1, d: 4 };
  assert.deepEqual(rebase(base, mine, theirs), { a: 2, b: 3, d: 4 });
  assert.deepEqual(conflicts(base, mine, theirs), []);
});

test('conflicts are answers both changed differently', () => {
  const base = { a: 1, b: 1 };
  assert.deepEqual(conflicts(base, { a: 2, b: 5 }, { a: 3, b: 5 }), ['a']);
  assert.deepEqual(rebase(base, { a: 2 }, { a: 3, b: 1 }), { a: 2 }, 'mine wins when kept');
});

test('conditions', () => {
  assert.ok(matches({ field: 'x', equals: 'yes' }, 'yes'));
  assert.ok(!matches({ field: 'x', equals: 'yes' }, undefined));
  assert.ok(matches({ field: 'x', equals: true }, true));
  assert.ok(!matches({ field: 'x', equals: true }, false));
  assert.ok(matches({ field: 'x', equals: false }, false));
  assert.ok(matches({ field: 'x', in: ['a', 'b'] }, 'b'));
  assert.ok(matches({ field: 'x', in: ['a', 'b'] }, ['c', 'a']), 'checkboxes: any ticked');
  assert.ok(matches({ field: 'x', equals: 2 }, 2));
  assert.ok(!matches({ field: 'x', equals: 2 }, '2'));
  assert.ok(matches({ field: 'x', notEmpty: true }, ['a']));
  assert.ok(!matches({ field: 'x', notEmpty: true }, '  '));
  assert.ok(isEmpty(false) && isEmpty([]) && isEmpty(' ') && !isEmpty(0));
});

const m = (t, extra = {}) => ({ t, m: {}, ...extra });

test('check: required and text rules', () => {
  assert.equal(check(m('text', { r: true }), undefined), 'required');
  assert.equal(check(m('text', { r: true }), '   '), 'required');
  assert.equal(check(m('text'), undefined), '');
  assert.equal(check(m('checkbox', { r: true }), false), 'required');
  assert.equal(check(m('text', { maxL: 3 }), 'abcd'), 'tooLong');
  assert.equal(check(m('text', { maxL: 3 }), 'äöå'), '', 'characters, not bytes');
  assert.equal(check(m('text', { minL: 3 }), 'a  b'), '', 'white space collapses to one');
  assert.equal(check(m('text', { minL: 3 }), ' ab '), 'tooShort');
  assert.equal(check(m('text', { re: '([01]?[0-9]|2[0-3])[.:][0-5][0-9]' }), '18.30'), '');
  assert.equal(check(m('text', { re: '([01]?[0-9]|2[0-3])[.:][0-5][0-9]' }), '25.00'), 'pattern');
  assert.equal(check(m('email'), 'a@b'), 'email');
  assert.equal(check(m('email'), 'maija@example.fi'), '');
  assert.equal(check(m('phone'), '040 123 4567'), '');
  assert.equal(check(m('phone'), '123'), 'phone');
});

test('check: Finnish codes, numbers, money, dates, choices, files, groups', () => {
  assert.equal(check(m('hetu'), ' 030392-974h'), '');
  assert.equal(check(m('hetu'), '030392-974X'), 'hetu');
  assert.equal(check(m('businessId'), '2345678-0'), '');
  assert.equal(check(m('businessId'), '2345678-1'), 'businessId');
  assert.equal(check(m('iban'), 'fi21 1234 5600 0007 85'), '');
  assert.equal(check(m('iban'), 'FI21 1234 5600 0007 86'), 'iban');
  assert.equal(check(m('postalCode'), '0010'), 'postalCode');
  assert.equal(check(m('number', { min: 2, max: 60 }), 1), 'tooSmall');
  assert.equal(check(m('number', { min: 2, max: 60 }), 61), 'tooLarge');
  assert.equal(check(m('number'), undefined, '12a'), 'number');
  assert.equal(check(m('money', { min: 0, max: 1000 }), '1 000,00 €'), '');
  assert.equal(check(m('money', { min: 0, max: 1000 }), '1000,01'), 'tooLarge');
  assert.equal(check(m('money', { min: 0 }), '-1'), 'tooSmall');
  assert.equal(check(m('money'), '12,345'), 'money');
  assert.equal(check(m('date'), '2027-02-29'), 'date');
  assert.equal(check(m('date', { dMin: '2026-11-23' }), '2026-11-22'), 'tooEarly');
  assert.equal(check(m('date', { dMax: '2026-12-31' }), '2027-01-01'), 'tooLate');
  assert.equal(check(m('checkboxes', { min: 2 }), ['a']), 'tooFew');
  assert.equal(check(m('file', { r: true }), undefined), 'required');
  assert.equal(check(m('file', { r: true, maxB: 10, acc: ['application/pdf'] }), undefined, undefined, { size: 11, type: 'application/pdf' }), 'tooBig');
  assert.equal(check(m('file', { acc: ['application/pdf'] }), undefined, undefined, { size: 1, type: 'text/plain' }), 'type');
  assert.equal(check(m('group', { r: true }), undefined), 'required');
  assert.equal(check(m('group', { minI: 2 }), [{}]), 'tooFew');
});

test('parsers and clock', () => {
  assert.equal(parseNumber('1 200,5'), 1200.5);
  assert.equal(parseNumber('1e3'), null);
  assert.equal(parseNumber('abc'), null);
  assert.equal(parseMoney('€12'), 1200);
  assert.equal(parseMoney('12.'), null);
  assert.ok(validEmail('ääkkönen@esimerkki.fi'));
  assert.ok(!validEmail('a..b@example.fi'));
  assert.ok(validPhone('+358 40 123 4567') && !validPhone('-040 1234567'));
  // Helsinki time whatever the device's zone (UTC+2 in winter, +3 in summer).
  const d = new Date(Date.UTC(2026, 10, 23, 7, 5));
  assert.equal(clockTime(d, 'fi'), '9.05');
  assert.equal(clockTime(d, 'sv'), '9.05');
  assert.equal(clockTime(d, 'en'), '09:05');
  assert.equal(clockTime(new Date(Date.UTC(2026, 6, 1, 21, 30)), 'fi'), '0.30', 'summer time, past midnight');
});

test('invisible characters: the same rule as the server', () => {
  assert.ok(invisible.length >= 10);
  for (const v of invisible) {
    assert.equal(cleanText(v.in), v.line, `${v.name}: one line`);
    assert.equal(cleanText(v.in, true), v.multiline, `${v.name}: several lines`);
    assert.equal(hasVisible(v.in), v.visible, `${v.name}: visible`);
    assert.equal(isEmpty(v.in), !v.visible, `${v.name}: empty`);
  }
});

test('required means visible content', () => {
  for (const v of invisible.filter((x) => !x.visible)) {
    for (const t of ['text', 'textarea', 'email', 'hetu']) {
      assert.equal(check({ t, r: true }, v.in), 'required', `${v.name} as ${t}`);
    }
    assert.equal(matches({ field: 'x', notEmpty: true }, v.in), false, v.name);
  }
  // Lengths count what the server keeps; codes lose invisible characters.
  assert.equal(check({ t: 'text', maxL: 4 }, 'Ai\u200bno\u202e'), '');
  assert.equal(check({ t: 'hetu' }, '140386-902R\u200b'), '');
  assert.equal(stripInvisible('invoice\u202egnp.exe'), 'invoicegnp.exe');
});

test('answerText: an answer as the conflict panel shows it', () => {
  const words = { none: 'Not answered', yes: 'Yes', no: 'No' };
  const labels = { mon: 'Monday', tue: 'Tuesday' };
  const label = (v) => labels[v] || '';
  assert.equal(answerText('040 123', label, words), '040 123');
  assert.equal(answerText('tue', label, words), 'Tuesday');
  assert.equal(answerText(['mon', 'tue'], label, words), 'Monday, Tuesday');
  assert.equal(answerText(true, label, words), 'Yes');
  assert.equal(answerText(false, label, words), 'No');
  assert.equal(answerText(undefined, label, words), 'Not answered');
  assert.equal(answerText('  ', label, words), 'Not answered');
  assert.equal(answerText(12.5, label, words), '12.5');
  assert.equal(answerText([{ item: 'Rent', sum: '100' }], label, words), 'Rent / 100');
});
