// The arbiter in the core, run in the simulator against its lease service (sim-arbiter.ts): no
// group without a lease (start-up), a holder cut from the arbiter lets go within ttl/2 and the
// peer takes over only once the lease has expired there, a pause past the lease releases first
// thing on waking, a heartbeat partition leaves the group with the key holder. Never two holders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import { realEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig, simGroupId } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const G1 = simGroupId(0); // home node1
const G2 = simGroupId(1); // home node2
const TTL = 2000;

function cluster(seed = 1): { sim: Simulator; doubles: string[] } {
  const config = simClusterConfig({
    nodes: 2,
    media: 1,
    keepaliveMs: 100,
    deadtimeMs: 500,
    groups: 2,
    arbiterTtlMs: TTL,
  });
  const sim = new Simulator({ seed, config, endpointFactory: realEndpoints, trace: true });
  const doubles: string[] = [];
  sim.setChecker(() => {
    for (const g of config.resourceGroups) {
      const up = sim.owners(g.id).filter((i) => sim.isUp(i) && sim.node(i).pausedUntilMs < sim.nowMs);
      if (up.length > 1) doubles.push(`${sim.nowMs.toFixed(0)} ${g.id}`);
    }
  });
  return { sim, doubles };
}

function events(sim: Simulator, node: number, kind: ClusterEvent['kind']): ClusterEvent[] {
  return sim.node(node).events.filter((e) => e.kind === kind);
}

function arbiter(sim: Simulator): NonNullable<Simulator['arbiter']> {
  assert.ok(sim.arbiter);
  return sim.arbiter;
}

void test('no lease, no group: node1 cut from the arbiter at start runs nothing; node2 runs both; node1 joins once it answers', () => {
  const { sim, doubles } = cluster();
  arbiter(sim).cut.add(0);
  sim.start(0);
  sim.start(1);
  sim.runUntil(3000);
  assert.deepEqual(sim.runningOn(G1), [1], 'node1 declines its own group while it has no lease');
  assert.deepEqual(sim.runningOn(G2), [1]);
  assert.equal(sim.node(0).core?.status().arbiter?.blocked, 'no lease from the arbiter yet');
  arbiter(sim).cut.delete(0);
  sim.runUntil(6000);
  assert.ok(
    events(sim, 0, 'arbiter').some((e) => /^lease L\d+ held; groups may run here again$/.test(e.text)),
  );
  assert.equal(sim.runningOn(G1).length, 1);
  assert.deepEqual(doubles, []);
});

void test('the holder cut from the arbiter releases within ttl/2; the peer starts only after the lease expired there', () => {
  const { sim, doubles } = cluster();
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  assert.deepEqual(sim.runningOn(G1), [0]);
  const cutAt = sim.nowMs;
  arbiter(sim).cut.add(0);
  sim.runUntil(cutAt + 3 * TTL);
  const lost = events(sim, 0, 'arbiter').find((e) => /no keepalive answer/.test(e.text));
  assert.ok(lost !== undefined);
  assert.ok(lost.atMs - cutAt <= TTL / 2, `released ${lost.atMs - cutAt} ms after the cut`);
  assert.deepEqual(sim.runningOn(G1), [1], 'node2 took node1 group over');
  const expired = sim.trace.find((l) => /arbiter: lease L\d+ of node1 expired/.test(l));
  assert.ok(expired !== undefined, 'the lease ran out at the arbiter');
  const took = events(sim, 1, 'takeover').find((e) => e.group === G1);
  assert.ok(took !== undefined && took.atMs >= cutAt + TTL / 2, 'node2 started G1 after node1 had let go');
  assert.deepEqual(doubles, []);
});

void test('a pause longer than the lease: the first thing the node does on waking is release', () => {
  const { sim } = cluster();
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  const wakeAt = sim.nowMs + 3 * TTL;
  sim.pause(0, 3 * TTL);
  sim.runUntil(wakeAt + 1000);
  const after = sim.node(0).events.filter((e) => e.atMs >= wakeAt);
  const firstRelease = after.findIndex((e) => e.kind === 'release');
  const firstArbiter = after.findIndex((e) => e.kind === 'arbiter');
  assert.ok(firstArbiter >= 0 && firstRelease >= 0, after.map((e) => e.text).join('\n'));
  assert.equal(after[firstArbiter]?.atMs, wakeAt, 'the lapsed lease is noticed at the wake-up itself');
  assert.equal(after[firstRelease]?.atMs, wakeAt, 'and its groups released in that same step');
  assert.ok(firstArbiter < firstRelease);
  // Meanwhile node2 took G1 (the lease had expired at the arbiter), and node1 let it go at once.
  assert.deepEqual(sim.runningOn(G1), [1]);
});

void test('heartbeats cut, arbiter reachable from both: the key holder keeps the group, the other is refused', () => {
  const { sim, doubles } = cluster();
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  const cutAt = sim.nowMs;
  sim.partition([0], [1]);
  sim.runUntil(8000);
  assert.deepEqual(sim.runningOn(G1), [0]);
  assert.deepEqual(sim.runningOn(G2), [1]);
  const refused = events(sim, 1, 'gate-refused')
    .filter((e) => e.atMs > cutAt)
    .map((e) => e.text);
  assert.ok(
    refused.some((t) =>
      /arbiter refused the key for .*: held by node1; asking again every keepalive/.test(t),
    ),
    refused.join('\n'),
  );
  assert.equal(refused.length, 1, 'the same refusal is logged once, not every keepalive');
  assert.deepEqual(doubles, []);
});

void test('a daemon restarted while its group runs: the group stays, its key comes under the new lease', () => {
  const { sim, doubles } = cluster();
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  assert.deepEqual(sim.runningOn(G1), [0]);
  sim.killDaemon(0);
  sim.runUntil(2200);
  sim.start(0);
  sim.runUntil(6000);
  assert.deepEqual(sim.runningOn(G1), [0], 'never stopped');
  assert.equal(
    sim.node(0).events.filter((e) => e.kind === 'release' && e.atMs > 2200).length,
    0,
    'no release after the restart',
  );
  assert.deepEqual(sim.node(0).core?.status().arbiter?.keys, [G1], 'its key is held under the new lease');
  assert.deepEqual(doubles, []);
});
