// `hbts why` reasons from a real core's status and events: a crash failover in the simulator (with
// fencing), then the home node's return under each failback policy.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { AutoFailback } from '../../../src/config/resource-config.js';
import { EventHistory } from '../../../src/daemon/event-history.js';
import { explainWhy } from '../../../src/daemon/why-explain.js';
import { realEndpoints } from '../../../src/sim/endpoints.js';
import { simClusterConfig, simGroupId } from '../../../src/sim/sim-config.js';
import { Simulator } from '../../../src/sim/simulator.js';

const G1 = simGroupId(0); // home node1

function crashFailover(autoFailback: AutoFailback, fencing: boolean): Simulator {
  const config = simClusterConfig({
    nodes: 2,
    media: 2,
    keepaliveMs: 100,
    deadtimeMs: 500,
    autoFailback,
    fencing,
    fenceDelayMs: 0,
  });
  const sim = new Simulator({ seed: 5, config, endpointFactory: realEndpoints, fenceMs: 200 });
  sim.start(0);
  sim.start(1);
  sim.runUntil(2000);
  assert.deepEqual(sim.runningOn(G1), [0]);
  sim.crash(0);
  sim.runUntil(5000);
  assert.deepEqual(sim.runningOn(G1), [1]);
  return sim;
}

/** node2's answer, its events stamped as the daemon would (wall clock from a fixed origin). */
function why(sim: Simulator, group?: string): string | undefined {
  const n = sim.node(1);
  const history = new EventHistory();
  for (const e of n.events) history.record(e, Date.parse('2026-11-29T18:00:00Z') + e.atMs);
  const core = n.core;
  assert.ok(core);
  return explainWhy(core.status(), history.since(0), group);
}

void test('why after a crash failover with fencing: where, policy, who died when, on which media, the fence', () => {
  const sim = crashFailover('on', true);
  const text = why(sim, G1) ?? '';
  const lines = text.split('\n');
  assert.equal(lines[0], `group ${G1} (home node1) runs on node2 (this node).`);
  assert.match(text, /auto_failback on: it moves back to node1 as soon as node1 is up again \(now dead\)\./);
  assert.match(text, /acquiring group .* \(failover from node1\)/);
  assert.match(text, /node1 was declared dead at 2026-11-29 18:00:0\d\.?\d*Z?:/);
  assert.match(text, /Link node1:.* dead\. \[/, 'the links lost are quoted with their medium');
  assert.match(text, /node node1: is dead \(silent for \d+ ms\)/);
  assert.match(text, /node1 fenced/, 'the fence outcome');
  // events in order: link deaths before the death, the fence after it
  const dead = text.indexOf('is dead (silent');
  assert.ok(text.indexOf('Link node1:') < dead && dead < text.indexOf('node1 fenced'));
  assert.match(text, /\(from the events of the daemon on node2 since it started at /);
});

void test('why under auto_failback off says the group stays, and how to move it', () => {
  const sim = crashFailover('off', false);
  sim.start(0);
  sim.runUntil(9000);
  assert.deepEqual(sim.runningOn(G1), [1], 'off: no failback');
  const text = why(sim, G1) ?? '';
  assert.match(text, /runs on node2 \(this node\)\./);
  assert.match(
    text,
    /auto_failback off: it stays on node2 even when node1 is up; move it with `hbts takeover` on node1 or `hbts standby` on node2\./,
  );
  assert.match(text, /node1 was declared dead at .* and was heard again at /);
  assert.doesNotMatch(text, /fenced/, 'no fencing configured, none quoted');
});

void test('why for every group, and an unknown group', () => {
  const sim = crashFailover('legacy', false);
  const all = why(sim) ?? '';
  assert.match(all, new RegExp(`^group ${G1} \\(home node1\\)`, 'm'));
  assert.match(all, new RegExp(`^group ${simGroupId(1)} \\(home node2\\) runs on node2`, 'm'));
  assert.match(all, /auto_failback legacy: node1 asks for it back when node1 starts/);
  assert.equal(why(sim, 'nope'), undefined);
});
