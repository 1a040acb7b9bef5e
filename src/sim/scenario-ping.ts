// The ping-loss scenario (`ping_policy ipfail`): the node holding the first group loses a ping
// node every other node still reaches, and within deadping plus a move every group has left it
// for a node that reaches it; reachability comes back (groups may fail back, once); then every
// node loses it at once, and nothing moves for that (equal counts: no ping-pong). Then ping
// nodes flap at random per node, under the usual safety invariant, and the cluster converges.
import type { AutoFailback } from '../config/resource-config.js';
import type { GroupId } from '../config/types.js';
import { checkConverged } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, startAll } from './scenario-harness.js';
import type { Harness, ScenarioOptions, ScenarioResult } from './scenario-harness.js';

function owners(h: Harness): Map<GroupId, string> {
  const out = new Map<GroupId, string>();
  for (const g of h.config.resourceGroups) out.set(g.id, h.sim.owners(g.id).join(','));
  return out;
}

function setAll(h: Harness, target: number, reachable: boolean): void {
  for (let i = 0; i < h.config.nodes.length; i++) h.sim.setPingReachable(i, target, reachable);
}

/** Phase 1: the holder of the first group loses ping node 0; by `checkAtMs` it holds nothing. */
function holderLosesPing(h: Harness, atMs: number, checkAtMs: number): void {
  const { sim, config, violations } = h;
  const first = config.resourceGroups[0];
  if (first === undefined) return;
  let loser: number | undefined;
  sim.at(atMs, () => {
    loser = sim.runningOn(first.id)[0];
    if (loser !== undefined) sim.setPingReachable(loser, 0, false);
  });
  sim.at(checkAtMs, () => {
    if (loser === undefined) return;
    for (const g of config.resourceGroups) {
      const on = sim.owners(g.id);
      if (on.includes(loser) || on.length !== 1)
        violations.push(
          `ipfail: ${g.id} on [${on.map((i) => sim.node(i).name).join(', ')}] at ${sim.nowMs} ms, ${sim.node(loser).name} lost the ping node at ${atMs} ms`,
        );
    }
    sim.setPingReachable(loser, 0, true);
  });
}

/** Phase 2: every node loses ping node 0 at once: no group moves for it. */
function everybodyLosesPing(h: Harness, atMs: number, untilMs: number): void {
  const { sim, violations } = h;
  let before: Map<GroupId, string> | undefined;
  sim.at(atMs, () => {
    before = owners(h);
    setAll(h, 0, false);
  });
  for (let t = atMs + 50; t <= untilMs; t += 50) {
    sim.at(t, () => {
      const now = owners(h);
      for (const [g, was] of before ?? []) {
        if (now.get(g) !== was) {
          violations.push(
            `no ping-pong: ${g} moved from [${was}] to [${now.get(g) ?? ''}] at ${sim.nowMs} ms`,
          );
          before = now; // one line per move
        }
      }
    });
  }
  sim.at(untilMs + 1, () => setAll(h, 0, true));
}

export function pingLossScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 4);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(4, 8);
  const autoFailback = pre.pick<AutoFailback>(['on', 'off']);
  const pingTargets = pre.int(1, 2);
  const conditions = [{ loss: 0, delayMinMs: 0.5, delayMaxMs: 1 + pre.next() * 3, duplicate: 0 }];
  const h = harness(
    seed,
    {
      nodes,
      media: 1,
      keepaliveMs,
      deadtimeMs,
      autoFailback,
      groups: pre.int(1, nodes),
      authMethod: 'crc',
      pingTargets,
      pingPolicy: 'ipfail',
    },
    conditions,
    options,
  );
  const { sim, rng } = h;
  const deadpingMs = h.config.deadpingMs;
  startAll(h, 0);
  // Start-up: initdead, negotiation, placement.
  const t1 = h.config.initdeadMs + 2000;
  // Loss noticed after deadping, release + acquire, hbts_ping crossing: well within a second.
  const t1Check = t1 + deadpingMs + 1000;
  holderLosesPing(h, t1, t1Check);
  // Back: counts again after deadping of answers; failback (auto_failback on) settles.
  const t2 = t1Check + 2 * deadpingMs + 1500;
  const t2End = t2 + deadpingMs + 1500;
  everybodyLosesPing(h, t2, t2End);
  let t = t2End + 2 * deadpingMs + 1000;
  const flapsEndMs = t + 6000;
  for (;;) {
    t += rng.int(150, 1200);
    if (t >= flapsEndMs) break;
    const i = rng.int(0, nodes - 1);
    const target = rng.int(0, pingTargets - 1);
    const reachable = rng.int(0, 2) === 0;
    sim.at(t, () => sim.setPingReachable(i, target, reachable));
  }
  sim.at(flapsEndMs + 1, () => {
    for (let p = 0; p < pingTargets; p++) setAll(h, p, true);
  });
  sim.runUntil(flapsEndMs + 1 + 2 * deadpingMs + 2000);
  checkConverged(h, 'convergence after the flaps');
  return result(h, 'ping-loss', seed, countFalseDeaths(h));
}
