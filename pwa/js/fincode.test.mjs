// Run with: node --test pwa/js/
// Checks the browser validators against the vectors shared with the Go
// package server/fincode, so both sides provably apply the same rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { validHetu, validBusinessId, validIban, validPostalCode } from './fincode.js';

const vectorsPath = fileURLToPath(
  new URL('../../server/fincode/testdata/vectors.json', import.meta.url),
);
const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8'));

const suites = [
  ['hetu', validHetu],
  ['businessId', validBusinessId],
  ['iban', validIban],
  ['postalCode', validPostalCode],
];

for (const [name, fn] of suites) {
  test(`${name} vectors`, () => {
    const cases = vectors[name];
    assert.ok(Array.isArray(cases) && cases.length >= 15, `${name}: need >= 15 vectors`);
    for (const { in: input, ok, note } of cases) {
      assert.equal(fn(input), ok, `${name}(${JSON.stringify(input)}) should be ${ok}${note ? ` (${note})` : ''}`);
    }
  });
}

test('vectors file has no unexpected sections', () => {
  assert.deepEqual(Object.keys(vectors).sort(), suites.map(([n]) => n).sort());
});

function mkHetu(ddmmyy, sign, zzz) {
  return ddmmyy + sign + zzz + '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(ddmmyy + zzz) % 31];
}

test('hetu: every century sign, and only those', () => {
  const signs = '+-YXWVUABCDEF';
  const check = mkHetu('010190', '-', '123')[10];
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    assert.equal(validHetu(`010190${ch}123${check}`), signs.includes(ch), `sign ${JSON.stringify(ch)}`);
  }
});

test('hetu: individual numbers 002-999 accepted, 000-001 rejected', () => {
  for (let n = 0; n <= 999; n++) {
    const h = mkHetu('150677', '-', String(n).padStart(3, '0'));
    assert.equal(validHetu(h), n >= 2, h);
  }
});

test('hetu: calendar dates 1800-2099 agree with Date', () => {
  for (const [century, sign] of [[1800, '+'], [1900, '-'], [2000, 'A']]) {
    for (let yy = 0; yy < 100; yy++) {
      for (let m = 1; m <= 12; m++) {
        for (let d = 0; d <= 32; d++) {
          const dt = new Date(Date.UTC(2000, m - 1, d));
          dt.setUTCFullYear(century + yy, m - 1, d);
          const real = d >= 1 && dt.getUTCDate() === d && dt.getUTCMonth() === m - 1;
          const p = (x) => String(x).padStart(2, '0');
          const h = mkHetu(p(d) + p(m) + p(yy), sign, '234');
          if (validHetu(h) !== real) assert.fail(`validHetu(${h}) should be ${real}`);
        }
      }
    }
  }
});

test('business id: demo association 2345678-0 is valid', () => {
  assert.equal(validBusinessId('2345678-0'), true);
});

test('non-string input is rejected, never throws', () => {
  for (const fn of [validHetu, validBusinessId, validIban, validPostalCode]) {
    for (const v of [undefined, null, 12345, 131052, {}, [], ['00100']]) {
      assert.equal(fn(v), false, `${fn.name}(${JSON.stringify(v)})`);
    }
  }
});
