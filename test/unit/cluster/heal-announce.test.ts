// After a partition heals, the node that keeps a group announces its addresses again (clients
// followed the other holder's gratuitous ARP during the partition): once when the split brain is
// seen, once more when the other holder has released. The loser never announces. Split brain is
// logged at crit with both sides' view and the placement rule that decided.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import { realEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig, simGroupId } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const G1 = simGroupId(0); // home node1

function announces(sim: Simulator, node: number): ClusterEvent[] {
  return sim
    .node(node)
    .events.filter((e) => e.kind === 'note' && e.group === G1 && /^announcing/.test(e.text));
}

for (const autoFailback of ['on', 'off'] as const) {
  void test(`auto_failback ${autoFailback}: the keeper re-announces at the heal and after the loser released; the loser does not`, () => {
    const config = simClusterConfig({
      nodes: 2,
      media: 1,
      keepaliveMs: 100,
      deadtimeMs: 500,
      autoFailback,
      groups: 1,
    });
    const sim = new Simulator({ seed: 3, config, endpointFactory: realEndpoints });
    sim.start(0);
    sim.start(1);
    sim.runUntil(1000);
    assert.deepEqual(sim.runningOn(G1), [0]);
    sim.partition([0], [1]);
    sim.runUntil(3000);
    assert.deepEqual(sim.runningOn(G1), [0, 1], 'both hold it during the partition');
    assert.equal(sim.node(0).announcements, 0);
    sim.healAll();
    sim.runUntil(4000);
    assert.deepEqual(sim.runningOn(G1), [0], 'the home node keeps it');
    const split = sim.node(0).events.find((e) => e.kind === 'conflict-resolved');
    assert.equal(split?.level, 'crit');
    assert.match(
      split?.text ?? '',
      /split brain: .*node1 keeps it \(the holder first from its home node\).*Views: node1 \(here\): running.*node2: advertises it held/,
    );
    const keeper = announces(sim, 0);
    assert.equal(sim.node(0).announcements, 2);
    assert.match(keeper[0]?.text ?? '', /split brain resolved in our favour/);
    assert.match(keeper[1]?.text ?? '', /the other holder released it/);
    const released = sim.node(1).events.find((e) => e.kind === 'released' && e.group === G1);
    assert.ok(released && keeper[0] && keeper[1]);
    assert.ok(keeper[0].atMs <= released.atMs, 'first announcement no later than the loser released');
    assert.ok(keeper[1].atMs >= released.atMs, 'second one after the loser released');
    assert.equal(sim.node(1).announcements, 0, 'the loser never announces');
  });
}
