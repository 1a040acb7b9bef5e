// The invariants checked on simulator scenarios: safety (never two owners of a group that can hear
// each other, checked after every simulated event) and convergence (every group runs on exactly one
// node, checked at a chosen moment). Violations are collected as readable lines, never thrown.
import type { ClusterConfig } from '../config/types.js';
import type { Simulator } from './simulator.js';

/** A simulator run and where its violations go. */
export interface CheckedRun {
  readonly sim: Simulator;
  readonly config: ClusterConfig;
  readonly violations: string[];
}

/**
 * Safety: whenever two live nodes both own a group (starting/running/stopping: the simulated
 * machines' truth, not anyone's belief) and they have been able to hear each other for longer than
 * `graceMs`, past initdead, that is a violation. The grace covers one heartbeat crossing after a
 * partition heals plus the losing side's release (hence the slowest simulated start and stop).
 */
export function installSafetyChecker(
  run: CheckedRun,
  acquireMs: readonly [number, number],
  releaseMs: readonly [number, number],
): void {
  const { sim, config, violations } = run;
  const graceMs = 3 * config.keepaliveMs + 20 + (acquireMs[1] + releaseMs[1]);
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

/** Every group runs on exactly one node (or on none when every live node failed to start it). */
export function checkConverged(run: CheckedRun, label: string): void {
  const { sim, config, violations } = run;
  const live = sim.nodes.filter((n) => n.core !== undefined);
  const any = live[0]?.core?.status();
  for (const g of config.resourceGroups) {
    const owners = sim.owners(g.id);
    const running = sim.runningOn(g.id);
    const failedOn = new Set(any?.groups.find((x) => x.id === g.id)?.failedOn ?? []);
    const allFailed = live.every((n) => failedOn.has(n.name));
    if (
      owners.length > 1 ||
      (owners.length === 0 && !allFailed) ||
      (owners.length === 1 && running.length !== 1)
    ) {
      violations.push(
        `${label}: ${g.id} owners [${owners.map((o) => `${sim.node(o).name}:${sim.node(o).resources.get(g.id)}`).join(', ')}] at ${sim.nowMs.toFixed(1)} ms`,
      );
    }
  }
}

/**
 * Never two holders (fencing configured): at no moment, past the first start, may two powered-on
 * nodes own one group, whether they can hear each other or not.
 */
export function installNeverTwoHolders(run: CheckedRun): void {
  const { sim, config, violations } = run;
  const reported = new Set<string>();
  const groups = config.resourceGroups.map((g) => g.id);
  sim.setChecker(() => {
    for (const g of groups) {
      const owners = sim.owners(g).filter((i) => sim.isUp(i));
      if (owners.length < 2) continue;
      const key = `${g}|${owners.join(',')}`;
      if (reported.has(key)) continue;
      reported.add(key);
      violations.push(
        `never two holders: ${g} owned by ${owners.map((i) => sim.node(i).name).join(' and ')} at ${sim.nowMs.toFixed(1)} ms`,
      );
    }
  });
}
