// src/cluster/reconfigure.ts through ClusterNode: what a reload may change, what it refuses, and
// how nodes and groups come and go (one simulated node; its peer never starts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterNode } from '../../../src/cluster/node.js';
import type { ResourceGroup } from '../../../src/config/resource-config.js';
import type { ClusterConfig, GroupId, NodeName } from '../../../src/config/types.js';
import { plainEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const base = simClusterConfig({ nodes: 2, groups: 2, keepaliveMs: 100, deadtimeMs: 500, initdeadMs: 1000 });
const [G0, G1] = base.resourceGroups as [ResourceGroup, ResourceGroup];

function alone(config: ClusterConfig = base): { sim: Simulator; core: () => ClusterNode } {
  const sim = new Simulator({ seed: 1, config, endpointFactory: plainEndpoints });
  sim.start(0);
  return { sim, core: () => sim.node(0).core as ClusterNode };
}

void test('reload refused while the node is still starting, and when it would drop this node', () => {
  const { sim, core } = alone();
  assert.match(core().reloadRefusals(base).join(), /starting: reload again once it is stable/);
  sim.runUntil(3000);
  assert.deepEqual(core().reloadRefusals(base), []);
  const withoutMe = { ...base, nodes: ['node2'] as NodeName[] };
  assert.match(core().reloadRefusals(withoutMe).join(), /node1\) is not in the new node list/);
});

void test('reload: an added node is dead and not fenced; a removed dead node is forgotten', () => {
  const fenced = simClusterConfig({
    nodes: 3,
    groups: 2,
    keepaliveMs: 100,
    deadtimeMs: 500,
    initdeadMs: 1000,
    fencing: true,
  });
  const two = { ...fenced, nodes: ['node1', 'node2'] as NodeName[] };
  const sim = new Simulator({ seed: 2, config: fenced, endpointFactory: plainEndpoints, fenceMs: 50 });
  sim.reconfigure(0, two);
  sim.start(0);
  sim.runUntil(4000); // node2 never heard: fenced at start-up (the start-up fencing rule), groups here
  const fencesBefore = sim.node(0).events.filter((e) => e.kind === 'fence').length;
  assert.deepEqual(sim.reconfigure(0, fenced), []);
  sim.runUntil(8000);
  const core = sim.node(0).core as ClusterNode;
  const node3 = core.status().nodes.find((n) => n.name === 'node3');
  assert.equal(node3?.status, 'dead');
  const later = sim
    .node(0)
    .events.slice()
    .filter((e) => e.node === 'node3');
  assert.deepEqual(
    later.filter((e) => e.kind === 'fence' || e.kind === 'peer-dead').map((e) => e.text),
    [],
    'no fencing and no death for a node that was never a member',
  );
  assert.equal(sim.node(0).events.filter((e) => e.kind === 'fence').length, fencesBefore);
  assert.deepEqual(sim.runningOn(G0.id), [0], 'groups keep running while node3 is missing');
  // Removing it again (it is dead): gone from the status, nothing moves.
  assert.deepEqual(sim.reconfigure(0, two), []);
  sim.runUntil(9000);
  assert.deepEqual(
    core.status().nodes.map((n) => n.name),
    ['node1', 'node2'],
  );
  assert.deepEqual(sim.runningOn(G0.id), [0]);
});

void test('reload: a removed group running here is stopped, then forgotten; a new one is placed', () => {
  const { sim, core } = alone();
  sim.runUntil(3000);
  assert.deepEqual(sim.runningOn(G0.id), [0]);
  assert.deepEqual(sim.runningOn(G1.id), [0], 'node2 never came: node1 runs its group too');
  const G2: ResourceGroup = {
    ...G1,
    id: 'IPaddr::198.18.100.99/24' as GroupId,
    resources: [{ raw: 'IPaddr::198.18.100.99/24', agent: 'IPaddr', args: ['198.18.100.99/24'] }],
  };
  assert.deepEqual(sim.reconfigure(0, { ...base, resourceGroups: [G0, G2] }), []);
  sim.runUntil(3500);
  assert.deepEqual(sim.runningOn(G1.id), [], 'the removed group stopped');
  assert.deepEqual(sim.runningOn(G0.id), [0], 'the unchanged group stays');
  assert.deepEqual(sim.runningOn(G2.id), [0], 'the new group is placed');
  assert.deepEqual(
    core()
      .status()
      .groups.map((g) => g.id),
    [G0.id, G2.id],
  );
  const g0Actions = sim
    .node(0)
    .events.filter((e) => e.group === G0.id && (e.kind === 'release' || e.kind === 'takeover'));
  assert.equal(g0Actions.length, 1, 'g0 was acquired once, at start-up, and never touched again');
});

void test('reload: timings reach the failure detector and the heartbeats at once', () => {
  const { sim, core } = alone();
  sim.runUntil(3000);
  const slower = { ...base, keepaliveMs: 200, deadtimeMs: 1500, warntimeMs: 900 };
  assert.deepEqual(sim.reconfigure(0, slower), []);
  const st = core().status();
  assert.equal(
    st.nodes.find((n) => n.name === 'node2')?.deadtimeMs,
    1500,
    'a peer without its own dt takes ours',
  );
  assert.notEqual(st.configFingerprint, alone().core().status().configFingerprint);
});

void test('reload: a node added without a fence method the daemon started with is never fenced', () => {
  const full = simClusterConfig({
    nodes: 3,
    groups: 2,
    keepaliveMs: 100,
    deadtimeMs: 500,
    initdeadMs: 1000,
    fencing: true,
  });
  const fenceFor = (nodes: string[]): NonNullable<ClusterConfig['fence']> =>
    (full.fence ?? []).filter((f) => nodes.includes(f.target));
  const two = { ...full, nodes: ['node1', 'node2'] as NodeName[], fence: fenceFor(['node1', 'node2']) };
  const three = { ...full, fence: fenceFor(['node1', 'node2', 'node3']) }; // a fence line for node3 now
  const sim = new Simulator({ seed: 3, config: full, endpointFactory: plainEndpoints, fenceMs: 50 });
  sim.reconfigure(0, two);
  sim.reconfigure(1, two);
  sim.start(0);
  sim.start(1);
  sim.runUntil(3000);
  assert.deepEqual([sim.reconfigure(0, three), sim.reconfigure(1, three)], [[], []]);
  sim.start(2);
  sim.runUntil(5000);
  sim.crash(2);
  sim.runUntil(7000);
  const aboutNode3 = [0, 1].flatMap((i) => sim.node(i).events).filter((e) => e.node === 'node3');
  assert.ok(
    aboutNode3.some((e) => e.kind === 'peer-dead'),
    'node3 died as a member',
  );
  assert.deepEqual(
    aboutNode3.filter((e) => e.kind === 'fence').map((e) => e.text),
    [],
    'its fence line came with the reload: it waits for a restart',
  );
});
