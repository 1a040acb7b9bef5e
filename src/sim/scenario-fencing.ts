// The fencing scenario: every node has a (simulated) fence device, and the strict invariant
// holds: at no moment do two powered-on nodes own one group, partitioned or not. Faults: crashes,
// restarts, two-way partitions (the fence race), one-way blocks, process pauses longer than
// deadtime, fence devices that fail for a while, standby/takeover, failing starts. After a quiet
// period (heal, devices fixed, every node started) every group runs on exactly one node.
import type { AutoFailback } from '../config/resource-config.js';
import { checkConverged, installNeverTwoHolders } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, startAll, drawConditions } from './scenario-harness.js';
import type { Harness, ScenarioOptions, ScenarioResult } from './scenario-harness.js';

function fault(h: Harness, what: number, i: number, j: number): void {
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
      sim.partition([i], [j]);
      break;
    case 4:
      sim.block(i, j);
      break;
    case 5:
      sim.healAll();
      break;
    case 6:
      sim.pause(i, rng.int(1, 3) * h.config.deadtimeMs);
      break;
    case 7:
      if (sim.fenceFails.has(i)) sim.fenceFails.delete(i);
      else sim.fenceFails.add(i);
      break;
    case 8:
      sim.admin(i, {
        kind: rng.int(0, 1) === 0 ? 'standby' : 'takeover',
        set: rng.pick(['all', 'local', 'foreign'] as const),
      });
      break;
    case 9: {
      const g = h.config.resourceGroups[rng.int(0, h.config.resourceGroups.length - 1)];
      if (g) sim.node(i).failNextStart.add(g.id);
      break;
    }
  }
}

export function fencingScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 4);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(4, 8);
  const autoFailback = pre.pick<AutoFailback>(['on', 'off']);
  const conditions = drawConditions(pre, media, { loss: 0.05, extraDelayMs: 5, duplicate: 0.02 });
  const h = harness(
    seed,
    {
      nodes,
      media,
      keepaliveMs,
      deadtimeMs,
      autoFailback,
      groups: pre.int(1, nodes + 1),
      authMethod: 'crc',
      fencing: true,
      fenceDelayMs: 1000,
    },
    conditions,
    options,
  );
  installNeverTwoHolders(h);
  const { sim, rng } = h;
  startAll(h, pre.int(0, 1) === 0 ? 0 : 2 * deadtimeMs);
  const faultsEndMs = 8000;
  let t = 1500;
  for (;;) {
    t += rng.int(200, 1200);
    if (t >= faultsEndMs) break;
    const i = rng.int(0, nodes - 1);
    const j = (i + rng.int(1, nodes - 1)) % nodes;
    const what = rng.int(0, 9);
    sim.at(t, () => fault(h, what, i, j));
  }
  sim.at(faultsEndMs + 1, () => {
    sim.healAll();
    sim.fenceFails.clear();
    for (let i = 0; i < nodes; i++) sim.start(i);
  });
  // Every node restarted by then must get through initdead; fencing retries back off up to 30 s.
  const endMs = faultsEndMs + 1 + 2 * deadtimeMs + 2 * 1000 + 3000;
  sim.runUntil(endMs);
  checkConverged(h, 'convergence after heal');
  return result(h, 'fencing', seed, countFalseDeaths(h));
}
