// Run with: node --test pwa/js/
// The rules of the queue of kept draft changes (draftstore.js); the
// IndexedDB calls around them run in the browser (e2e).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { diff, normalize, mergeEntries, settleEntry, arrived, applyChanges, isEmpty } from './draftstore.js';

test('diff lists what changed, with what it was; a removed answer is null', () => {
  assert.deepEqual(diff({ a: '1', b: [1, 2], c: 'x' }, { a: '1', b: [1, 3], d: 0 }), {
    changes: { b: [1, 3], c: null, d: 0 }, base: { b: [1, 2], c: 'x', d: null },
  });
  assert.deepEqual(diff({ a: '1', b: '2' }, { a: '9', b: '8' }, new Set(['b'])), { changes: { b: '8' }, base: { b: '2' } }, 'only the ids asked');
  assert.deepEqual(diff({ g: { x: 1, y: 2 } }, { g: { y: 2, x: 1 } }), { changes: {}, base: {} }, 'key order is no change');
});

test('an entry kept by the earlier script (the whole answers) reads as its changes', () => {
  assert.deepEqual(normalize({ data: { a: 'new', b: 'same' }, base: { a: 'old', b: 'same', c: 'gone' }, version: 3, step: 1, at: 9 }),
    { changes: { a: 'new', c: null }, base: { a: 'old', c: 'gone' }, version: 3, step: 1, at: 9 });
  const e = { changes: { a: 1 }, base: { a: null }, version: 1, step: 0, at: 1 };
  assert.equal(normalize(e), e);
  assert.equal(normalize(undefined), null);
});

test('merging keeps the union: the newer value, the older base and version', () => {
  const older = { changes: { a: 'x', b: 'y' }, base: { a: 'a0', b: 'b0' }, version: 3, step: 0, at: 1 };
  const newer = { changes: { b: 'z', c: null }, base: { b: 'y', c: 'c0' }, version: 5, step: 1, at: 2 };
  assert.deepEqual(mergeEntries(older, newer), {
    changes: { a: 'x', b: 'z', c: null }, base: { a: 'a0', b: 'b0', c: 'c0' }, version: 3, step: 1, at: 2,
  });
  assert.equal(mergeEntries(newer, { ...older, version: 2 }).version, 2, 'the lower version, whichever came first');
  assert.deepEqual(mergeEntries(null, newer), newer);
  assert.notEqual(mergeEntries(null, newer).changes, newer.changes, 'a copy');
  assert.deepEqual(mergeEntries(older, null), older);
  assert.deepEqual(mergeEntries({ data: { a: 'x' }, base: { a: 'a0' }, version: 3, step: 0, at: 1 }, newer).changes,
    { a: 'x', b: 'z', c: null }, 'an old-format entry merges as its changes');
  // Merging is associative on the changes: three drops in a row send one union.
  const third = { changes: { a: 'w' }, base: { a: 'x' }, version: 6, step: 1, at: 3 };
  assert.deepEqual(mergeEntries(mergeEntries(older, newer), third), mergeEntries(older, mergeEntries(newer, third)));
});

test('settling drops what was saved, keeps what changed again since', () => {
  const e = { changes: { a: 'x', b: 'again', c: 'not sent' }, base: { a: 'a0', b: 'b0', c: 'c0' }, version: 3, step: 1, at: 1 };
  assert.deepEqual(settleEntry(e, { a: 'x', b: 'first' }, 4), {
    changes: { b: 'again', c: 'not sent' }, base: { b: 'first', c: 'c0' }, version: 4, step: 1, at: 1,
  });
  assert.equal(settleEntry(e, { a: 'x', b: 'again', c: 'not sent' }, 4), null, 'all saved: nothing left');
  assert.equal(settleEntry(null, { a: 1 }, 4), null);
  assert.equal(settleEntry({ changes: { a: null }, base: { a: 1 }, version: 1 }, { a: null }, 2), null, 'a removal saved');
});

test('arrived: every change is in the saved answers; applyChanges makes them', () => {
  const e = { changes: { a: 'x', b: null }, base: {}, version: 1 };
  assert.ok(arrived(e, { a: 'x', c: 1 }));
  assert.ok(!arrived(e, { a: 'x', b: 1 }));
  assert.ok(!arrived(e, {}));
  assert.deepEqual(applyChanges({ a: 'old', b: 1, c: 2 }, e.changes), { a: 'x', c: 2 });
  assert.ok(isEmpty(null) && isEmpty({ changes: {} }) && !isEmpty(e));
});
