import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureDetector } from '../../../src/cluster/failure-detector.js';
import type { MediumId, NodeName } from '../../../src/config/types.js';

const B = 'node2' as NodeName;
const C = 'node3' as NodeName;
const ETH0 = 'bcast:eth0' as MediumId;
const ETH1 = 'bcast:eth1' as MediumId;

function detector(): FailureDetector {
  return new FailureDetector({
    peers: [B, C],
    media: [ETH0, ETH1],
    deadtimeMs: 1000,
    warntimeMs: 600,
    initdeadMs: 3000,
    startMs: 0,
  });
}

void test('a peer heard once is declared dead exactly deadtime after its last heartbeat', () => {
  const d = detector();
  assert.deepEqual(d.heardStatus(B, 100, undefined), [{ kind: 'up', node: B, wasDead: false }]);
  assert.equal(d.isAlive(B), true);
  assert.deepEqual(
    d.check(1099).filter((e) => e.kind === 'dead'),
    [],
  );
  const events = d.check(1100);
  assert.deepEqual(
    events.filter((e) => e.kind === 'dead'),
    [{ kind: 'dead', node: B, silentMs: 1000, neverHeard: false }],
  );
  assert.equal(d.liveness(B), 'dead');
});

void test('warns while waiting (once) and again when the late heartbeat arrives', () => {
  const d = detector();
  d.heardStatus(B, 0, undefined);
  assert.equal(d.nextDeadlineMs(), 601);
  assert.deepEqual(d.check(601), [{ kind: 'late-waiting', node: B, silentMs: 601 }]);
  assert.deepEqual(d.check(700), []);
  assert.deepEqual(d.heardStatus(B, 800, undefined), [{ kind: 'late-arrived', node: B, intervalMs: 800 }]);
});

void test("the peer's advertised dt replaces our deadtime for it", () => {
  const d = detector();
  d.heardStatus(B, 0, 5000);
  assert.equal(d.deadtimeMs(B), 5000);
  assert.equal(d.check(4999).filter((e) => e.kind === 'dead' && e.node === B).length, 0);
  assert.equal(d.check(5000).filter((e) => e.kind === 'dead' && e.node === B).length, 1);
});

void test('a peer never heard from is declared dead after initdead, not deadtime', () => {
  const d = detector();
  d.heardStatus(B, 10, undefined);
  assert.equal(d.liveness(C), 'unheard');
  assert.equal(d.check(2999).filter((e) => e.kind === 'dead' && e.node === C).length, 0);
  assert.deepEqual(
    d.check(3000).filter((e) => e.kind === 'dead' && e.node === C),
    [{ kind: 'dead', node: C, silentMs: 3000, neverHeard: true }],
  );
});

void test('links go up and down per medium; the node stays alive while any medium carries heartbeats', () => {
  const d = detector();
  assert.deepEqual(d.heardOnLink(B, ETH0, 0), [{ kind: 'link-up', node: B, medium: ETH0 }]);
  assert.deepEqual(d.heardOnLink(B, ETH1, 0), [{ kind: 'link-up', node: B, medium: ETH1 }]);
  d.heardStatus(B, 0, undefined);
  // eth0 goes quiet; eth1 keeps carrying heartbeats.
  for (let t = 500; t <= 2000; t += 500) {
    d.heardOnLink(B, ETH1, t);
    d.heardStatus(B, t, undefined);
  }
  const events = d.check(2000);
  assert.deepEqual(events, [{ kind: 'link-dead', node: B, medium: ETH0 }]);
  assert.equal(d.isAlive(B), true);
  assert.deepEqual(
    d.links(B).map((l) => [l.medium, l.up]),
    [
      [ETH0, false],
      [ETH1, true],
    ],
  );
});

void test('a dead peer heard again comes back up, marked as previously dead', () => {
  const d = detector();
  d.heardStatus(B, 0, undefined);
  d.check(1000);
  assert.deepEqual(d.heardStatus(B, 1500, undefined), [{ kind: 'up', node: B, wasDead: true }]);
});

void test('pause awareness: no death is declared before the suppression window ends', () => {
  const d = detector();
  d.heardStatus(B, 0, undefined);
  d.suppressDeathsUntil(5100);
  assert.equal(d.check(5000).filter((e) => e.kind === 'dead').length, 0);
  assert.equal(d.nextDeadlineMs(), 5100);
  assert.equal(d.liveness(C), 'unheard');
  // A fresh heartbeat within the window saves the peer.
  d.heardStatus(B, 5050, undefined);
  assert.equal(d.check(5100).filter((e) => e.kind === 'dead' && e.node === B).length, 0);
  assert.equal(d.isAlive(B), true);
});

void test('markDead (shutdone) kills at once and only once', () => {
  const d = detector();
  d.heardStatus(B, 0, undefined);
  assert.equal(d.markDead(B).length, 1);
  assert.equal(d.markDead(B).length, 0);
  assert.equal(d.liveness(B), 'dead');
});
