// The simulator's resource, probe, gate, fence and health-check actions: what each takes and how it
// answers, drawn from the simulator's one PRNG in a fixed order (so traces stay reproducible).
import type { Action, MonoMs, ResultAction } from '../cluster/types.js';
import type { ClusterConfig, GroupId, MediumId } from '../config/types.js';
import type { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';

export type SimEvent =
  | { kind: 'deliver'; to: number; incarnation: number; medium: MediumId; bytes: Uint8Array }
  | { kind: 'timer'; node: number; incarnation: number; token: number }
  | { kind: 'result'; node: number; incarnation: number; actionId: number; ok: boolean; detail?: string }
  | { kind: 'call'; fn: () => void }
  /** A node's ping watchers report every reachable ping node's answer (every keepalive). */
  | { kind: 'ping'; node: number; incarnation: number };

/** What an action needs of the simulator (simulator.ts builds it for each action). */
export interface ActionHost {
  readonly nowMs: MonoMs;
  readonly options: {
    readonly acquireMs?: readonly [number, number];
    readonly releaseMs?: readonly [number, number];
    readonly fenceMs?: number;
    readonly trace?: boolean;
  };
  readonly rng: Prng;
  readonly nodes: readonly SimNode[];
  readonly fenceFails: ReadonlySet<number>;
  readonly config: ClusterConfig;
  push(atMs: MonoMs, ev: SimEvent): void;
  crash(index: number): void;
  log(text: string): void;
  /** The simulated lease service, when the config has an arbiter: it hears of starts and stops. */
  readonly arbiter?:
    | {
        stopping(n: SimNode, group: GroupId): void;
        released(n: SimNode, group: GroupId, stopped?: boolean): void;
      }
    | undefined;
}

/** Carry out action `a` of node `n`: its effect on the node's resources and its result event. */
export function performAction(
  host: ActionHost,
  n: SimNode,
  a: ResultAction | Extract<Action, { kind: 'announce' }>,
): void {
  if (a.kind === 'announce') {
    n.announcements++;
    if (host.options.trace) host.log(`${n.name} action announce ${a.group}`);
    return;
  }
  const result = (afterMs: number, ok: boolean, detail?: string): void => {
    const ev: SimEvent =
      detail !== undefined
        ? { kind: 'result', node: n.index, incarnation: n.incarnation, actionId: a.id, ok, detail }
        : { kind: 'result', node: n.index, incarnation: n.incarnation, actionId: a.id, ok };
    host.push(host.nowMs + afterMs, ev);
  };
  // A resource script: runs for a time drawn from `range`; its effect lands at its end unless the
  // node restarted meanwhile, and the result goes back to the core then.
  const script = (
    range: readonly [number, number],
    ok: boolean,
    failure: string,
    effect: () => void,
  ): void => {
    const [lo, hi] = range;
    const incarnation = n.incarnation;
    const t = lo + host.rng.next() * (hi - lo);
    host.push(host.nowMs + t, {
      kind: 'call',
      fn: () => {
        if (n.incarnation === incarnation) effect();
      },
    });
    result(t, ok, ok ? undefined : failure);
  };
  if (host.options.trace) host.log(`${n.name} action ${a.kind} ${a.kind === 'fence' ? a.node : a.group}`);
  switch (a.kind) {
    case 'probe':
      result(1, n.resources.get(a.group) === 'running');
      return;
    case 'gate':
      result(0, true);
      return;
    case 'fence': {
      // Power off through a fence device: it answers after fenceMs; a node whose fencing is set
      // to fail stays up and the fencer hears an error.
      const victim = host.nodes.find((x) => x.name === a.node);
      const fails = victim !== undefined && host.fenceFails.has(victim.index);
      const t = host.options.fenceMs ?? 100;
      host.push(host.nowMs + t, {
        kind: 'call',
        fn: () => {
          if (!fails && victim !== undefined && victim.core !== undefined) {
            host.log(`${victim.name} is powered off by ${n.name}'s fence device`);
            host.crash(victim.index);
          }
        },
      });
      if (fails) result(t, false, 'simulated fence failure');
      else result(t + 0.001, true, 'simulated power off');
      return;
    }
    case 'acquire': {
      n.resources.set(a.group, 'starting');
      const fail = n.failNextStart.delete(a.group);
      script(host.options.acquireMs ?? [20, 60], !fail, 'simulated start failure', () => {
        n.resources.set(a.group, fail ? 'stopped' : 'running');
        if (fail) host.arbiter?.released(n, a.group);
        if (n.serviceBroken.has(a.group)) n.serviceDead.add(a.group);
        else n.serviceDead.delete(a.group);
      });
      return;
    }
    case 'monitor': {
      // The check answers in 1-5 ms, or, when it hangs, is killed at its timeout: failed.
      const spec = host.config.monitors?.[a.monitor];
      const hangs = n.checkHangs.has(a.group);
      const dead = n.serviceDead.has(a.group) || n.resources.get(a.group) !== 'running';
      if (hangs) result(spec?.timeoutMs ?? 1000, false, 'simulated check hung: killed at its timeout');
      else result(1 + host.rng.next() * 4, !dead, dead ? 'simulated service dead' : undefined);
      return;
    }
    case 'restart': {
      // Stop and start the service again: the group stays up meanwhile; a broken service dies again.
      const fail = n.failNextStart.delete(a.group);
      script(host.options.acquireMs ?? [20, 60], !fail, 'simulated start failure', () => {
        if (fail) {
          n.resources.set(a.group, 'stopped');
          host.arbiter?.released(n, a.group);
        }
        if (!n.serviceBroken.has(a.group)) n.serviceDead.delete(a.group);
      });
      return;
    }
    case 'release': {
      n.resources.set(a.group, 'stopping');
      host.arbiter?.stopping(n, a.group);
      const fail = n.failNextStop.delete(a.group);
      script(host.options.releaseMs ?? [10, 40], !fail, 'simulated stop failure', () => {
        // A failed stop leaves the group running here (the core must not let anyone else start it).
        n.resources.set(a.group, fail ? 'running' : 'stopped');
        host.arbiter?.released(n, a.group, !fail);
      });
      return;
    }
  }
}
