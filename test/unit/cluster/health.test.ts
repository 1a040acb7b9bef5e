// The Health room of the core, driven by hand: checks are scheduled by the core each interval
// while the group runs here and are paused while it starts, restarts or stops; a result from
// before such a transition is dropped; a failure restarts in place within the budget, past it the
// group is advertised failed here (hbts_failed, hbts_fails) and released; cleanup forgets it here
// and tells the peers; a peer's fail counts show in status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFingerprint } from '../../../src/config/fingerprint.js';
import type { Action } from '../../../src/cluster/types.js';
import { simGroupId } from '../../../src/sim/sim-config.js';
import { FakePeer, Harness, N2, config, decodeSent } from './helpers.js';

const G1 = simGroupId(0); // home node1
const G2 = simGroupId(1); // home node2

function only<T>(xs: readonly T[], what: string): T {
  assert.equal(xs.length, 1, `expected exactly one ${what}, got ${xs.length}`);
  return xs[0] as T;
}

/** node1 running G1 (acquired at 30 ms), node2 holding G2; checks every 200 ms. */
function running() {
  const h = new Harness(config({ monitor: { intervalMs: 200, timeoutMs: 100 } }));
  const peer = new FakePeer(N2);
  const cfg = configFingerprint(h.cfg);
  h.answerProbes(h.timer(0), 1);
  // dt 100 s: the scripted peer sends no more heartbeats but stays alive throughout.
  h.packet(2, peer.status(cfg, { hbts_held: G2, hbts_seen: h.seenToken(), dt: '186a0' }));
  const acquire = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  // Starting: no check, however long it takes.
  assert.equal(
    h
      .advance(400)
      .flatMap((o) => o.actions)
      .filter((a) => a.kind === 'monitor').length,
    0,
  );
  h.result(410, acquire, true);
  return { h, peer, cfg };
}

function idOf(a: Action): number {
  return a.kind === 'announce' || a.kind === 'arbiter-drop' ? -1 : a.id;
}

const monitors = (actions: readonly Action[]): Action[] => actions.filter((a) => a.kind === 'monitor');

void test('checks run every interval once the group runs here, only for groups held here', () => {
  const { h } = running();
  assert.equal(monitors(h.advance(609).flatMap((o) => o.actions)).length, 0);
  const m = only(monitors(h.advance(610).flatMap((o) => o.actions)), 'check');
  assert.deepEqual(m.kind === 'monitor' ? [m.group, m.monitor, m.resource] : [], [G1, 0, G1]);
  // One in flight at a time: nothing more until it answers.
  assert.equal(monitors(h.advance(1500).flatMap((o) => o.actions)).length, 0);
  h.result(1500, m, true);
  assert.equal(monitors(h.advance(1699).flatMap((o) => o.actions)).length, 0);
  assert.equal(monitors(h.advance(1700).flatMap((o) => o.actions)).length, 1);
  const health = h.node.status().groups.find((g) => g.id === G1)?.health;
  assert.equal(health?.resources[0]?.state, 'ok', 'the last result');
  assert.equal(h.node.status().groups.find((g) => g.id === G2)?.health?.resources[0]?.state, 'paused');
});

void test('a failure restarts in place (held all along, checks paused); the next one past the budget gives the group up', () => {
  const { h } = running();
  const m1 = only(monitors(h.advance(610).flatMap((o) => o.actions)), 'check');
  const failed = h.step({
    kind: 'action-result',
    nowMs: 620,
    actionId: idOf(m1),
    ok: false,
    detail: 'GET: 503',
  });
  assert.ok(failed.events.some((e) => e.kind === 'monitor-failed' && /fail count here 1 of 3/.test(e.text)));
  const restart = only(failed.actions, 'restart');
  assert.deepEqual(restart.kind === 'restart' ? [restart.group, restart.fromResource] : [], [G1, 0]);
  assert.ok(
    decodeSent(failed).every((s) => s.f['hbts_held']?.split(' ').includes(G1) ?? true),
    'still held',
  );
  assert.equal(monitors(h.advance(2000).flatMap((o) => o.actions)).length, 0, 'paused while restarting');
  const restarted = h.result(2000, restart, true);
  assert.ok(restarted.events.some((e) => e.kind === 'restarted'));
  const m2 = only(monitors(h.advance(2200).flatMap((o) => o.actions)), 'check');
  const gaveUp = h.step({
    kind: 'action-result',
    nowMs: 2210,
    actionId: idOf(m2),
    ok: false,
    detail: 'GET: 503',
  });
  assert.ok(gaveUp.events.some((e) => e.kind === 'migrate' && /giving it up to node2/.test(e.text)));
  const release = only(gaveUp.actions, 'release');
  assert.equal(release.group, G1);
  const advert = decodeSent(gaveUp).find((s) => s.type === 'status');
  assert.equal(advert?.f['hbts_failed'], G1);
  assert.equal(advert?.f['hbts_fails'], `2=${G1}`);
  const st = h.node.status().groups.find((g) => g.id === G1);
  assert.deepEqual(st?.failedOn, ['node1']);
  assert.deepEqual(st?.health?.failCounts, [{ node: 'node1', count: 2 }]);
  assert.equal(st?.health?.lastFailure?.detail, 'GET: 503');
});

void test('a result that started before the group was released is dropped', () => {
  const { h } = running();
  const m = only(monitors(h.advance(610).flatMap((o) => o.actions)), 'check');
  const standby = h.step({ kind: 'admin', nowMs: 620, command: { kind: 'standby', set: 'all' } });
  assert.ok(standby.actions.some((a) => a.kind === 'release'));
  const late = h.step({ kind: 'action-result', nowMs: 630, actionId: idOf(m), ok: false, detail: 'refused' });
  assert.equal(late.events.filter((e) => e.kind === 'monitor-failed').length, 0);
  assert.equal(late.actions.length, 0);
});

void test('cleanup forgets the failures here and tells the peers; a peer cleanup is applied; peer fail counts show', () => {
  const { h, peer, cfg } = running();
  const m = only(monitors(h.advance(610).flatMap((o) => o.actions)), 'check');
  h.packet(
    700,
    peer.status(cfg, { hbts_held: G2, hbts_seen: h.seenToken(), dt: '186a0', hbts_fails: `4=${G2}` }),
  );
  assert.deepEqual(h.node.status().groups.find((g) => g.id === G2)?.health?.failCounts, [
    { node: 'node2', count: 4 },
  ]);
  const failed = h.step({ kind: 'action-result', nowMs: 810, actionId: idOf(m), ok: false, detail: 'x' });
  h.result(900, only(failed.actions, 'restart'), true);
  assert.equal(h.node.status().groups.find((g) => g.id === G1)?.health?.failCounts[0]?.count, 1);
  const clean = h.step({ kind: 'admin', nowMs: 950, command: { kind: 'cleanup', group: G1 } });
  const sent = decodeSent(clean);
  assert.ok(
    sent.some((s) => s.type === 'hbts_cleanup' && s.f['group'] === G1),
    'peers are told',
  );
  assert.deepEqual(h.node.status().groups.find((g) => g.id === G1)?.health?.failCounts, []);
  assert.ok(clean.events.some((e) => e.kind === 'cleanup'));
  // From a peer: applied here too.
  const m2 = only(monitors(h.advance(1200).flatMap((o) => o.actions)), 'check');
  const again = h.step({ kind: 'action-result', nowMs: 1210, actionId: idOf(m2), ok: false, detail: 'x' });
  h.result(1300, only(again.actions, 'restart'), true);
  const told = h.packet(1310, peer.send({ t: 'hbts_cleanup', group: G1 }));
  assert.ok(told.events.some((e) => e.kind === 'cleanup' && /asked by node2/.test(e.text)));
  assert.deepEqual(h.node.status().groups.find((g) => g.id === G1)?.health?.failCounts, []);
});
