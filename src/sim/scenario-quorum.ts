// The quorum scenario: `quorum on`, no fencing, and the strict invariant all the same: at no
// moment do two powered-on nodes own one group. Partitions are clean splits into two sides (a
// non-transitive partition, where A hears B and B hears C but A not C, can give two overlapping
// majorities: quorum alone does not cover it, fencing does). With an even node count, or at
// random, one ping node is the tiebreaker and only one side of each split reaches it. Faults:
// crashes, restarts, splits, heals, graceful stops, standby/takeover, failing starts; no loss
// (a false death from loss inside a connected majority is what fencing is for), no pauses.
import type { AutoFailback } from '../config/resource-config.js';
import { checkConverged, installNeverTwoHolders } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, startAll, drawConditions } from './scenario-harness.js';
import type { Harness, ScenarioOptions, ScenarioResult } from './scenario-harness.js';

/** Every node reaches every ping node again. */
function pingForAll(h: Harness): void {
  for (let i = 0; i < h.config.nodes.length; i++)
    for (let t = 0; t < h.config.pingTargets.length; t++) h.sim.setPingReachable(i, t, true);
}

/** Heal, then cut the cluster in two random non-empty sides; the ping node stays with one side. */
function split(h: Harness): void {
  const { sim, rng } = h;
  const n = h.config.nodes.length;
  sim.healAll();
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const cut = rng.int(1, n - 1);
  const sideA = order.slice(0, cut);
  const sideB = order.slice(cut);
  sim.partition(sideA, sideB);
  const pingSide = rng.int(0, 1) === 0 ? sideA : sideB;
  for (let i = 0; i < n; i++)
    for (let t = 0; t < h.config.pingTargets.length; t++) sim.setPingReachable(i, t, pingSide.includes(i));
}

function fault(h: Harness, what: number, i: number): void {
  const { sim, rng } = h;
  switch (what) {
    case 0:
      sim.crash(i);
      break;
    case 1:
    case 2:
      sim.start(i);
      break;
    case 3:
    case 4:
      split(h);
      break;
    case 5:
      sim.healAll();
      pingForAll(h);
      break;
    case 6:
      sim.admin(i, {
        kind: rng.int(0, 1) === 0 ? 'standby' : 'takeover',
        set: rng.pick(['all', 'local', 'foreign'] as const),
      });
      break;
    case 7:
      sim.admin(i, { kind: 'shutdown' });
      break;
    case 8: {
      const g = h.config.resourceGroups[rng.int(0, h.config.resourceGroups.length - 1)];
      if (g) sim.node(i).failNextStart.add(g.id);
      break;
    }
  }
}

export function quorumScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(6, 10);
  const autoFailback = pre.pick<AutoFailback>(['on', 'off']);
  const tiebreaker = nodes % 2 === 0 || pre.int(0, 1) === 0;
  const conditions = drawConditions(pre, media, { loss: 0, extraDelayMs: 5, duplicate: 0.02 });
  const h = harness(
    seed,
    {
      nodes,
      media,
      keepaliveMs,
      deadtimeMs,
      // The minority notices at warntime and has the rest of deadtime to release.
      warntimeMs: deadtimeMs / 2,
      autoFailback,
      groups: pre.int(1, nodes + 1),
      authMethod: 'crc',
      quorum: true,
      pingTargets: tiebreaker ? 1 : 0,
    },
    conditions,
    options,
  );
  installNeverTwoHolders(h);
  const { sim, rng } = h;
  startAll(h, pre.int(0, 1) === 0 ? 0 : 2 * deadtimeMs);
  const faultsEndMs = 9000;
  let t = 1500;
  for (;;) {
    t += rng.int(300, 1500);
    if (t >= faultsEndMs) break;
    const i = rng.int(0, nodes - 1);
    const what = rng.int(0, 8);
    sim.at(t, () => fault(h, what, i));
  }
  sim.at(faultsEndMs + 1, () => {
    sim.healAll();
    pingForAll(h);
    for (let i = 0; i < nodes; i++) sim.start(i);
  });
  sim.runUntil(faultsEndMs + 1 + 2 * deadtimeMs + 3000);
  checkConverged(h, 'convergence after heal');
  return result(h, 'quorum', seed, countFalseDeaths(h));
}
