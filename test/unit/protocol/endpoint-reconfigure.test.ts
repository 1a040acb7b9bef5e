// ProtocolEndpoint.reconfigure (reload): the previous keys stay accepted until the grace ends and
// not a moment longer; without a grace they are refused at once; the node list and ttl follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeName } from '../../../src/config/types.js';
import { authConfig, endpoint, MEDIUM, STATUS, WALL } from './helpers.js';

const OLD = authConfig('sha1', 'old-secret');
const NEW = authConfig('sha1', 'new-secret', 2);
const NODES = ['node1', 'node2'] as NodeName[];

void test('reconfigure: packets signed with the previous key are accepted during the grace only', () => {
  const a = endpoint('node1', { auth: OLD });
  const b = endpoint('node2', { auth: OLD });
  a.reconfigure?.({ knownNodes: NODES, ttl: 3, auth: NEW, previousAuthUntilMs: 1000 });
  const early = a.receive(b.send(STATUS, 500, { wallMs: WALL }), MEDIUM, 500);
  assert.equal(early.received.kind, 'message', 'old key within the grace');
  const late = a.receive(b.send(STATUS, 1000, { wallMs: WALL }), MEDIUM, 1000);
  assert.equal(late.received.kind, 'rejected', 'old key once the grace is over');
  assert.equal(late.received.kind === 'rejected' ? late.received.reason : '', 'unknown-key');
  // What node1 now sends is signed with the new key: node2, still on the old keys, refuses it.
  const fromA = b.receive(a.send(STATUS, 1100, { wallMs: WALL }), MEDIUM, 1100);
  assert.equal(fromA.received.kind, 'rejected');
});

void test('reconfigure: without a grace the previous key is refused at once; a rotated secret too', () => {
  const a = endpoint('node1', { auth: OLD });
  const b = endpoint('node2', { auth: OLD });
  // same index 1, another secret: the digest no longer matches
  a.reconfigure?.({
    knownNodes: NODES,
    ttl: 3,
    auth: authConfig('sha1', 'rotated'),
    previousAuthUntilMs: -Infinity,
  });
  const r = a.receive(b.send(STATUS, 10, { wallMs: WALL }), MEDIUM, 10);
  assert.equal(r.received.kind === 'rejected' ? r.received.reason : r.received.kind, 'bad-auth');
});

void test('reconfigure: an added node is accepted, a removed one refused as unknown', () => {
  const a = endpoint('node1', { knownNodes: NODES });
  const c = endpoint('node3');
  const d = endpoint('node2');
  const before = a.receive(c.send(STATUS, 10, { wallMs: WALL }), MEDIUM, 10);
  assert.equal(before.received.kind === 'rejected' ? before.received.reason : '', 'unknown-node');
  a.reconfigure?.({
    knownNodes: ['node1', 'node3'] as NodeName[],
    ttl: 3,
    auth: authConfig('sha1', 'test-secret'),
    previousAuthUntilMs: -Infinity,
  });
  assert.equal(a.receive(c.send(STATUS, 20, { wallMs: WALL }), MEDIUM, 20).received.kind, 'message');
  const gone = a.receive(d.send(STATUS, 20, { wallMs: WALL }), MEDIUM, 20);
  assert.equal(gone.received.kind === 'rejected' ? gone.received.reason : '', 'unknown-node');
});

void test('reconfigure: a new active key the endpoint cannot use is refused before anything changes', () => {
  const a = endpoint('node1', { auth: OLD });
  const b = endpoint('node2', { auth: OLD });
  const bad = { ...NEW, activeIndex: 9 };
  assert.throws(
    () => a.reconfigure?.({ knownNodes: NODES, ttl: 3, auth: bad, previousAuthUntilMs: 1000 }),
    /9/,
  );
  assert.equal(a.receive(b.send(STATUS, 10, { wallMs: WALL }), MEDIUM, 10).received.kind, 'message');
});
