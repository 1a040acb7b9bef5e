// The stability scenario: lossy but working media must not kill anyone or move any group.
import { checkConverged } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, startAll } from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

/** 10% loss on each of two media, deadtime = 5 x keepalive: nobody dies, nothing moves. */
export function stabilityScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 4);
  const keepaliveMs = 100;
  const cond = { loss: 0.1, delayMinMs: 0.5, delayMaxMs: 5, duplicate: 0 };
  const h = harness(
    seed,
    {
      nodes,
      media: 2,
      keepaliveMs,
      deadtimeMs: 5 * keepaliveMs,
      autoFailback: pre.pick(['on', 'off'] as const),
    },
    [cond, { ...cond }],
    options,
  );
  startAll(h, 0);
  const settleMs = 1000;
  const endMs = settleMs + 6000;
  h.sim.runUntil(endMs);
  for (const n of h.sim.nodes) {
    for (const e of n.events) {
      if (e.kind === 'peer-dead')
        h.violations.push(`stability: ${n.name} at ${e.atMs.toFixed(1)}: ${e.text}`);
      if (e.atMs > settleMs && (e.kind === 'takeover' || e.kind === 'release')) {
        h.violations.push(`stability: group moved: ${n.name} at ${e.atMs.toFixed(1)}: ${e.text}`);
      }
    }
  }
  checkConverged(h, 'stability');
  return result(h, 'stability', seed, countFalseDeaths(h));
}
