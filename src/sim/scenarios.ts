// Named simulator scenarios and the invariants checked on them. Each run is a pure function of
// (scenario, seed, options): a failing seed replays exactly, with a trace when asked.
import type { AutoFailback, ClusterConfig, GroupId } from '../config/types.js';
import { realEndpoints } from './endpoints.js';
import { Prng } from './prng.js';
import { simClusterConfig } from './sim-config.js';
import type { EndpointFactory, MediumConditions } from './simulator.js';
import { Simulator } from './simulator.js';

export const scenarioNames = [
  'random',
  'liveness',
  'stability',
  'failback-on',
  'failback-off',
  'false-death',
  'false-death-rexmit',
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

const ACQUIRE_MS: readonly [number, number] = [20, 60];
const RELEASE_MS: readonly [number, number] = [10, 40];

interface Harness {
  readonly sim: Simulator;
  readonly config: ClusterConfig;
  readonly violations: string[];
  readonly rng: Prng;
}

/**
 * Safety: whenever two live nodes both own a group (starting/running/stopping: the simulated
 * machines' truth, not anyone's belief) and they have been able to hear each other for longer than
 * `graceMs`, past initdead, that is a violation. The grace covers one heartbeat crossing after a
 * partition heals plus the losing side's release.
 */
function installSafetyChecker(sim: Simulator, config: ClusterConfig, violations: string[]): void {
  const graceMs = 3 * config.keepaliveMs + 20 + (ACQUIRE_MS[1] + RELEASE_MS[1]);
  const fromMs = config.initdeadMs + graceMs;
  const reported = new Set<string>();
  const groups = config.resourceGroups.map((g) => g.id);
  sim.setChecker(() => {
    if (sim.nowMs < fromMs) return;
    for (const g of groups) {
      const owners = sim.owners(g);
      if (owners.length < 2) continue;
      for (let i = 0; i < owners.length; i++) {
        for (let j = i + 1; j < owners.length; j++) {
          const a = owners[i] ?? 0;
          const b = owners[j] ?? 0;
          if (!sim.isUp(a) || !sim.isUp(b)) continue;
          if (sim.connectedForMs(a, b) <= graceMs) continue;
          const key = `${g}|${a}|${b}`;
          if (reported.has(key)) continue;
          reported.add(key);
          violations.push(
            `safety: ${g} owned by ${sim.node(a).name} and ${sim.node(b).name} at ${sim.nowMs.toFixed(1)} ms while they could hear each other`,
          );
        }
      }
    }
  });
}

function harness(
  seed: number,
  shape: {
    nodes: number;
    media: number;
    keepaliveMs: number;
    deadtimeMs: number;
    autoFailback: AutoFailback;
    groups?: number;
    authMethod?: 'crc' | 'md5' | 'sha1';
    maxRexmitDelayMs?: number;
  },
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
  installSafetyChecker(sim, config, violations);
  options.inspect?.(sim);
  return { sim, config, violations, rng: new Prng(seed ^ 0x5bd1e995) };
}

function countFalseDeaths(h: Harness): number {
  return h.sim.falseDeaths;
}

function result(h: Harness, scenario: ScenarioName, seed: number, falseDeaths: number): ScenarioResult {
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

function runningOwner(h: Harness, g: GroupId): number | undefined {
  const r = h.sim.runningOn(g);
  return r.length === 1 ? r[0] : undefined;
}

function startAll(h: Harness, spreadMs: number): void {
  for (let i = 0; i < h.config.nodes.length; i++) {
    const at = spreadMs > 0 ? h.rng.int(0, spreadMs) : 0;
    h.sim.at(at, () => h.sim.start(i));
  }
}

/** Every group runs on exactly one node (or on none when every live node failed to start it). */
function checkConverged(h: Harness, label: string): void {
  const live = h.sim.nodes.filter((n) => n.core !== undefined);
  const any = live[0]?.core?.status();
  for (const g of h.config.resourceGroups) {
    const owners = h.sim.owners(g.id);
    const running = h.sim.runningOn(g.id);
    const failedOn = new Set(any?.groups.find((x) => x.id === g.id)?.failedOn ?? []);
    const allFailed = live.every((n) => failedOn.has(n.name));
    if (
      owners.length > 1 ||
      (owners.length === 0 && !allFailed) ||
      (owners.length === 1 && running.length !== 1)
    ) {
      h.violations.push(
        `${label}: ${g.id} owners [${owners.map((o) => `${h.sim.node(o).name}:${h.sim.node(o).resources.get(g.id)}`).join(', ')}] at ${h.sim.nowMs.toFixed(1)} ms`,
      );
    }
  }
}

// ------------------------------------------------------------------------------------------------

function randomScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(5, 8);
  const autoFailback = pre.pick<AutoFailback>(['on', 'off', 'legacy']);
  const conditions = Array.from({ length: media }, () => ({
    loss: pre.next() * 0.1,
    delayMinMs: 0.5,
    delayMaxMs: 1 + pre.next() * 9,
    duplicate: pre.next() * 0.05,
  }));
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

/** Crash the owner of a random group; a survivor must run each of its groups in time. */
function livenessScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const media = pre.int(1, 2);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(3, 8);
  const conditions = Array.from({ length: media }, () => ({
    loss: pre.next() * 0.05,
    delayMinMs: 0.5,
    delayMaxMs: 1 + pre.next() * 9,
    duplicate: pre.next() * 0.05,
  }));
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

/** 10% loss on each of two media, deadtime = 5 x keepalive: nobody dies, nothing moves. */
function stabilityScenario(seed: number, options: ScenarioOptions): ScenarioResult {
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

/** The home node of a group crashes and comes back: on = the group returns home, off = it stays. */
function failbackScenario(seed: number, mode: 'on' | 'off', options: ScenarioOptions): ScenarioResult {
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

/**
 * One medium at 30% loss, deadtime = 3 x keepalive, 2 nodes: count false deaths (measured, not an
 * invariant). `rexmit` false = retransmission requests disabled, the pure loss model the prediction
 * describes; true = real behaviour, where a retransmitted heartbeat also proves the peer alive.
 */
function falseDeathScenario(seed: number, rexmit: boolean, options: ScenarioOptions): ScenarioResult {
  const keepaliveMs = 100;
  const h = harness(
    seed,
    {
      nodes: options.nodes ?? 2,
      media: 1,
      keepaliveMs,
      deadtimeMs: 3 * keepaliveMs,
      autoFailback: 'off',
      authMethod: 'crc',
      // No groups: ownership changes would add extra heartbeats outside the keepalive rhythm.
      groups: 0,
      ...(rexmit ? {} : { maxRexmitDelayMs: 1e9 }),
    },
    [{ loss: 0.3, delayMinMs: 0.5, delayMaxMs: 5, duplicate: 0 }],
    options,
  );
  startAll(h, 0);
  h.sim.runUntil(10_000);
  // Split brain is expected here; only the measurement matters.
  h.violations.length = 0;
  return result(h, rexmit ? 'false-death-rexmit' : 'false-death', seed, countFalseDeaths(h));
}

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
  }
}

/**
 * Loss model for the false-death scenario: statuses are sent every keepalive; after one arrives at
 * delay d0, the peer is declared dead at +deadtime unless a later one arrives first. With deadtime
 * = k x keepalive, heartbeats 1..k-1 lost always kill; heartbeat k arrives exactly at the deadline
 * plus (dk - d0), i.e. too late half the time with i.i.d. jitter. Per received heartbeat:
 *   P(false death) = p^(k-1) * (p + (1 - p) / 2)       (jitter-aware)
 * versus the naive p^k when the k-th heartbeat is always in time.
 */
export function predictedFalseDeathPerHeartbeat(
  loss: number,
  deadtimeOverKeepalive: number,
): {
  jitterAware: number;
  naive: number;
} {
  const k = deadtimeOverKeepalive;
  return { jitterAware: loss ** (k - 1) * (loss + (1 - loss) / 2), naive: loss ** k };
}
