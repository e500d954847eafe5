import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, seen, socketURL } from './live.js';

test('backoff doubles from 1 s to a minute, with jitter up to half', () => {
  assert.equal(backoff(0, () => 0), 1000);
  assert.equal(backoff(1, () => 0), 2000);
  assert.equal(backoff(3, () => 0), 8000);
  assert.equal(backoff(10, () => 0), 60000);
  assert.equal(backoff(0, () => 1), 1500);
  assert.equal(backoff(20, () => 1), 90000);
});

test('the socket resumes after the newest notification seen', () => {
  const http = { protocol: 'http:', host: 'localhost:8080' };
  const https = { protocol: 'https:', host: 'asiointi.example.fi' };
  assert.equal(socketURL(http, undefined), 'ws://localhost:8080/ws');
  assert.equal(socketURL(https, ''), 'wss://asiointi.example.fi/ws?since=');
  assert.equal(socketURL(https, '06h1ge73wf5h6b9r'), 'wss://asiointi.example.fi/ws?since=06h1ge73wf5h6b9r');
});

test('seen keeps the newest notification id', () => {
  assert.equal(seen(undefined, { type: 'notification', id: 'b' }), 'b');
  assert.equal(seen('', { type: 'notification', id: 'b' }), 'b');
  assert.equal(seen('b', { type: 'notification', id: 'c' }), 'c');
  assert.equal(seen('c', { type: 'notification', id: 'b' }), 'c'); // a repeat from before
  assert.equal(seen('c', { type: 'resync' }), 'c');
  assert.equal(seen('c', null), 'c');
  assert.equal(seen(undefined, { type: 'notification' }), undefined);
});
