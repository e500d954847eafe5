// Run with: node --test pwa/js/
// The pure parts of conditions.js (the page part is covered by the e2e
// form tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { fieldSpec, sourceName, shown } from './conditions.js';
import { values } from './formlogic.js';

const spec = [
  { id: 'hasPet', type: 'checkbox' },
  { id: 'kind', type: 'radio' },
  { id: 'budget', type: 'group', fields: [{ id: 'kind', type: 'select' }, { id: 'sum', type: 'money' }] },
];
const byId = new Map(spec.map((f) => [f.id, f]));

test('fieldSpec finds questions and group sub-questions by input name', () => {
  assert.equal(fieldSpec(byId, 'kind'), spec[1]);
  assert.equal(fieldSpec(byId, 'budget.3.sum'), spec[2].fields[1]);
  assert.equal(fieldSpec(byId, 'budget'), spec[2]);
  assert.equal(fieldSpec(byId, 'budget.0.nothing'), undefined);
  assert.equal(fieldSpec(byId, 'nothing.0.sum'), undefined);
  assert.equal(fieldSpec(byId, 'nothing'), undefined);
});

test('sourceName: a sibling in the same group item first, then the page', () => {
  const has = (n) => ['budget.1.kind', 'kind', 'hasPet'].includes(n);
  assert.equal(sourceName({ field: 'kind' }, 'budget.1', has), 'budget.1.kind');
  assert.equal(sourceName({ field: 'hasPet' }, 'budget.1', has), 'hasPet', 'no such sibling');
  assert.equal(sourceName({ field: 'kind' }, '', has), 'kind', 'at the top level');
  assert.equal(sourceName({ field: 'kind' }, null, has), 'kind');
});

test('shown reads the answer as the form holds it; a hidden question has none', () => {
  const v = values([['hasPet', 'true'], ['kind', 'dog'], ['budget.count', '1'], ['budget.0.kind', 'rent']]);
  assert.ok(shown({ field: 'hasPet', equals: true }, spec[0], 'hasPet', v, false));
  assert.ok(!shown({ field: 'hasPet', equals: true }, spec[0], 'hasPet', v, true), 'hidden');
  assert.ok(!shown({ field: 'hasPet', equals: true }, undefined, 'hasPet', v, false), 'unknown');
  assert.ok(shown({ field: 'hasPet', equals: false }, spec[0], 'hasPet', values([]), false), 'an unticked checkbox is false');
  assert.ok(shown({ field: 'kind', in: ['cat', 'dog'] }, spec[1], 'kind', v, false));
  assert.ok(shown({ field: 'kind', equals: 'rent' }, spec[2].fields[0], 'budget.0.kind', v, false));
  assert.ok(shown({ field: 'kind', notEmpty: true }, spec[1], 'kind', v, false));
  assert.ok(!shown({ field: 'kind', notEmpty: true }, spec[1], 'kind', values([['kind', '']]), false));
});
