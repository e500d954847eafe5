// Run with: node --test pwa/js/
// The pure parts of validation.js (the page part is covered by the e2e
// form tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { itemBlank, problemOf, describedBy, questionLabel } from './validation.js';
import { values } from './formlogic.js';

const rules = (t, extra = {}) => ({ t, m: { required: 'Fill in', email: 'Not an e-mail', number: 'Not a number', tooBig: 'Too big' }, ...extra });

test('itemBlank: a group row without any answer', () => {
  const v = values([['budget.0.item', ' '], ['budget.0.sum', ''], ['budget.1.item', 'Rent'], ['budget.10.item', '']]);
  assert.ok(itemBlank(v, 'budget.0'));
  assert.ok(!itemBlank(v, 'budget.1'));
  assert.ok(itemBlank(v, 'budget.10'), 'budget.1 is not a prefix of budget.10.');
  assert.ok(itemBlank(v, 'budget.2'));
});

test('problemOf gives the key and the page\'s message of the first problem', () => {
  const v = values([['email', 'maija@'], ['count', '12a'], ['name', ''], ['ok', 'x@example.fi']]);
  assert.deepEqual(problemOf(rules('email'), { id: 'email', type: 'email' }, 'email', v), ['email', 'Not an e-mail']);
  assert.deepEqual(problemOf(rules('number'), { id: 'count', type: 'number' }, 'count', v), ['number', 'Not a number']);
  assert.deepEqual(problemOf(rules('text', { r: true }), { id: 'name', type: 'text' }, 'name', v), ['required', 'Fill in']);
  assert.deepEqual(problemOf(rules('email'), { id: 'ok', type: 'email' }, 'ok', v), ['', '']);
  assert.deepEqual(problemOf(rules('text', { r: true, minL: 3 }), undefined, 'name', values([['name', 'ab']])), ['tooShort', ''],
    'without a spec the rules\' type reads the answer; a key without a message gives an empty one');
});

test('problemOf checks a chosen file only in a file question', () => {
  const v = values([]);
  const file = { size: 11, type: 'application/pdf' };
  assert.deepEqual(problemOf(rules('file', { maxB: 10 }), { id: 'doc', type: 'file' }, 'doc', v, file), ['tooBig', 'Too big']);
  assert.deepEqual(problemOf(rules('file', { maxB: 10, r: true }), { id: 'doc', type: 'file' }, 'doc', v, undefined), ['required', 'Fill in']);
  assert.deepEqual(problemOf(rules('text', { r: true }), { id: 'doc', type: 'text' }, 'doc', v, file), ['required', 'Fill in']);
});

test('describedBy adds and removes one id and keeps the others', () => {
  assert.equal(describedBy(null, 'x-error', true), 'x-error');
  assert.equal(describedBy('x-hint', 'x-error', true), 'x-hint x-error');
  assert.equal(describedBy('x-hint x-error', 'x-error', true), 'x-hint x-error', 'not twice');
  assert.equal(describedBy('x-error x-hint', 'x-error', false), 'x-hint');
  assert.equal(describedBy('x-error', 'x-error', false), null);
  assert.equal(describedBy('  x-hint  ', 'x-error', false), 'x-hint');
});

test('questionLabel names a group row\'s question with the row', () => {
  assert.equal(questionLabel('Amount', undefined), 'Amount');
  assert.equal(questionLabel('Amount', 'Cost 2'), 'Cost 2 – Amount');
});
