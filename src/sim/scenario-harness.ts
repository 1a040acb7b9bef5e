// What a named simulator scenario is: its name, options and result, and the harness every scenario
// builds on (a simulator on a generated cluster config with the safety checker installed, a PRNG
// for fault schedules, and the end-of-run summary). Each run is a pure function of
// (scenario, seed, options): a failing seed replays exactly, with a trace when asked.
import type { AutoFailback } from '../config/resource-config.js';
import type { GroupId } from '../config/types.js';
import { realEndpoints } from './endpoints.js';
import type { EndpointFactory } from './endpoints.js';
import { installSafetyChecker } from './invariants.js';
import type { CheckedRun } from './invariants.js';
import type { MediumConditions } from './network.js';
import { Prng } from './prng.js';
import { simClusterConfig } from './sim-config.js';
import { Simulator } from './simulator.js';

export const scenarioNames = [
  'random',
  'liveness',
  'stability',
  'failback-on',
  'failback-off',
  'false-death',
  'false-death-rexmit',
  'fencing',
  'monitor',
  'quorum',
  'ping-loss',
  'arbiter',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface ScenarioOptions {
  /** Node count; random scenarios pick 2-5 when undefined. */
  readonly nodes?: number;
  readonly trace?: boolean;
  /** Hash the canonical trace (ScenarioResult.traceHash). */
  readonly traceHash?: boolean;
  readonly endpointFactory?: EndpointFactory;
  /** Called with the simulator before it runs (debugging: schedule status dumps, extra checks). */
  readonly inspect?: (sim: Simulator) => void;
}

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly nodes: number;
  readonly violations: string[];
  /** Peer-dead declarations about a node that was up and connected (false deaths). */
  readonly falseDeaths: number;
  /** Heartbeats (status messages) the nodes received, for rates. */
  readonly heartbeatsReceived: number;
  readonly virtualMs: number;
  readonly packets: number;
  readonly trace: string[];
  /** sha256 of the canonical trace, when asked for with `traceHash`. */
  readonly traceHash: string | undefined;
}

/** How long a simulated group start / stop takes (uniform in the range). */
export const ACQUIRE_MS: readonly [number, number] = [20, 60];
export const RELEASE_MS: readonly [number, number] = [10, 40];

export interface Harness extends CheckedRun {
  readonly rng: Prng;
}

export interface HarnessShape {
  nodes: number;
  media: number;
  keepaliveMs: number;
  deadtimeMs: number;
  autoFailback: AutoFailback;
  groups?: number;
  authMethod?: 'crc' | 'md5' | 'sha1';
  maxRexmitDelayMs?: number;
  fencing?: boolean;
  fenceDelayMs?: number;
  monitor?: { intervalMs: number; timeoutMs: number };
  warntimeMs?: number;
  quorum?: boolean;
  pingTargets?: number;
  pingPolicy?: 'off' | 'ipfail';
  arbiterTtlMs?: number;
}

export function harness(
  seed: number,
  shape: HarnessShape,
  conditions: MediumConditions[],
  options: ScenarioOptions,
): Harness {
  const config = simClusterConfig({ ...shape, authMethod: shape.authMethod ?? 'sha1' });
  const violations: string[] = [];
  const sim = new Simulator({
    seed,
    config,
    endpointFactory: options.endpointFactory ?? realEndpoints,
    media: conditions,
    acquireMs: ACQUIRE_MS,
    releaseMs: RELEASE_MS,
    trace: options.trace ?? false,
    traceHash: options.traceHash ?? false,
  });
  installSafetyChecker({ sim, config, violations }, ACQUIRE_MS, RELEASE_MS);
  options.inspect?.(sim);
  return { sim, config, violations, rng: new Prng(seed ^ 0x5bd1e995) };
}

export function countFalseDeaths(h: Harness): number {
  return h.sim.falseDeaths;
}

/** Ends the run (banks the live cores' counters) and summarises it. */
export function result(
  h: Harness,
  scenario: ScenarioName,
  seed: number,
  falseDeaths: number,
): ScenarioResult {
  h.sim.finish();
  let heartbeats = 0;
  for (const n of h.sim.nodes) heartbeats += n.heartbeatsReceived;
  return {
    scenario,
    seed,
    nodes: h.config.nodes.length,
    violations: h.violations,
    falseDeaths,
    heartbeatsReceived: heartbeats,
    virtualMs: h.sim.nowMs,
    packets: h.sim.deliveredPackets,
    trace: h.sim.trace,
    traceHash: h.sim.traceDigest(),
  };
}

/** The one node where the group runs, or undefined when it runs on none or several. */
export function runningOwner(h: Harness, g: GroupId): number | undefined {
  const r = h.sim.runningOn(g);
  return r.length === 1 ? r[0] : undefined;
}

/** Schedules every node's start, at 0 or at random times within `spreadMs`. */
export function startAll(h: Harness, spreadMs: number): void {
  for (let i = 0; i < h.config.nodes.length; i++) {
    const at = spreadMs > 0 ? h.rng.int(0, spreadMs) : 0;
    h.sim.at(at, () => h.sim.start(i));
  }
}

/**
 * Random conditions for each medium, drawn from `pre` in a fixed order (loss unless `loss` is 0,
 * the delay spread, duplication), so that every scenario's seeds replay exactly.
 */
export function drawConditions(
  pre: Prng,
  media: number,
  max: { readonly loss: number; readonly extraDelayMs: number; readonly duplicate: number },
): MediumConditions[] {
  return Array.from({ length: media }, () => ({
    loss: max.loss > 0 ? pre.next() * max.loss : 0,
    delayMinMs: 0.5,
    delayMaxMs: 1 + pre.next() * max.extraDelayMs,
    duplicate: pre.next() * max.duplicate,
  }));
}
