// Named Heartbeat behaviours, each run in the simulator with real endpoints (codec + auth on
// every hop): start-up, standby, takeover, shutdown, failback, failed start, partitions, pauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import type { AutoFailback } from '../../../src/config/resource-config.js';
import { realEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig, simGroupId } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const G1 = simGroupId(0); // home node1
const G2 = simGroupId(1); // home node2
const G3 = simGroupId(2); // home node3

interface Cluster {
  sim: Simulator;
  /** Worst moment two nodes owned one group (for assertions that it never happened). */
  doubleOwned: string[];
}

function cluster(nodes: number, autoFailback: AutoFailback, seed = 1): Cluster {
  const config = simClusterConfig({ nodes, media: 2, keepaliveMs: 100, deadtimeMs: 1000, autoFailback });
  const sim = new Simulator({ seed, config, endpointFactory: realEndpoints, trace: false });
  const doubleOwned: string[] = [];
  sim.setChecker(() => {
    for (const g of config.resourceGroups) {
      const owners = sim.owners(g.id);
      if (owners.length > 1) doubleOwned.push(`${sim.nowMs.toFixed(0)}:${g.id}:${owners.join(',')}`);
    }
  });
  return { sim, doubleOwned };
}

function where(sim: Simulator, group: string): string[] {
  return sim.nodes.filter((n) => n.resources.get(group as never) === 'running').map((n) => n.name);
}

function events(sim: Simulator, node: number, kind: ClusterEvent['kind']): ClusterEvent[] {
  return sim.node(node).events.filter((e) => e.kind === kind);
}

void test('simultaneous start: both nodes negotiate in one heartbeat round and run their own groups', () => {
  const { sim, doubleOwned } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(150);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node2']);
  // No RQSTDELAY-style 10 s wait: stable within a few ms of hearing the peer.
  const stable = events(sim, 0, 'stable')[0];
  assert.ok(stable && stable.atMs < 20, `stable at ${stable?.atMs}`);
  assert.deepEqual(doubleOwned, []);
});

void test('one node starts alone: it waits initdead, then runs every group', () => {
  const { sim } = cluster(2, 'on');
  sim.start(0);
  sim.runUntil(1900);
  assert.deepEqual(where(sim, G1), []);
  sim.runUntil(2100);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node1']);
  assert.match(events(sim, 0, 'peer-dead')[0]?.text ?? '', /initdead/);
});

void test('both start alone, then meet: each group stays on its home node, the other side releases, nobody restarts', () => {
  const { sim } = cluster(2, 'on');
  sim.partition([0], [1]);
  sim.start(0);
  sim.start(1);
  sim.runUntil(3000);
  assert.deepEqual(where(sim, G1), ['node1', 'node2']);
  sim.healAll();
  sim.runUntil(3500);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node2']);
  // The right side kept running: node1 never stopped G1, node2 never stopped G2.
  assert.ok(!sim.node(0).events.some((e) => e.kind === 'release' && e.group === G1));
  assert.ok(!sim.node(1).events.some((e) => e.kind === 'release' && e.group === G2));
  assert.ok(events(sim, 0, 'conflict-resolved').length > 0);
  assert.equal(events(sim, 0, 'peer-restarted').length + events(sim, 1, 'peer-restarted').length, 0);
});

void test('active/active: the survivor of a crash holds both groups', () => {
  const { sim, doubleOwned } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.crash(1);
  sim.runUntil(2000 + 100);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node1']);
  const dead = events(sim, 0, 'peer-dead')[0];
  assert.ok(dead && dead.atMs <= 2000 + 5, `declared dead at ${dead?.atMs}`);
  assert.deepEqual(doubleOwned, []);
});

void test('graceful shutdown: the peer takes over at once (no deadtime wait) and the leaver reports stopped', () => {
  const { sim, doubleOwned } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.admin(0, { kind: 'shutdown' });
  sim.runUntil(1250);
  assert.deepEqual(where(sim, G1), ['node2']);
  assert.equal(sim.isUp(0), false);
  assert.ok(events(sim, 1, 'shutdown-notice').length >= 1);
  assert.ok(!events(sim, 1, 'peer-dead').some((e) => /silent/.test(e.text)));
  assert.deepEqual(doubleOwned, []);
});

void test('hb_standby all then hb_takeover all (auto_failback on): groups move away and back', () => {
  const { sim, doubleOwned } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.admin(0, { kind: 'standby', set: 'all' });
  sim.runUntil(1200);
  assert.deepEqual(where(sim, G1), ['node2']);
  // Standby sticks: auto_failback does not pull the group straight back.
  sim.runUntil(3000);
  assert.deepEqual(where(sim, G1), ['node2']);
  assert.equal(sim.node(0).core?.status().resourceHold, 'none');
  sim.admin(0, { kind: 'takeover', set: 'all' });
  sim.runUntil(3200);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node1']);
  assert.equal(sim.node(0).core?.status().resourceHold, 'all');
  assert.deepEqual(doubleOwned, []);
});

void test('hb_standby foreign (failback) gives back only the groups homed elsewhere', () => {
  const { sim } = cluster(2, 'off');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.crash(1);
  sim.runUntil(2200);
  sim.start(1);
  sim.runUntil(2600);
  assert.deepEqual(where(sim, G2), ['node1'], 'auto_failback off: stays');
  sim.admin(0, { kind: 'standby', set: 'foreign' });
  sim.runUntil(2800);
  assert.deepEqual(where(sim, G2), ['node2']);
  assert.deepEqual(where(sim, G1), ['node1']);
});

void test('hb_takeover local (auto_failback off): the home node asks for its group back', () => {
  const { sim, doubleOwned } = cluster(2, 'off');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.crash(0);
  sim.runUntil(2200);
  assert.deepEqual(where(sim, G1), ['node2']);
  sim.start(0);
  sim.runUntil(2800);
  assert.deepEqual(where(sim, G1), ['node2']);
  sim.admin(0, { kind: 'takeover', set: 'local' });
  sim.runUntil(3000);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(doubleOwned, []);
});

for (const mode of ['on', 'legacy'] as const) {
  void test(`auto_failback ${mode}: a returning home node gets its group back`, () => {
    const { sim, doubleOwned } = cluster(2, mode);
    sim.start(0);
    sim.start(1);
    sim.runUntil(1000);
    sim.crash(0);
    sim.runUntil(2200);
    assert.deepEqual(where(sim, G1), ['node2']);
    sim.start(0);
    sim.runUntil(2500);
    assert.deepEqual(where(sim, G1), ['node1']);
    assert.deepEqual(doubleOwned, []);
  });
}

void test('legacy mode: standby is carried out (real Heartbeat ignores it) and says so', () => {
  const { sim } = cluster(2, 'legacy');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.admin(0, { kind: 'standby', set: 'all' });
  sim.runUntil(1200);
  assert.deepEqual(where(sim, G1), ['node2']);
  assert.ok(sim.node(0).events.some((e) => e.kind === 'note' && /legacy/.test(e.text)));
});

void test('failed start: the group is released, a peer runs it, the failure stays visible, no retry loop', () => {
  const { sim } = cluster(2, 'on');
  sim.node(0).failNextStart.add(G1);
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  assert.deepEqual(where(sim, G1), ['node2']);
  const starts = sim.node(0).events.filter((e) => e.kind === 'takeover' && e.group === G1);
  assert.equal(starts.length, 1, 'tried once on node1, not again');
  const st = sim
    .node(0)
    .core?.status()
    .groups.find((g) => g.id === G1);
  assert.equal(st?.localState, 'failed');
  assert.deepEqual(st?.failedOn, ['node1']);
  assert.equal(st?.failures, 1);
  const peerView = sim
    .node(1)
    .core?.status()
    .groups.find((g) => g.id === G1);
  assert.deepEqual(peerView?.failedOn, ['node1']);
});

void test('a group that fails everywhere runs nowhere and says so (no endless retries)', () => {
  const { sim } = cluster(2, 'on');
  sim.node(0).failNextStart.add(G1);
  sim.node(1).failNextStart.add(G1);
  sim.start(0);
  sim.start(1);
  sim.runUntil(3000);
  assert.deepEqual(where(sim, G1), []);
  const st = sim
    .node(0)
    .core?.status()
    .groups.find((g) => g.id === G1);
  assert.deepEqual([...(st?.failedOn ?? [])].sort(), ['node1', 'node2']);
  assert.equal(st?.target, undefined);
  const attempts = sim.nodes.flatMap((n) => n.events.filter((e) => e.kind === 'takeover' && e.group === G1));
  assert.equal(attempts.length, 2);
});

void test('3 nodes, partition heal: one owner per group afterwards, the preferred side never stopped', () => {
  const { sim } = cluster(3, 'on');
  for (let i = 0; i < 3; i++) sim.start(i);
  sim.runUntil(1000);
  sim.partition([0], [1, 2]);
  sim.runUntil(3000);
  // Split brain during the partition: node1 runs everything, node2/node3 took over G1.
  assert.deepEqual(where(sim, G2), ['node1', 'node2']);
  sim.healAll();
  sim.runUntil(3600);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node2']);
  assert.deepEqual(where(sim, G3), ['node3']);
  assert.ok(events(sim, 1, 'partition-healed').length >= 1);
  assert.ok(!sim.node(0).events.some((e) => e.kind === 'release' && e.group === G1));
});

void test('a paused node does not declare its peers dead from the stale window', () => {
  const { sim } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.pause(0, 3000);
  sim.runUntil(5000);
  assert.ok(events(sim, 0, 'pause-detected').length >= 1);
  assert.equal(events(sim, 0, 'peer-dead').length, 0);
  // node2 (rightly, from its side) declared node1 dead and took G1; after the pause it is resolved.
  assert.ok(events(sim, 1, 'peer-dead').length >= 1);
  assert.deepEqual(where(sim, G1), ['node1']);
  assert.deepEqual(where(sim, G2), ['node2']);
});

void test('a one-way partition is visible as a dead link on one side only', () => {
  const { sim } = cluster(2, 'on');
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  const m0 = sim.mediumIds[0];
  assert.ok(m0);
  sim.block(1, 0, [m0]);
  sim.runUntil(2500);
  const n1 = sim
    .node(0)
    .core?.status()
    .nodes.find((n) => n.name === 'node2');
  assert.deepEqual(
    n1?.links.map((l) => l.status),
    ['dead', 'up'],
  );
  assert.equal(n1?.status, 'active');
  const n2 = sim
    .node(1)
    .core?.status()
    .nodes.find((n) => n.name === 'node1');
  assert.deepEqual(
    n2?.links.map((l) => l.status),
    ['up', 'up'],
  );
  assert.equal(events(sim, 0, 'peer-dead').length, 0);
});
