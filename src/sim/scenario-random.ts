// The random fault scenario: a random cluster shape and lossy media, then random faults (crashes,
// graceful stops, restarts, one- and two-way partitions, heals, standby/takeover, failing starts)
// for six seconds; safety is checked throughout and, after a quiet period, convergence.
import type { AutoFailback } from '../config/resource-config.js';
import { checkConverged } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, startAll, drawConditions } from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

export function randomScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(5, 8);
  const autoFailback = pre.pick<AutoFailback>(['on', 'off', 'legacy']);
  const conditions = drawConditions(pre, media, { loss: 0.1, extraDelayMs: 9, duplicate: 0.05 });
  const h = harness(
    seed,
    { nodes, media, keepaliveMs, deadtimeMs, autoFailback, groups: pre.int(1, nodes + 1), authMethod: 'crc' },
    conditions,
    options,
  );
  const { sim, rng } = h;
  startAll(h, pre.int(0, 1) === 0 ? 0 : 2 * deadtimeMs);
  const faultsEndMs = 6000;
  let t = 1500;
  for (;;) {
    t += rng.int(100, 900);
    if (t >= faultsEndMs) break;
    const i = rng.int(0, nodes - 1);
    const j = (i + rng.int(1, nodes - 1)) % nodes;
    const what = rng.int(0, 9);
    sim.at(t, () => {
      switch (what) {
        case 0:
          sim.crash(i);
          break;
        case 1:
          sim.admin(i, { kind: 'shutdown' });
          break;
        case 2:
        case 3:
          sim.start(i);
          break;
        case 4:
          sim.block(i, j);
          sim.block(j, i);
          break;
        case 5:
          sim.block(i, j);
          break;
        case 6:
          sim.healAll();
          break;
        case 7:
          sim.admin(i, { kind: 'standby', set: rng.pick(['all', 'local', 'foreign'] as const) });
          break;
        case 8:
          sim.admin(i, { kind: 'takeover', set: rng.pick(['all', 'local', 'foreign'] as const) });
          break;
        case 9: {
          const g = h.config.resourceGroups[rng.int(0, h.config.resourceGroups.length - 1)];
          if (g) sim.node(i).failNextStart.add(g.id);
          break;
        }
      }
    });
  }
  // Quiet period: heal, bring everybody up, let it settle, then everything must have converged.
  sim.at(faultsEndMs + 1, () => {
    sim.healAll();
    for (let i = 0; i < nodes; i++) sim.start(i);
  });
  const endMs = faultsEndMs + 1 + 2 * deadtimeMs + 4 * keepaliveMs + 500;
  sim.runUntil(endMs);
  checkConverged(h, 'convergence after heal');
  return result(h, 'random', seed, countFalseDeaths(h));
}
