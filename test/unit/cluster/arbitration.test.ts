// Arbitration in the core: ping nodes as pseudo-nodes (up, dead after deadping, counting again
// only after deadping of answers), quorum (majority, tiebreaker, release within deadtime), ipfail
// placement, and the split-brain event's structured report. Clusters run in the simulator with
// real cores; nothing is stubbed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestConnected, SettledScores } from '../../../src/cluster/ping-nodes.js';
import { quorumVerdict } from '../../../src/cluster/quorum.js';
import type { ClusterConfig, GroupId, NodeName } from '../../../src/config/types.js';
import { plainEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';
import type { SimClusterShape } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';
import { Harness } from './helpers.js';

const n = (s: string): NodeName => s as NodeName;

function cluster(shape: Partial<SimClusterShape>): { sim: Simulator; config: ClusterConfig } {
  const config = simClusterConfig({
    nodes: 3,
    keepaliveMs: 100,
    deadtimeMs: 1000,
    warntimeMs: 500,
    initdeadMs: 2000,
    authMethod: 'crc',
    ...shape,
  });
  const sim = new Simulator({ seed: 7, config, endpointFactory: plainEndpoints, trace: false });
  for (let i = 0; i < config.nodes.length; i++) sim.start(i);
  return { sim, config };
}

/** First time (ms, from `fromMs`, 1 ms steps) at which `pred` holds, or undefined by `toMs`. */
function when(sim: Simulator, fromMs: number, toMs: number, pred: () => boolean): number | undefined {
  for (let t = fromMs; t <= toMs; t++) {
    sim.runUntil(t);
    if (pred()) return t;
  }
  return undefined;
}

void describe('quorumVerdict', () => {
  void it('needs a strict majority of the configured nodes; exactly half needs the tiebreaker', () => {
    assert.equal(quorumVerdict(2, 3, undefined).quorate, true);
    assert.equal(quorumVerdict(1, 3, true).quorate, false);
    assert.equal(quorumVerdict(3, 5, undefined).quorate, true);
    assert.equal(quorumVerdict(2, 5, true).quorate, false);
    assert.equal(quorumVerdict(2, 4, undefined).quorate, false);
    assert.equal(quorumVerdict(2, 4, false).quorate, false);
    assert.equal(quorumVerdict(2, 4, true).quorate, true);
    assert.equal(quorumVerdict(1, 2, true).quorate, true);
    assert.match(quorumVerdict(1, 2, false).reason, /tiebreaker lost/);
  });
});

void describe('ipfail helpers', () => {
  void it('bestConnected keeps the nodes reaching the most ping nodes; unknown nodes are never excluded', () => {
    const c = new Set([n('a'), n('b'), n('c')]);
    const scores = new Map([
      [n('a'), 1],
      [n('b'), 2],
    ]);
    assert.deepEqual([...bestConnected(c, (x) => scores.get(x))], ['b', 'c']);
    scores.set(n('a'), 2);
    assert.deepEqual([...bestConnected(c, (x) => scores.get(x))], ['a', 'b', 'c']);
  });

  void it('SettledScores applies new counts only after they held still for the settle time', () => {
    const s = new SettledScores(200);
    assert.equal(s.update(new Map([[n('a'), 1]]), 0), false);
    assert.equal(s.score(n('a')), undefined);
    assert.equal(s.nextWakeMs(), 200);
    assert.equal(s.update(new Map([[n('a'), 0]]), 150), false); // changed again: the clock restarts
    assert.equal(s.update(new Map([[n('a'), 0]]), 340), false);
    assert.equal(s.update(new Map([[n('a'), 0]]), 350), true);
    assert.equal(s.score(n('a')), 0);
  });
});

void describe('ping nodes in the core', () => {
  void it('a ping node is init, up on an answer, dead after deadping, and counts again only after deadping of answers', () => {
    const h = new Harness(simClusterConfig({ nodes: 2, keepaliveMs: 100, deadtimeMs: 500, pingTargets: 1 }));
    const ping = (t: number): void => void h.step({ kind: 'ping-reply', nowMs: t, address: '198.18.200.1' });
    h.timer(0);
    assert.equal(h.node.status().pingNodes?.[0]?.status, 'init');
    ping(50);
    assert.deepEqual(
      [h.node.status().pingNodes?.[0]?.status, h.node.status().pingNodes?.[0]?.counted],
      ['up', true],
    );
    ping(100);
    h.advance(599);
    assert.equal(h.node.status().pingNodes?.[0]?.status, 'up');
    h.advance(601);
    assert.deepEqual(
      [h.node.status().pingNodes?.[0]?.status, h.node.status().pingNodes?.[0]?.counted],
      ['dead', false],
    );
    // Back: up at once, counted after 500 ms of answers.
    for (let t = 700; t <= 1300; t += 100) {
      ping(t);
      h.advance(t);
      if (t < 1200) assert.equal(h.node.status().pingNodes?.[0]?.counted, false, `at ${t}`);
    }
    assert.equal(h.node.status().pingNodes?.[0]?.counted, true);
    // The advert carries what counts.
    const last = h
      .sent()
      .filter((s) => s.type === 'status')
      .at(-1);
    assert.equal(last?.f['hbts_ping'], '198.18.200.1');
    const kinds = h
      .events()
      .filter((e) => e.kind === 'ping-node')
      .map((e) => e.text);
    assert.ok(kinds.some((t) => /is dead \(no answer/.test(t)));
    assert.ok(kinds.some((t) => /counts again/.test(t)));
  });

  void it('an answer from an address nobody configured changes nothing', () => {
    const h = new Harness(simClusterConfig({ nodes: 2, keepaliveMs: 100, deadtimeMs: 500, pingTargets: 1 }));
    h.timer(0);
    h.step({ kind: 'ping-reply', nowMs: 10, address: '198.18.9.9' });
    assert.equal(h.node.status().pingNodes?.[0]?.status, 'init');
  });
});

void describe('quorum in a running cluster', () => {
  void it('3 nodes, the holder isolated: it releases within deadtime, before the others take the group', () => {
    const { sim, config } = cluster({ nodes: 3, groups: 1, quorum: true });
    const g = config.resourceGroups[0]?.id as GroupId;
    sim.runUntil(3000);
    assert.deepEqual(sim.runningOn(g), [0]);
    sim.partition([0], [1, 2]);
    const cutMs = sim.nowMs;
    const releasedMs = when(sim, cutMs, cutMs + 2000, () => !sim.owners(g).includes(0));
    const takenMs = when(sim, cutMs, cutMs + 3000, () => sim.owners(g).some((i) => i !== 0));
    assert.ok(releasedMs !== undefined && takenMs !== undefined);
    assert.ok(releasedMs - cutMs < config.deadtimeMs, `released ${releasedMs - cutMs} ms after the cut`);
    assert.ok(releasedMs < takenMs, 'released before the majority took it');
    assert.equal(sim.node(0).core?.status().quorum?.quorate, false);
    assert.equal(sim.node(1).core?.status().quorum?.quorate, true);
    const lost = sim.node(0).events.find((e) => e.kind === 'quorum' && /quorum lost/.test(e.text));
    assert.match(lost?.text ?? '', /1 of 3 nodes: 2 needed/);
    // Heal: it rejoins, takes nothing back (auto_failback on gives the home node its group once settled).
    sim.healAll();
    sim.runUntil(sim.nowMs + 3000);
    assert.equal(sim.owners(g).length, 1);
  });

  void it('without quorum a node fences nobody', () => {
    const { sim, config } = cluster({ nodes: 3, groups: 1, quorum: true, fencing: true, fenceDelayMs: 0 });
    sim.runUntil(3000);
    sim.partition([0], [1, 2]);
    sim.runUntil(sim.nowMs + 4000);
    const fencedBy0 = sim.node(0).events.filter((e) => e.kind === 'fence' && /fencing node/.test(e.text));
    assert.deepEqual(fencedBy0, []);
    const fencedBy12 = [1, 2]
      .flatMap((i) => sim.node(i).events)
      .filter((e) => /fencing node node1/.test(e.text));
    assert.ok(fencedBy12.length > 0, 'the majority fences the isolated node');
    assert.equal(config.quorum, true);
  });

  void it('2 nodes with a ping node as tiebreaker: the side that reaches it keeps the groups', () => {
    const { sim, config } = cluster({ nodes: 2, groups: 2, quorum: true, pingTargets: 1 });
    sim.runUntil(3000);
    const [g1, g2] = config.resourceGroups.map((x) => x.id);
    assert.deepEqual([sim.runningOn(g1 as GroupId), sim.runningOn(g2 as GroupId)], [[0], [1]]);
    sim.partition([0], [1]);
    sim.setPingReachable(1, 0, false);
    sim.runUntil(sim.nowMs + 3000);
    assert.deepEqual([sim.owners(g1 as GroupId), sim.owners(g2 as GroupId)], [[0], [0]]);
    assert.equal(sim.node(1).core?.status().quorum?.quorate, false);
    assert.match(sim.node(0).core?.status().quorum?.reason ?? '', /tiebreaker won/);
  });
});

void describe('ipfail placement', () => {
  void it('the active node loses a ping node the standby reaches: the groups move; both lose it: nothing moves', () => {
    const { sim, config } = cluster({
      nodes: 2,
      groups: 1,
      pingTargets: 1,
      pingPolicy: 'ipfail',
      autoFailback: 'off',
    });
    const g = config.resourceGroups[0]?.id as GroupId;
    sim.runUntil(3000);
    assert.deepEqual(sim.runningOn(g), [0]);
    sim.setPingReachable(0, 0, false);
    const lostMs = sim.nowMs;
    const movedMs = when(sim, lostMs, lostMs + 3000, () => sim.runningOn(g)[0] === 1);
    assert.ok(movedMs !== undefined, 'moved to the standby');
    // deadping (1000) + settle (2 keepalives) + release/acquire: not before deadping.
    assert.ok(movedMs - lostMs >= config.deadpingMs && movedMs - lostMs < config.deadpingMs + 600);
    const status = sim.node(1).core?.status();
    assert.deepEqual(
      status?.nodes.map((x) => x.pingNodes),
      [[], ['198.18.200.1']],
    );
    // node1 reaches it again; then both lose it: equal counts, the group stays on node2.
    sim.setPingReachable(0, 0, true);
    sim.runUntil(sim.nowMs + 3000);
    assert.deepEqual(sim.runningOn(g), [1]);
    sim.setPingReachable(0, 0, false);
    sim.setPingReachable(1, 0, false);
    const from = sim.nowMs;
    assert.equal(
      when(sim, from, from + 3000, () => sim.runningOn(g)[0] !== 1),
      undefined,
      'nothing moves when both lose it',
    );
  });
});

void describe('split-brain report', () => {
  void it('the conflict event carries both sides, their phase and generation, the keeper and the rule', () => {
    const { sim, config } = cluster({ nodes: 2, groups: 1, autoFailback: 'off' });
    const g = config.resourceGroups[0]?.id as GroupId;
    sim.runUntil(3000);
    sim.partition([0], [1]);
    sim.runUntil(sim.nowMs + 3000);
    assert.deepEqual(sim.owners(g), [0, 1]);
    sim.healAll();
    sim.runUntil(sim.nowMs + 2000);
    const e = sim.node(0).events.find((x) => x.kind === 'conflict-resolved');
    const report = e?.splitBrain;
    assert.ok(report !== undefined);
    assert.deepEqual([...report.holders].sort(), ['node1', 'node2']);
    assert.equal(report.keeper, 'node1');
    assert.equal(report.rule, 'holder');
    const views = [...report.views].sort((x, y) => x.node.localeCompare(y.node));
    assert.deepEqual(
      views.map((v) => [v.node, v.self, v.phase, v.state]),
      [
        ['node1', true, 'stable', 'running'],
        ['node2', false, 'stable', undefined],
      ],
    );
    assert.equal(typeof views[1]?.generation, 'number');
    assert.match(e?.text ?? '', /node1 keeps it \(the holder first from its home node\)/);
    assert.equal(sim.owners(g).length, 1);
  });
});
