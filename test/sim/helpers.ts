// Runs a scenario over a range of seeds and fails with the replay commands of the failing ones.
import assert from 'node:assert/strict';
import { runScenario } from '../../src/sim/scenarios.js';
import type { ScenarioName, ScenarioResult } from '../../src/sim/scenarios.js';

export const SEEDS = 2000;

export function runSeeds(scenario: ScenarioName, count = SEEDS, first = 1): ScenarioResult[] {
  const results: ScenarioResult[] = [];
  for (let seed = first; seed < first + count; seed++) results.push(runScenario(scenario, seed));
  return results;
}

export function assertNoViolations(results: readonly ScenarioResult[]): void {
  const failing = results.filter((r) => r.violations.length > 0);
  assert.equal(
    failing.length,
    0,
    failing
      .slice(0, 5)
      .map(
        (r) =>
          `seed ${r.seed}: ${r.violations.slice(0, 2).join('; ')}\n  replay: npm run sim -- --scenario ${r.scenario} --seed ${r.seed} --trace`,
      )
      .join('\n'),
  );
}
