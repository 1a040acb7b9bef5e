// The failback scenarios: where a group goes when its home node crashes and where it goes when the
// home node returns, with auto_failback on and off.
import type { GroupId } from '../config/types.js';
import { Prng } from './prng.js';
import {
  ACQUIRE_MS,
  countFalseDeaths,
  harness,
  RELEASE_MS,
  result,
  runningOwner,
  startAll,
} from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

/** The home node of a group crashes and comes back: on = the group returns home, off = it stays. */
export function failbackScenario(seed: number, mode: 'on' | 'off', options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(3, 6);
  const cond = { loss: pre.next() * 0.03, delayMinMs: 0.5, delayMaxMs: 1 + pre.next() * 5, duplicate: 0.01 };
  const h = harness(
    seed,
    { nodes, media: 2, keepaliveMs, deadtimeMs, autoFailback: mode, authMethod: 'crc' },
    [cond, { ...cond }],
    options,
  );
  const { sim, rng } = h;
  startAll(h, 0);
  const victim = rng.int(0, nodes - 1);
  const home = h.config.resourceGroups.filter((g) => g.homeNode === sim.node(victim).name).map((g) => g.id);
  const crashAtMs = 1000;
  const restartAtMs = crashAtMs + deadtimeMs + 600;
  const checkAtMs = restartAtMs + 3 * keepaliveMs + ACQUIRE_MS[1] + RELEASE_MS[1] + 100;
  const movedTo = new Map<GroupId, number | undefined>();
  sim.at(crashAtMs - 1, () => {
    for (const g of home) {
      if (runningOwner(h, g) !== victim)
        h.violations.push(`failback: ${g} not on its home node before the crash`);
    }
  });
  sim.at(crashAtMs, () => sim.crash(victim));
  sim.at(restartAtMs - 1, () => {
    for (const g of home) movedTo.set(g, runningOwner(h, g));
  });
  sim.at(restartAtMs, () => sim.start(victim));
  sim.at(checkAtMs, () => {
    for (const g of home) {
      const now = runningOwner(h, g);
      const before = movedTo.get(g);
      if (before === undefined || before === victim) h.violations.push(`failback: ${g} did not fail over`);
      else if (mode === 'on' && now !== victim) {
        h.violations.push(
          `failback on: ${g} runs on ${now === undefined ? 'nothing' : sim.node(now).name}, not home`,
        );
      } else if (mode === 'off' && now !== before) {
        h.violations.push(
          `failback off: ${g} moved from ${sim.node(before).name} when its home node returned`,
        );
      }
    }
  });
  sim.runUntil(checkAtMs + 1);
  return result(h, mode === 'on' ? 'failback-on' : 'failback-off', seed, countFalseDeaths(h));
}
