// The deterministic cluster simulator: N real ClusterNode cores, a fake clock (event queue), a
// fake network (network.ts: loss, delay, jitter, duplication, reordering, one-way and two-way
// partitions), node crash/restart/graceful stop and simulated resource actions. Every packet goes
// through the nodes' protocol endpoints as bytes. One seeded PRNG drives everything.
import { ClusterNode } from '../cluster/node.js';
import type { Action, AdminCommand, ClusterNodeOptions, MonoMs, Output } from '../cluster/types.js';
import type { ClusterConfig, GroupId, MediumId } from '../config/types.js';
import { CanonicalTrace } from './canonical-trace.js';
import { EventQueue } from './event-queue.js';
import { SimNetwork } from './network.js';
import type { MediumConditions } from './network.js';
import { Prng } from './prng.js';
import { SimLeaseService } from './sim-arbiter.js';
import { newSimNode } from './sim-node.js';
import { performAction, type ActionHost, type SimEvent } from './sim-actions.js';
import type { SimNode } from './sim-node.js';
import type { SimOptions } from './sim-options.js';
import { SimPingNodes } from './sim-ping.js';

export class Simulator {
  /** Nodes whose fence device fails (index): fencing them never succeeds while listed. */
  readonly fenceFails = new Set<number>();
  readonly rng: Prng;
  readonly config: ClusterConfig;
  readonly nodes: SimNode[];
  readonly mediumIds: readonly MediumId[];
  /** Per medium, in config order (the network's own array: setConditions changes it). */
  readonly conditions: MediumConditions[];
  nowMs: MonoMs = 0;
  readonly trace: string[] = [];
  private readonly network: SimNetwork;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly options: SimOptions;
  private readonly nodeRng: Prng[];
  deliveredPackets = 0;
  /** Peer-dead declarations about a node that was running and reachable at that moment. */
  falseDeaths = 0;
  private checker: (() => void) | undefined;
  /** A node's own configuration once it differs from the cluster's (reconfigure, startWith). */
  private readonly nodeConfigs = new Map<number, ClusterConfig>();
  private readonly canonical: CanonicalTrace | undefined;
  /** The lease service, when the config has an arbiter. */
  readonly arbiter: SimLeaseService | undefined;
  private readonly pings: SimPingNodes;

  constructor(options: SimOptions) {
    this.options = options;
    this.canonical = options.traceHash === true ? new CanonicalTrace() : undefined;
    this.rng = new Prng(options.seed);
    this.config = options.config;
    this.network = new SimNetwork(
      options.config.media.map((m) => m.id),
      options.media,
    );
    this.mediumIds = this.network.mediumIds;
    this.conditions = this.network.conditions;
    this.nodeRng = options.config.nodes.map(() => this.rng.fork());
    const groups = options.config.resourceGroups.map((g) => g.id);
    this.nodes = options.config.nodes.map((name, index) => newSimNode(name, index, groups));
    const ttlMs = options.config.arbiter?.ttlMs;
    this.arbiter = ttlMs !== undefined ? new SimLeaseService(this.host(), ttlMs, options.seed) : undefined;
    this.pings = new SimPingNodes(this.host());
  }

  /** What the lease service and the ping nodes see of the simulator (nowMs read live). */
  private host(): ConstructorParameters<typeof SimLeaseService>[0] &
    ConstructorParameters<typeof SimPingNodes>[0] {
    const now = (): MonoMs => this.nowMs;
    return {
      get nowMs() {
        return now();
      },
      config: this.config,
      at: (t, fn) => this.at(t, fn),
      node: (i) => this.node(i),
      apply: (n, out) => this.apply(n, out),
      push: (atMs, ev) => this.queue.push(atMs, ev),
      arbiterInput: (n, command) =>
        n.core && this.apply(n, n.core.step({ kind: 'admin', nowMs: this.nowMs, command })),
      actionResult: (index, incarnation, actionId, ok, detail) =>
        this.queue.push(this.nowMs, { kind: 'result', node: index, incarnation, actionId, ok, detail }),
      log: (text) => this.log(text),
    };
  }

  // ----------------------------------------------------------------------------------------
  // Scenario controls

  /** Run after every simulated event (invariant checkers). */
  setChecker(fn: () => void): void {
    this.checker = fn;
  }

  at(timeMs: MonoMs, fn: () => void): void {
    this.queue.push(timeMs, { kind: 'call', fn });
  }

  start(index: number): void {
    const n = this.node(index);
    if (n.core) return;
    const config = this.nodeConfigs.get(index) ?? this.config;
    n.incarnation++;
    n.generation++;
    n.upSinceMs = this.nowMs;
    const rng = this.nodeRng[index] ?? this.rng;
    const uuid = new Uint8Array(16);
    uuid[0] = index + 1;
    const endpoint = this.options.endpointFactory({
      config,
      self: n.name,
      generation: n.generation,
      uuid,
      random: rng,
    });
    const coreOptions: ClusterNodeOptions = {
      config,
      self: n.name,
      endpoint,
      random: rng,
      nowMs: this.nowMs,
      wallClockOffsetMs: 1_700_000_000_000,
    };
    n.core = this.options.coreFactory?.(coreOptions, index) ?? new ClusterNode(coreOptions);
    this.log(`${n.name} starts (generation ${n.generation})`);
    this.apply(n, n.core.step({ kind: 'timer', nowMs: this.nowMs }));
    this.arbiter?.started(index);
    this.pings.started(n);
  }

  /** Whether node `index` reaches ping node `target` (index in config.pingTargets). */
  setPingReachable(index: number, target: number, reachable: boolean): void {
    this.pings.setReachable(index, target, reachable);
  }

  /** Power loss: the core vanishes, its resources stop with the machine. */
  crash(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    this.retire(n);
    for (const g of n.resources.keys()) n.resources.set(g, 'stopped');
    this.log(`${n.name} crashes`);
  }

  /** The daemon dies (SIGKILL) but the machine and the resources it started keep running. */
  killDaemon(index: number): void {
    const n = this.node(index);
    if (!n.core) return;
    this.retire(n);
    this.log(`${n.name}'s daemon is killed; its resources keep running`);
  }

  admin(index: number, command: AdminCommand): void {
    const n = this.node(index);
    if (!n.core) return;
    this.log(`${n.name} admin ${command.kind}${'set' in command ? ` ${command.set}` : ''}`);
    this.apply(n, n.core.step({ kind: 'admin', nowMs: this.nowMs, command }));
  }

  /**
   * Reload on one node: from now on it (and its later restarts) run `config`. A running core is
   * asked first and refuses as the daemon would; the refusals are returned (empty: applied).
   */
  reconfigure(index: number, config: ClusterConfig): string[] {
    const n = this.node(index);
    const refused = n.core?.reloadRefusals?.(config) ?? [];
    if (refused.length > 0) {
      this.log(`${n.name} reload refused: ${refused.join('; ')}`);
      return refused;
    }
    this.nodeConfigs.set(index, config);
    if (!n.core) return [];
    this.log(`${n.name} reloads its configuration`);
    this.apply(n, n.core.step({ kind: 'reconfigure', nowMs: this.nowMs, config }));
    return [];
  }

  /** Freeze a node's process (GC or VM pause): timers, packets and results wait until it resumes. */
  pause(index: number, durationMs: number): void {
    const n = this.node(index);
    n.pausedUntilMs = this.nowMs + durationMs;
    this.log(`${n.name} pauses for ${durationMs} ms`);
  }

  /** Block traffic from `from` to `to` on the given media (all when omitted). */
  block(from: number, to: number, media: readonly MediumId[] = this.mediumIds): void {
    this.network.block(from, to, media, this.nowMs);
    this.log(`block ${this.node(from).name} -> ${this.node(to).name} on ${media.join(',')}`);
  }

  unblock(from: number, to: number, media: readonly MediumId[] = this.mediumIds): void {
    this.network.unblock(from, to, media, this.nowMs);
    this.log(`unblock ${this.node(from).name} -> ${this.node(to).name} on ${media.join(',')}`);
  }

  /** Two-way partition between two sets of nodes on all media. */
  partition(sideA: readonly number[], sideB: readonly number[]): void {
    for (const a of sideA) {
      for (const b of sideB) {
        this.block(a, b);
        this.block(b, a);
      }
    }
  }

  healAll(): void {
    this.network.healAll(this.nowMs);
    this.log('network healed');
  }

  setConditions(medium: number, c: MediumConditions): void {
    this.network.setConditions(medium, c);
  }

  // ----------------------------------------------------------------------------------------
  // Queries for invariants

  node(index: number): SimNode {
    const n = this.nodes[index];
    if (!n) throw new Error(`no simulated node ${index}`);
    return n;
  }

  isUp(index: number): boolean {
    return this.node(index).core !== undefined;
  }

  /** Nodes where the group is starting, running or stopping (the truth, not anyone's belief). */
  owners(group: GroupId): number[] {
    return this.nodes.filter((n) => (n.resources.get(group) ?? 'stopped') !== 'stopped').map((n) => n.index);
  }

  runningOn(group: GroupId): number[] {
    return this.nodes.filter((n) => n.resources.get(group) === 'running').map((n) => n.index);
  }

  /** Both directions open on at least one medium. */
  connected(a: number, b: number): boolean {
    return this.network.connected(a, b);
  }

  /**
   * Time since the pair could last start hearing each other (Infinity if never changed), or -1
   * while the network separates them or one of them wrongly believes the other dead (a false
   * death from loss: for the cluster that is a partition, and the simulator counts them).
   */
  connectedForMs(a: number, b: number): number {
    return this.network.connectedForMs(a, b, this.nowMs);
  }

  // ----------------------------------------------------------------------------------------
  // Running

  runUntil(endMs: MonoMs): void {
    let sameTime = 0;
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > endMs) break;
      const item = this.queue.pop();
      if (!item) break;
      sameTime = item.timeMs === this.nowMs ? sameTime + 1 : 0;
      if (sameTime > 100_000) {
        throw new Error(
          `livelock at ${this.nowMs} ms: 100000 events without time advancing\n${this.trace.slice(-30).join('\n')}`,
        );
      }
      this.nowMs = item.timeMs;
      this.handle(item.value);
      this.checker?.();
    }
    this.nowMs = Math.max(this.nowMs, endMs);
  }

  private handle(e: SimEvent): void {
    if (e.kind !== 'call') {
      const target = this.node(e.kind === 'deliver' ? e.to : e.node);
      if (target.pausedUntilMs > this.nowMs) {
        // Timers first on resume (the overdue wake-up), then queued input in arrival order.
        this.queue.push(target.pausedUntilMs + (e.kind === 'timer' ? 0 : 0.001), e);
        return;
      }
    }
    switch (e.kind) {
      case 'call':
        e.fn();
        return;
      case 'deliver': {
        const n = this.node(e.to);
        if (!n.core || n.incarnation !== e.incarnation) return;
        this.deliveredPackets++;
        this.apply(n, n.core.step({ kind: 'packet', nowMs: this.nowMs, medium: e.medium, bytes: e.bytes }));
        return;
      }
      case 'ping': {
        const n = this.node(e.node);
        if (n.core && n.incarnation === e.incarnation) this.pings.round(n);
        return;
      }
      case 'timer': {
        const n = this.node(e.node);
        if (!n.core || n.incarnation !== e.incarnation || n.timerToken !== e.token) return;
        this.apply(n, n.core.step({ kind: 'timer', nowMs: this.nowMs }));
        return;
      }
      case 'result': {
        const n = this.node(e.node);
        if (!n.core || n.incarnation !== e.incarnation) return;
        this.options.observer?.result?.(n, e.actionId, e.ok, e.detail);
        const input =
          e.detail !== undefined
            ? {
                kind: 'action-result' as const,
                nowMs: this.nowMs,
                actionId: e.actionId,
                ok: e.ok,
                detail: e.detail,
              }
            : { kind: 'action-result' as const, nowMs: this.nowMs, actionId: e.actionId, ok: e.ok };
        this.apply(n, n.core.step(input));
        return;
      }
    }
  }

  /** Hex digest of the canonical trace so far (undefined unless `traceHash` was asked for). */
  traceDigest(): string | undefined {
    return this.canonical?.digest();
  }

  private apply(n: SimNode, out: Output): void {
    this.canonical?.record(this.nowMs, n.index, out);
    this.options.observer?.output?.(n, out);
    for (const ev of out.events) {
      n.events.push(ev);
      if ((ev.kind === 'peer-dead' || ev.kind === 'peer-up') && ev.node !== undefined) {
        const other = this.nodes.find((x) => x.name === ev.node);
        if (other && ev.kind === 'peer-dead' && other.core && this.connected(n.index, other.index)) {
          this.falseDeaths++;
          this.network.falseDeath(n.index, other.index);
        }
        if (other && ev.kind === 'peer-up') this.network.peerUp(n.index, other.index, this.nowMs);
      }
      if (this.options.trace) this.log(`${n.name} ${ev.level} ${ev.kind}: ${ev.text}`);
    }
    for (const p of out.packets) this.transmit(n, p.bytes, p.media ?? this.mediumIds);
    for (const a of out.actions) this.perform(n, a);
    if (out.stopped) {
      this.retire(n);
      this.log(`${n.name} stopped gracefully`);
      return;
    }
    n.timerToken++;
    if (Number.isFinite(out.wakeAtMs)) {
      this.queue.push(Math.max(out.wakeAtMs, this.nowMs), {
        kind: 'timer',
        node: n.index,
        incarnation: n.incarnation,
        token: n.timerToken,
      });
    }
  }

  private transmit(from: SimNode, bytes: Uint8Array, media: readonly MediumId[]): void {
    for (const m of media) {
      for (const to of this.nodes) {
        if (to.index === from.index || !to.core) continue;
        for (const delay of this.network.deliveryDelays(m, from.index, to.index, this.rng)) {
          this.queue.push(this.nowMs + delay, {
            kind: 'deliver',
            to: to.index,
            incarnation: to.incarnation,
            medium: m,
            bytes,
          });
        }
      }
    }
  }

  private perform(n: SimNode, a: Action): void {
    if (a.kind === 'arbiter-claim' || a.kind === 'arbiter-drop') {
      if (this.options.trace) this.log(`${n.name} action ${a.kind} ${a.group}`);
      this.arbiter?.perform(n, a); // the core asks only when the config has an arbiter
      return;
    }
    const host: ActionHost = {
      nowMs: this.nowMs,
      options: this.options,
      rng: this.rng,
      nodes: this.nodes,
      fenceFails: this.fenceFails,
      config: this.config,
      push: (atMs, ev) => this.queue.push(atMs, ev),
      crash: (index) => this.crash(index),
      log: (text) => this.log(text),
      arbiter: this.arbiter,
    };
    performAction(host, n, a);
  }

  private retire(n: SimNode): void {
    this.network.forget(n.index);
    if (n.core) n.heartbeatsReceived += n.core.status().counters.heartbeatsIn;
    n.core = undefined;
    n.incarnation++;
  }

  /** Bank the live cores' counters (call once at the end of a run). */
  finish(): void {
    for (const n of this.nodes) {
      if (n.core) n.heartbeatsReceived += n.core.status().counters.heartbeatsIn;
    }
  }

  log(text: string): void {
    if (this.options.trace) this.trace.push(`${(this.nowMs / 1000).toFixed(3).padStart(9)} ${text}`);
  }
}
