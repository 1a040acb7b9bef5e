// The arbiter scenario: a lease service every group needs (sim-arbiter.ts), no fencing, and the
// strict invariant: at no moment do two running nodes own one group, partitioned or not. Faults:
// crashes, restarts, heartbeat partitions (every node then thinks the other dead and asks for the
// key), one-way blocks, nodes cut from the arbiter (their lease lapses: they must let go within
// ttl/2), the arbiter cut from every node (holders keep holding only until their lease expires),
// process pauses shorter and longer than the lease ttl, standby/takeover and failing starts. After
// a quiet period (heal, arbiter back, every node started) every group runs on exactly one node.
//
// A node frozen past its lease's expiry cannot release while frozen: its resources keep running
// until it wakes, and another node may have the key by then. No lease can prevent that; the node
// releases the moment it runs again (before acting on anything else), and the fencing token tells
// services which holder is current. The invariant therefore skips a node while it is frozen and
// for one release time after a pause longer than ttl/2; everything else is checked at every event.
import type { AutoFailback } from '../config/resource-config.js';
import type { GroupId } from '../config/types.js';
import { checkConverged } from './invariants.js';
import { Prng } from './prng.js';
import {
  countFalseDeaths,
  harness,
  RELEASE_MS,
  result,
  startAll,
  drawConditions,
} from './scenario-harness.js';
import type { Harness, ScenarioOptions, ScenarioResult } from './scenario-harness.js';

const TTL_MS = 2000;

function fault(h: Harness, what: number, i: number, j: number, frozen: Map<number, number>): void {
  const { sim, rng } = h;
  const arbiter = sim.arbiter;
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
    case 6: {
      // Short (within ttl/2), around the deadline, and longer than the whole ttl.
      const ms = rng.pick([TTL_MS / 4, (TTL_MS * 3) / 5, TTL_MS * 1.5, TTL_MS * 3]);
      sim.pause(i, ms);
      // A second pause during one past the lease extends it: the exemption lasts until it ends.
      const earlier = frozen.get(i) ?? -Infinity;
      if (ms > TTL_MS / 2 || earlier > sim.nowMs)
        frozen.set(i, Math.max(earlier, sim.nowMs + ms + RELEASE_MS[1] + 1));
      break;
    }
    case 7:
      if (arbiter?.cut.has(i)) arbiter.cut.delete(i);
      else arbiter?.cut.add(i);
      sim.log(`arbiter ${arbiter?.cut.has(i) ? 'cut from' : 'reachable from'} ${sim.node(i).name}`);
      break;
    case 8:
      // The arbiter unreachable from every node for a while.
      for (let k = 0; k < h.config.nodes.length; k++) arbiter?.cut.add(k);
      sim.log('arbiter cut from every node');
      sim.at(sim.nowMs + rng.int(1, 3) * TTL_MS, () => {
        arbiter?.cut.clear();
        sim.log('arbiter reachable again');
      });
      break;
    case 9:
      sim.admin(i, {
        kind: rng.int(0, 1) === 0 ? 'standby' : 'takeover',
        set: rng.pick(['all', 'local', 'foreign'] as const),
      });
      break;
    case 10: {
      const g = h.config.resourceGroups[rng.int(0, h.config.resourceGroups.length - 1)];
      if (g) sim.node(i).failNextStart.add(g.id);
      break;
    }
  }
}

/** Never two holders among running nodes, a node frozen past its lease excepted (see above). */
function installArbiterInvariant(h: Harness, frozen: Map<number, number>): void {
  const { sim, config, violations } = h;
  const reported = new Set<string>();
  const groups: GroupId[] = config.resourceGroups.map((g) => g.id);
  let lastGrants = 0;
  const lastToken = new Map<GroupId, number>();
  sim.setChecker(() => {
    for (const g of groups) {
      const owners = sim
        .owners(g)
        .filter(
          (i) =>
            sim.isUp(i) && (frozen.get(i) ?? -Infinity) < sim.nowMs && sim.node(i).pausedUntilMs < sim.nowMs,
        );
      if (owners.length < 2) continue;
      const key = `${g}|${owners.join(',')}`;
      if (reported.has(key)) continue;
      reported.add(key);
      violations.push(
        `never two holders: ${g} owned by ${owners.map((i) => sim.node(i).name).join(' and ')} at ${sim.nowMs.toFixed(1)} ms`,
      );
    }
    // Fencing tokens only grow per group: a later holder always carries a larger one.
    const grants = sim.arbiter?.grants ?? [];
    for (; lastGrants < grants.length; lastGrants++) {
      const gr = grants[lastGrants];
      if (gr === undefined) continue;
      const before = lastToken.get(gr.group) ?? 0;
      if (gr.token <= before)
        violations.push(
          `fencing token for ${gr.group} went from ${before} to ${gr.token} at ${gr.atMs.toFixed(1)} ms`,
        );
      lastToken.set(gr.group, gr.token);
    }
  });
}

export function arbiterScenario(seed: number, options: ScenarioOptions): ScenarioResult {
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
      arbiterTtlMs: TTL_MS,
    },
    conditions,
    options,
  );
  const frozen = new Map<number, number>();
  installArbiterInvariant(h, frozen);
  const { sim, rng } = h;
  startAll(h, pre.int(0, 1) === 0 ? 0 : 2 * deadtimeMs);
  const faultsEndMs = 10_000;
  let t = 1500;
  for (;;) {
    t += rng.int(200, 1200);
    if (t >= faultsEndMs) break;
    const i = rng.int(0, nodes - 1);
    const j = (i + rng.int(1, nodes - 1)) % nodes;
    const what = rng.int(0, 10);
    sim.at(t, () => fault(h, what, i, j, frozen));
  }
  sim.at(faultsEndMs + 1, () => {
    sim.healAll();
    sim.arbiter?.cut.clear();
    for (let i = 0; i < nodes; i++) sim.start(i);
  });
  // A pause started just before may run 3 ttl; then initdead, leases to lapse and keys to be retried.
  const endMs = faultsEndMs + 1 + 3 * TTL_MS + 2 * deadtimeMs + 2 * TTL_MS + 2000;
  sim.runUntil(endMs);
  checkConverged(h, 'convergence after heal');
  return result(h, 'arbiter', seed, countFalseDeaths(h));
}
