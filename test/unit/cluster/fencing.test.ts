// Fencing in the core, run in the simulator with real endpoints: who fences, when, retries, the
// operator's confirmation, start-up fencing, self-fencing. Never two holders throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import { realEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig, simGroupId } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const G1 = simGroupId(0); // home node1
const G2 = simGroupId(1); // home node2
const G3 = simGroupId(2); // home node1 (group i is homed on node i mod N)

function cluster(groups = 2, seed = 1): { sim: Simulator; doubles: string[] } {
  const config = simClusterConfig({
    nodes: 2,
    media: 1,
    keepaliveMs: 100,
    deadtimeMs: 500,
    groups,
    fencing: true,
    fenceDelayMs: 1000,
  });
  const sim = new Simulator({ seed, config, endpointFactory: realEndpoints, fenceMs: 200 });
  const doubles: string[] = [];
  sim.setChecker(() => {
    for (const g of config.resourceGroups) {
      const up = sim.owners(g.id).filter((i) => sim.isUp(i));
      if (up.length > 1) doubles.push(`${sim.nowMs.toFixed(0)} ${g.id}`);
    }
  });
  return { sim, doubles };
}

function events(sim: Simulator, node: number, kind: ClusterEvent['kind']): ClusterEvent[] {
  return sim.node(node).events.filter((e) => e.kind === kind);
}

void test('partition: the node running more groups fences at once, the other waits fence_delay and is fenced first', () => {
  const { sim, doubles } = cluster(3); // node1 runs G1 and G3, node2 runs G2
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  assert.deepEqual(sim.runningOn(G1), [0]);
  assert.deepEqual(sim.runningOn(G2), [1]);
  sim.partition([0], [1]);
  sim.runUntil(1500 + 100);
  // node1 declared node2 dead and fences it now; node2 waits fence_delay (node1 ran more).
  assert.match(events(sim, 0, 'fence')[0]?.text ?? '', /fencing it now/);
  assert.match(events(sim, 1, 'fence')[0]?.text ?? '', /fencing it in 1000 ms \(fence_delay/);
  sim.runUntil(4000);
  assert.equal(sim.isUp(1), false, 'node2 was powered off');
  assert.equal(sim.isUp(0), true, 'node1 survived: exactly one node fenced');
  assert.equal(
    events(sim, 1, 'fence').filter((e) => /^fencing node/.test(e.text)).length,
    0,
    'node2 never fired',
  );
  assert.deepEqual(sim.runningOn(G2), [0], 'node1 took G2 over after the fence');
  const fenced = events(sim, 0, 'fence').find((e) => /fenced/.test(e.text));
  const took = sim.node(0).events.find((e) => e.kind === 'takeover' && e.group === G2);
  assert.ok(fenced && took && took.atMs >= fenced.atMs, 'takeover only after the fence succeeded');
  assert.deepEqual(doubles, []);
  assert.equal(sim.node(0).core?.status().counters.fences, 1);
});

void test('a failing fence is retried with backoff; the groups stay down; status shows each attempt', () => {
  const { sim, doubles } = cluster(2);
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.fenceFails.add(1);
  sim.crash(1); // node2's daemon is gone, but its fence device fails: nobody may take G2
  sim.runUntil(6000);
  assert.deepEqual(sim.runningOn(G2), [], 'G2 stays down while node2 is not fenced');
  const st = sim.node(0).core?.status();
  const f = st?.fencing.find((x) => x.node === 'node2');
  assert.equal(f?.state, 'retrying');
  assert.ok((f?.attempts ?? 0) >= 3, `attempts ${f?.attempts}`);
  assert.match(f?.lastError ?? '', /simulated fence failure/);
  assert.ok((f?.nextAttemptMs ?? 0) > 6000);
  const fails = events(sim, 0, 'fence').filter((e) => /failed \(attempt/.test(e.text));
  assert.ok(fails.every((e) => e.level === 'crit'));
  assert.match(fails[1]?.text ?? '', /retrying in 2000 ms/);
  sim.fenceFails.delete(1);
  sim.runUntil(40_000);
  assert.deepEqual(sim.runningOn(G2), [0], 'taken over once the fence worked');
  assert.deepEqual(doubles, []);
});

void test('the operator confirms a node off (hbts fence --confirm-off): takeover without fencing', () => {
  const { sim } = cluster(2);
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.fenceFails.add(1);
  sim.crash(1);
  sim.runUntil(3000);
  assert.deepEqual(sim.runningOn(G2), []);
  sim.admin(0, { kind: 'fence-confirmed', node: 'node2' as never });
  sim.runUntil(3200);
  assert.deepEqual(sim.runningOn(G2), [0]);
  const confirm = events(sim, 0, 'fence').find((e) => /operator confirmed/.test(e.text));
  assert.equal(confirm?.level, 'crit');
  assert.equal(sim.node(0).core?.status().fencing[0]?.fencedBy, 'operator');
});

void test('start-up fencing: a peer never heard within initdead is fenced before any group starts', () => {
  const { sim, doubles } = cluster(2);
  sim.start(0); // node2 never starts
  sim.runUntil(3000);
  const fence = sim.node(0).events.find((e) => e.kind === 'fence' && /fencing node node2/.test(e.text));
  const firstStart = sim.node(0).events.find((e) => e.kind === 'takeover');
  assert.ok(fence && firstStart && firstStart.atMs > fence.atMs, 'fenced first, then started');
  assert.deepEqual(sim.runningOn(G1), [0]);
  assert.deepEqual(sim.runningOn(G2), [0]);
  assert.deepEqual(doubles, []);
});

void test('self-fence (disk lock lost): every group released, none taken; cleared: back to normal', () => {
  const { sim } = cluster(2);
  sim.start(0);
  sim.start(1);
  sim.runUntil(1000);
  sim.admin(0, { kind: 'self-fence', reason: 'disk lock lost' });
  sim.runUntil(1500);
  assert.deepEqual(sim.runningOn(G1), [1], 'node2 took node1 group over (handed over, no fencing needed)');
  assert.equal(sim.node(0).core?.status().selfFenced, 'disk lock lost');
  sim.admin(0, { kind: 'self-fence-clear' });
  sim.runUntil(2500);
  assert.deepEqual(sim.runningOn(G1), [0], 'auto_failback on: home again');
  assert.equal(G3, simGroupId(2));
});

void test('daemon killed and restarted within deadtime: the peer waits for its probes, nothing moves, never two holders', () => {
  for (const fencing of [false, true]) {
    const config = simClusterConfig({
      nodes: 2,
      media: 1,
      keepaliveMs: 100,
      deadtimeMs: 500,
      groups: 2,
      fencing,
    });
    const sim = new Simulator({ seed: 5, config, endpointFactory: realEndpoints });
    const doubles: string[] = [];
    sim.setChecker(() => {
      for (const g of config.resourceGroups)
        if (
          sim.owners(g.id).filter((i) => sim.isUp(i) || sim.node(i).resources.get(g.id) !== 'stopped')
            .length > 1
        )
          doubles.push(`${sim.nowMs.toFixed(0)} ${g.id}`);
    });
    sim.start(0);
    sim.start(1);
    sim.runUntil(1000);
    sim.killDaemon(0);
    sim.runUntil(1200);
    sim.start(0); // restarted at once (supervisor): it probes and finds G1 still running
    sim.runUntil(4000);
    assert.deepEqual(sim.runningOn(G1), [0], `fencing ${fencing}: G1 never moved`);
    assert.deepEqual(doubles, [], `fencing ${fencing}`);
    assert.ok(
      sim.node(1).events.some((e) => /node1 restarted and is still probing/.test(e.text)) ||
        !sim.node(1).events.some((e) => e.kind === 'takeover' && e.group === G1),
    );
    assert.ok(
      !sim.node(1).events.some((e) => e.kind === 'takeover' && e.group === G1),
      'node2 never started G1',
    );
  }
});
