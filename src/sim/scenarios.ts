// Named simulator scenarios: the catalogue and the one entry point that runs them. The harness and
// result types live in scenario-harness.ts, the invariants in invariants.ts, each scenario family
// in its own scenario-*.ts. Each run is a pure function of (scenario, seed, options): a failing
// seed replays exactly, with a trace when asked.
import { failbackScenario } from './scenario-failback.js';
import { falseDeathScenario } from './scenario-false-death.js';
import { arbiterScenario } from './scenario-arbiter.js';
import { fencingScenario } from './scenario-fencing.js';
import type { ScenarioName, ScenarioOptions, ScenarioResult } from './scenario-harness.js';
import { livenessScenario } from './scenario-liveness.js';
import { monitorScenario } from './scenario-monitor.js';
import { pingLossScenario } from './scenario-ping.js';
import { quorumScenario } from './scenario-quorum.js';
import { randomScenario } from './scenario-random.js';
import { stabilityScenario } from './scenario-stability.js';

export { predictedFalseDeathPerHeartbeat } from './scenario-false-death.js';
export { scenarioNames } from './scenario-harness.js';
export type { ScenarioName, ScenarioOptions, ScenarioResult } from './scenario-harness.js';

export function runScenario(name: ScenarioName, seed: number, options: ScenarioOptions = {}): ScenarioResult {
  switch (name) {
    case 'random':
      return randomScenario(seed, options);
    case 'liveness':
      return livenessScenario(seed, options);
    case 'stability':
      return stabilityScenario(seed, options);
    case 'failback-on':
      return failbackScenario(seed, 'on', options);
    case 'failback-off':
      return failbackScenario(seed, 'off', options);
    case 'false-death':
      return falseDeathScenario(seed, false, options);
    case 'false-death-rexmit':
      return falseDeathScenario(seed, true, options);
    case 'fencing':
      return fencingScenario(seed, options);
    case 'monitor':
      return monitorScenario(seed, options);
    case 'quorum':
      return quorumScenario(seed, options);
    case 'ping-loss':
      return pingLossScenario(seed, options);
    case 'arbiter':
      return arbiterScenario(seed, options);
  }
}
