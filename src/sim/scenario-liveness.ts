// The liveness scenario: after the owner of a group crashes, a survivor must run each of its
// groups within deadtime plus one keepalive plus the slowest start.
import type { AutoFailback } from '../config/resource-config.js';
import type { GroupId } from '../config/types.js';
import { Prng } from './prng.js';
import {
  ACQUIRE_MS,
  countFalseDeaths,
  harness,
  result,
  runningOwner,
  startAll,
  drawConditions,
} from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

/** Crash the owner of a random group; a survivor must run each of its groups in time. */
export function livenessScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(3, 8);
  const conditions = drawConditions(pre, media, { loss: 0.05, extraDelayMs: 9, duplicate: 0.05 });
  const autoFailback = pre.pick<AutoFailback>(['on', 'off', 'legacy']);
  const h = harness(
    seed,
    { nodes, media, keepaliveMs, deadtimeMs, autoFailback, groups: pre.int(1, nodes + 1), authMethod: 'crc' },
    conditions,
    options,
  );
  const { sim, rng } = h;
  startAll(h, 0);
  const crashAtMs = 1000 + rng.int(0, 1000);
  const deadlineMs = crashAtMs + deadtimeMs + keepaliveMs + ACQUIRE_MS[1];
  let victimGroups: GroupId[] = [];
  sim.at(crashAtMs, () => {
    const owned = h.config.resourceGroups.map((g) => runningOwner(h, g.id));
    const candidates = owned.filter((o): o is number => o !== undefined);
    if (candidates.length === 0) {
      h.violations.push(`liveness: no group runs anywhere at ${crashAtMs} ms`);
      return;
    }
    const victim = rng.pick(candidates);
    victimGroups = h.config.resourceGroups.filter((g, k) => owned[k] === victim).map((g) => g.id);
    sim.crash(victim);
  });
  sim.at(deadlineMs, () => {
    for (const g of victimGroups) {
      if (runningOwner(h, g) === undefined) {
        h.violations.push(
          `liveness: ${g} not running on a survivor ${deadlineMs - crashAtMs} ms after its owner crashed (deadtime ${deadtimeMs})`,
        );
      }
    }
  });
  sim.runUntil(deadlineMs + 1);
  return result(h, 'liveness', seed, countFalseDeaths(h));
}
