// The health-check scenario: a group's service dies while its node stays up. Once: restarted in
// place, the group never moves. Again within the window: it moves to another node, once. Then the
// service breaks on every node (some checks hang instead of answering): it moves at most once per
// node and ends down everywhere, reported, with no ping-pong; `hbts cleanup` on one node after the
// repair brings it back on exactly one node. The safety checker watches for a double start
// throughout; the other groups must not move at all.
import type { GroupId } from '../config/types.js';
import { checkConverged } from './invariants.js';
import { Prng } from './prng.js';
import { countFalseDeaths, harness, result, runningOwner, startAll } from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

const INTERVAL_MS = 200;
const TIMEOUT_MS = 100;

export function monitorScenario(seed: number, options: ScenarioOptions): ScenarioResult {
  const pre = new Prng(seed);
  const nodes = options.nodes ?? pre.int(2, 5);
  const keepaliveMs = 100;
  const deadtimeMs = keepaliveMs * pre.int(3, 6);
  const autoFailback = pre.next() < 0.5 ? 'on' : 'off';
  const cond = { loss: pre.next() * 0.02, delayMinMs: 0.5, delayMaxMs: 1 + pre.next() * 5, duplicate: 0.01 };
  const h = harness(
    seed,
    {
      nodes,
      media: 2,
      keepaliveMs,
      deadtimeMs,
      autoFailback,
      authMethod: 'crc',
      monitor: { intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS },
    },
    [cond, { ...cond }],
    options,
  );
  const { sim, rng, violations } = h;
  const g = h.config.resourceGroups[0]?.id;
  if (g === undefined) throw new Error('monitor scenario: no group');
  const others = h.config.resourceGroups.slice(1).map((x) => x.id);
  startAll(h, 0);

  const events = (i: number, kind: string, fromMs: number): number =>
    sim.node(i).events.filter((e) => e.kind === kind && e.group === g && e.atMs >= fromMs).length;
  const ownerNow = (label: string): number | undefined => {
    const o = runningOwner(h, g);
    if (o === undefined)
      violations.push(`monitor: ${label}: ${g} runs on [${sim.runningOn(g).join(', ')}] at ${sim.nowMs} ms`);
    return o;
  };
  const homeOf = new Map<GroupId, number | undefined>();
  let first: number | undefined;
  let second: number | undefined;

  // 1. The service dies once: restarted in place, on the same node.
  const killAtMs = Math.max(2000, h.config.initdeadMs + 1000);
  sim.at(killAtMs, () => {
    for (const o of others) homeOf.set(o, runningOwner(h, o));
    first = ownerNow('before the first kill');
    if (first !== undefined) sim.node(first).serviceDead.add(g);
  });
  const afterRestartMs = killAtMs + INTERVAL_MS + 5 + 60 + INTERVAL_MS;
  sim.at(afterRestartMs, () => {
    const now = ownerNow('after the restart in place');
    if (first !== undefined && now !== first)
      violations.push(`monitor: ${g} moved instead of restarting in place`);
    if (first !== undefined && events(first, 'restarted', killAtMs) !== 1)
      violations.push(`monitor: ${sim.node(first).name} did not restart ${g} in place exactly once`);
    for (let i = 0; i < nodes; i++)
      if (events(i, 'acquired', killAtMs) > 0)
        violations.push(`monitor: ${sim.node(i).name} acquired ${g} after a restart in place`);
  });

  // 2. It dies again within the window: the group moves, once, to another node.
  const secondKillMs = afterRestartMs + 100;
  sim.at(secondKillMs, () => {
    if (first !== undefined) sim.node(first).serviceDead.add(g);
  });
  const afterMoveMs = secondKillMs + INTERVAL_MS + 5 + 40 + 3 * keepaliveMs + 60 + 200;
  sim.at(afterMoveMs, () => {
    second = ownerNow('after the move');
    if (second !== undefined && second === first)
      violations.push(`monitor: ${g} did not move after its restart budget`);
    let acquired = 0;
    for (let i = 0; i < nodes; i++) acquired += events(i, 'acquired', secondKillMs);
    if (acquired !== 1)
      violations.push(`monitor: ${g} was acquired ${acquired} times after the second kill, not once`);
  });

  // 3. Broken on every node (some checks hang): at most one start per node, then down everywhere.
  const breakAtMs = afterMoveMs + 100;
  sim.at(breakAtMs, () => {
    for (let i = 0; i < nodes; i++) {
      const n = sim.node(i);
      n.serviceBroken.add(g);
      if (rng.next() < 0.3) n.checkHangs.add(g);
      if (n.resources.get(g) === 'running') n.serviceDead.add(g);
    }
  });
  const perNodeMs = 60 + 2 * (INTERVAL_MS + TIMEOUT_MS) + 60 + 40 + 3 * keepaliveMs + 100;
  const downAtMs = breakAtMs + nodes * perNodeMs + 1000;
  sim.at(downAtMs, () => {
    if (sim.owners(g).length > 0)
      violations.push(
        `monitor: ${g} still owned by ${sim
          .owners(g)
          .map((i) => sim.node(i).name)
          .join(', ')} when broken everywhere`,
      );
    for (let i = 0; i < nodes; i++) {
      const starts = events(i, 'acquired', breakAtMs);
      if (starts > 1)
        violations.push(
          `monitor: ping-pong: ${sim.node(i).name} started ${g} ${starts} times while it was broken everywhere`,
        );
      if (i === first && starts > 0)
        violations.push(`monitor: ${sim.node(i).name} was chosen for ${g} again past its threshold`);
      const st = sim
        .node(i)
        .core?.status()
        .groups.find((x) => x.id === g);
      if (st?.health?.down !== true)
        violations.push(`monitor: ${sim.node(i).name} does not report ${g} down`);
    }
    if (![...Array(nodes).keys()].some((i) => events(i, 'group-down', breakAtMs) > 0))
      violations.push(`monitor: no node reported ${g} down`);
    for (let i = 0; i < nodes; i++) {
      const n = sim.node(i);
      n.serviceBroken.delete(g);
      n.checkHangs.delete(g);
      n.serviceDead.delete(g);
    }
    sim.admin(rng.int(0, nodes - 1), { kind: 'cleanup', group: g });
  });

  // 4. Repaired and cleaned up on one node: it runs again on exactly one node; the rest never moved.
  const endMs = downAtMs + 3 * keepaliveMs + 60 + 40 + 500;
  sim.at(endMs, () => {
    ownerNow('after cleanup');
    for (const [o, was] of homeOf)
      if (runningOwner(h, o) !== was) violations.push(`monitor: ${o} moved though its checks pass`);
    checkConverged(h, 'monitor end');
  });
  sim.runUntil(endMs + 1);
  return result(h, 'monitor', seed, countFalseDeaths(h));
}
