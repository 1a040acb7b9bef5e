// ha.cf autojoin in the simulator, real protocol endpoints on every hop: node1 and node2 list each
// other; node3 lists only itself. With `autojoin any` node3 joins both (and they join it), leaves
// gracefully (dead, still remembered), and comes back. With `autojoin none` it is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig, NodeName } from '../../src/config/types.js';
import { ClusterNode } from '../../src/cluster/node.js';
import type { ClusterEvent, ClusterStatus } from '../../src/cluster/types.js';
import { Simulator } from '../../src/sim/simulator.js';
import { realEndpoints } from '../../src/sim/endpoints.js';
import { simClusterConfig, simNodeName } from '../../src/sim/sim-config.js';

const n1 = simNodeName(0);
const n2 = simNodeName(1);
const n3 = simNodeName(2);

function cluster(autojoin: ClusterConfig['autojoin'], seed: number) {
  // The simulator's own config names all three (its network and node slots); each node runs its own.
  const base = simClusterConfig({
    nodes: 3,
    groups: 0,
    keepaliveMs: 1000,
    deadtimeMs: 5000,
    initdeadMs: 10000,
  });
  const listed: ClusterConfig = { ...base, nodes: [n1, n2], autojoin };
  const joiner: ClusterConfig = { ...base, nodes: [n3], autojoin };
  const configOf = (self: NodeName): ClusterConfig => (self === n3 ? joiner : listed);
  const events = new Map<NodeName, ClusterEvent[]>([
    [n1, []],
    [n2, []],
    [n3, []],
  ]);
  const sim = new Simulator({
    seed,
    config: base,
    endpointFactory: (a) => realEndpoints({ ...a, config: configOf(a.self) }),
    coreFactory: (o) => new ClusterNode({ ...o, config: configOf(o.self) }),
    observer: { output: (node, out) => events.get(node.name)?.push(...out.events) },
  });
  return { sim, events };
}

const statusOf = (sim: Simulator, i: number): ClusterStatus => {
  const core = sim.node(i).core;
  assert.ok(core !== undefined, `node ${i + 1} is not running`);
  return core.status();
};
const view = (s: ClusterStatus, name: NodeName) => s.nodes.find((n) => n.name === name);

void test('autojoin any: a node on no node line joins, leaves (dead, remembered) and comes back', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const { sim, events } = cluster('any', seed);
    sim.start(0);
    sim.start(1);
    sim.runUntil(20_000);
    assert.deepEqual(statusOf(sim, 0).joinedNodes, [], `seed ${seed}: nobody joined yet`);
    // node3 comes: the cluster's key is all it has
    sim.at(20_000, () => sim.start(2));
    sim.runUntil(35_000);
    for (const i of [0, 1]) {
      const s = statusOf(sim, i);
      assert.deepEqual(s.joinedNodes, [n3], `seed ${seed}: node${i + 1} joined list`);
      assert.equal(view(s, n3)?.status, 'active', `seed ${seed}: node${i + 1} sees node3`);
      assert.equal(view(s, n3)?.joined, true);
      assert.equal(view(s, i === 0 ? n2 : n1)?.joined, undefined, 'a node-line peer is not "joined"');
    }
    const s3 = statusOf(sim, 2);
    assert.deepEqual([...(s3.joinedNodes ?? [])].sort(), [n1, n2], `seed ${seed}: node3 joined both`);
    assert.ok(
      s3.nodes.every((n) => n.status === 'active'),
      `seed ${seed}: ${JSON.stringify(s3.nodes)}`,
    );
    assert.equal(
      (events.get(n1) ?? []).filter((e) => e.kind === 'node-joined' && e.node === n3).length,
      1,
      'one node-joined event',
    );
    // node3 leaves gracefully: dead for the others, still a member they remember
    sim.admin(2, { kind: 'shutdown' });
    sim.runUntil(50_000);
    for (const i of [0, 1]) {
      const s = statusOf(sim, i);
      assert.equal(view(s, n3)?.status, 'dead', `seed ${seed}: node${i + 1} after node3 left`);
      assert.deepEqual(s.joinedNodes, [n3]);
    }
    // and comes back: known already, no second join
    sim.start(2);
    sim.runUntil(70_000);
    assert.equal(view(statusOf(sim, 0), n3)?.status, 'active', `seed ${seed}: node3 back`);
    assert.equal((events.get(n1) ?? []).filter((e) => e.kind === 'node-joined').length, 1);
  }
});

void test('autojoin none: a node on no node line is refused, whatever key it has', () => {
  const { sim, events } = cluster('none', 7);
  sim.start(0);
  sim.start(1);
  sim.start(2);
  sim.runUntil(30_000);
  const s1 = statusOf(sim, 0);
  assert.equal(s1.joinedNodes, undefined);
  assert.deepEqual(
    s1.nodes.map((n) => n.name),
    [n1, n2],
  );
  assert.ok(s1.counters.rejected > 0, 'node3 heartbeats are rejected');
  assert.equal((events.get(n1) ?? []).filter((e) => e.kind === 'node-joined').length, 0);
});

void test('autojoin: remembered joined nodes (config.joinedNodes) are peers from the start', () => {
  const base = simClusterConfig({ nodes: 2, groups: 0, keepaliveMs: 1000, deadtimeMs: 5000 });
  const remembered: ClusterConfig = { ...base, nodes: [n1, n2], joinedNodes: [n2], autojoin: 'other' };
  const sim = new Simulator({ seed: 3, config: remembered, endpointFactory: realEndpoints });
  sim.start(0);
  sim.start(1);
  sim.runUntil(15_000);
  const s = statusOf(sim, 0);
  assert.deepEqual(s.joinedNodes, [n2]);
  assert.equal(view(s, n2)?.joined, true);
  assert.equal(view(s, n2)?.status, 'active');
});
