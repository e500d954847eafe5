// Run with: node --test pwa/js/
// Checks formlogic.js against the vectors shared with the server
// (server/forms/testdata/vectors, run there by server/forms/vectors_test.go
// and server/web/readstep_vectors_test.go), so both sides provably read
// and check answers alike. The server is authoritative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { readStep, parseNumber, matches, validEmail, validPhone, parseMoney, parseTime, check } from './formlogic.js';

const load = (name) => JSON.parse(readFileSync(
  fileURLToPath(new URL(`../../server/forms/testdata/vectors/${name}`, import.meta.url)), 'utf8'));
const why = (note) => (note ? ` (${note})` : '');

const values = load('values.json');
const conditions = load('conditions.json');
const reading = load('readstep.json');

for (const [name, fn] of [['email', validEmail], ['phone', validPhone]]) {
  test(`${name} vectors`, () => {
    const cases = values[name];
    assert.ok(cases.length >= 15 && cases.some((c) => c.ok) && cases.some((c) => !c.ok), `${name}: too few vectors`);
    for (const { in: s, ok, note } of cases) {
      assert.equal(fn(s), ok, `${name}(${JSON.stringify(s)})${why(note)}`);
    }
  });
}

test('time vectors', () => {
  assert.ok(values.time.length >= 15);
  for (const { in: s, value, note } of values.time) {
    assert.equal(parseTime(s), value, `parseTime(${JSON.stringify(s)})${why(note)}`);
  }
});

test('money vectors', () => {
  assert.ok(values.money.length >= 15);
  for (const { in: s, cents, note } of values.money) {
    assert.equal(parseMoney(s), cents, `parseMoney(${JSON.stringify(s)})${why(note)}`);
  }
});

test('field check vectors', () => {
  assert.ok(values.fields.length >= 10);
  for (const { type, maxLength, pattern, in: s, code, note } of values.fields) {
    // The rules as the server renders them for a field of only this type
    // (money always has a minimum, 0 by default).
    const rules = { t: type, m: {}, ...(type === 'money' ? { min: 0 } : {}), ...(maxLength ? { maxL: maxLength } : {}), ...(pattern ? { re: pattern } : {}) };
    assert.equal(check(rules, s), code, `a ${type} field answered ${JSON.stringify(s)}${why(note)}`);
  }
});

test('condition vectors', () => {
  assert.ok(conditions.matches.length >= 30);
  for (const c of conditions.matches) {
    const v = 'value' in c ? c.value : undefined;
    assert.equal(matches(c.if, v), c.matches, `${JSON.stringify(c.if)} for ${JSON.stringify(v)}${why(c.note)}`);
  }
});

test('number vectors', () => {
  assert.ok(reading.number.length >= 15);
  for (const { in: s, value, note } of reading.number) {
    assert.equal(parseNumber(s), value, `parseNumber(${JSON.stringify(s)})${why(note)}`);
  }
});

test('readStep vectors', () => {
  assert.ok(reading.readStep.length >= 15);
  for (const c of reading.readStep) {
    const got = readStep(c.form, reading.fields);
    assert.deepEqual(got, { values: c.values, raw: c.raw }, c.name);
  }
});
