import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff } from './live.js';

test('backoff doubles from 1 s to a minute, with jitter up to half', () => {
  assert.equal(backoff(0, () => 0), 1000);
  assert.equal(backoff(1, () => 0), 2000);
  assert.equal(backoff(3, () => 0), 8000);
  assert.equal(backoff(10, () => 0), 60000);
  assert.equal(backoff(0, () => 1), 1500);
  assert.equal(backoff(20, () => 1), 90000);
});
