// The shell's loop around the pure core: turn socket data, timers, resource results and admin
// commands into core inputs, and carry out each Output (send packets on the named media, run
// actions, log events, arm exactly one timer). Everything asynchronous comes back as an input.
import type { ClusterConfig, GroupId, MediumId } from '../config/types.js';
import type { Action, ClusterEvent, ClusterStatus, Input, MonoMs, Output } from '../cluster/types.js';

/** The part of ClusterNode the driver uses (lets tests drive it with a scripted core). */
export interface CoreLike {
  step(input: Input): Output;
  status(): ClusterStatus;
  /** Reload: why the core cannot take this configuration now (empty: it can). */
  reloadRefusals?(next: ClusterConfig): string[];
  /** The group definitions in force, for the runner (a reload swaps them group by group). */
  groupDefinitions?(): ClusterConfig['resourceGroups'];
}

export interface ActionOutcome {
  readonly ok: boolean;
  readonly detail?: string;
  /** A stop (release, or the rollback of a failed start) failed: the group may still run here. */
  readonly stopFailed?: boolean;
}

/** Carries out resource actions; never rejects (a failure is an outcome with ok=false). */
export interface ActionRunner {
  acquire(group: GroupId, reason: string): Promise<ActionOutcome>;
  release(group: GroupId, reason: string): Promise<ActionOutcome>;
  probe(group: GroupId): Promise<ActionOutcome>;
  /** Fencing/arbitration gate; the default answers ok at once. */
  gate(group: GroupId, fromNode: string): Promise<ActionOutcome>;
  /** Power a node off with its configured fence method; ok = confirmed off. */
  fence?(node: string, reason: string): Promise<ActionOutcome>;
  /** Run health check `monitor` (config.monitors index) of a running group; ok = healthy. */
  monitor?(group: GroupId, monitor: number): Promise<ActionOutcome>;
  /** Restart the group in place from its resource `fromResource` on (see the core's `restart`). */
  restart?(group: GroupId, fromResource: number, reason: string): Promise<ActionOutcome>;
  /** Take the group's key under the arbiter lease; ok = ours (detail: the fencing token). */
  arbiterClaim?(group: GroupId): Promise<ActionOutcome>;
  /** Give a claimed, unused key back (no result goes back to the core). */
  arbiterDrop?(group: GroupId, reason: string): Promise<ActionOutcome>;
  /** Gratuitous ARP again for the group's virtual IPs (no result goes back to the core). */
  announce?(group: GroupId, reason: string): Promise<ActionOutcome>;
  /** Use a reloaded configuration for later operations. */
  setConfig?(config: ClusterConfig): void;
  /** Wait for operations in flight and stop background helpers. */
  close?(): Promise<void>;
}

export interface PacketSink {
  /** Send on one medium; unknown media are reported, not thrown. */
  send(medium: MediumId | undefined, bytes: Uint8Array): void;
}

export interface DriverHooks {
  onEvent(event: ClusterEvent): void;
  /** The timer fired this late after the wake-up the core asked for (event-loop lag). */
  onTimerLag?(lagMs: number, nowMs: MonoMs): void;
  /** An action finished (for the held-groups record and logs). */
  onActionDone(action: Action, outcome: ActionOutcome): void;
  onStopped(): void;
  /**
   * The core threw (a bug). The input is dropped and the daemon keeps running: crashing would
   * leave resources running with nobody watching them, which is worse for a cluster.
   */
  onCoreError?(input: Input, err: unknown): void;
}

export interface Clock {
  nowMs(): MonoMs;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** `fence node2`, `acquire <group>`: an action in flight, for status. */
export function describeAction(a: Action): string {
  return a.kind === 'fence' ? `fence ${a.node}` : `${a.kind} ${a.group}`;
}

export class Driver {
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private stepping = false;
  private readonly queue: Input[] = [];
  private stopped = false;
  /** Actions started and not yet answered, for status and for a clean shutdown. */
  readonly inFlight = new Map<number, Action>();

  constructor(
    private readonly core: CoreLike,
    private readonly sink: PacketSink,
    private readonly runner: ActionRunner,
    private readonly hooks: DriverHooks,
    private readonly clock: Clock,
  ) {}

  /** Kick the core once (a timer input at the current time). */
  start(): void {
    this.feed({ kind: 'timer', nowMs: this.clock.nowMs() });
  }

  packet(medium: MediumId, bytes: Uint8Array): void {
    this.feed({ kind: 'packet', nowMs: this.clock.nowMs(), medium, bytes });
  }

  /** An ICMP echo reply from a ping node's address (daemon/ping-watch.ts). */
  pingReply(address: string): void {
    this.feed({ kind: 'ping-reply', nowMs: this.clock.nowMs(), address });
  }

  admin(command: Extract<Input, { kind: 'admin' }>['command']): void {
    this.feed({ kind: 'admin', nowMs: this.clock.nowMs(), command });
  }

  /** Reload: hand the core its new configuration (after CoreLike.reloadRefusals said yes). */
  reconfigure(config: ClusterConfig): void {
    this.feed({ kind: 'reconfigure', nowMs: this.clock.nowMs(), config });
  }

  status(): ClusterStatus {
    return this.core.status();
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** Stop the timer; inputs after this are ignored. */
  halt(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private feed(input: Input): void {
    if (this.stopped) return;
    this.queue.push(input);
    if (this.stepping) return; // an input produced while handling an output waits its turn
    this.stepping = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        if (this.stopped) break;
        let out: Output;
        try {
          out = this.core.step(next);
        } catch (err) {
          this.hooks.onCoreError?.(next, err);
          continue;
        }
        this.handle(out);
      }
    } finally {
      this.stepping = false;
    }
  }

  private handle(out: Output): void {
    for (const p of out.packets) {
      if (p.media === undefined) this.sink.send(undefined, p.bytes);
      else for (const m of p.media) this.sink.send(m, p.bytes);
    }
    for (const e of out.events) this.hooks.onEvent(e);
    for (const a of out.actions) this.run(a);
    this.arm(out.wakeAtMs);
    if (out.stopped && !this.stopped) {
      this.halt();
      this.hooks.onStopped();
    }
  }

  private run(action: Action): void {
    if (action.kind === 'arbiter-drop') {
      const dropped = this.runner.arbiterDrop?.(action.group, action.reason) ?? Promise.resolve({ ok: true });
      dropped.then(
        (outcome) => this.hooks.onActionDone(action, outcome),
        (err: unknown) => this.hooks.onActionDone(action, { ok: false, detail: String(err) }),
      );
      return;
    }
    if (action.kind === 'announce') {
      const announced = this.runner.announce?.(action.group, action.reason) ?? Promise.resolve({ ok: true });
      announced.then(
        (outcome) => this.hooks.onActionDone(action, outcome),
        (err: unknown) => this.hooks.onActionDone(action, { ok: false, detail: String(err) }),
      );
      return;
    }
    this.inFlight.set(action.id, action);
    let p: Promise<ActionOutcome>;
    switch (action.kind) {
      case 'acquire':
        p = this.runner.acquire(action.group, action.reason);
        break;
      case 'release':
        p = this.runner.release(action.group, action.reason);
        break;
      case 'probe':
        p = this.runner.probe(action.group);
        break;
      case 'gate':
        p = this.runner.gate(action.group, action.fromNode);
        break;
      case 'arbiter-claim':
        p =
          this.runner.arbiterClaim?.(action.group) ??
          Promise.resolve({ ok: false, detail: 'this daemon has no arbiter' });
        break;
      case 'fence':
        p =
          this.runner.fence?.(action.node, action.reason) ??
          Promise.resolve({ ok: false, detail: 'this daemon has no fencing runner' });
        break;
      case 'monitor':
        // A shell that cannot check says healthy: not knowing is no reason to restart a service.
        p =
          this.runner.monitor?.(action.group, action.monitor) ??
          Promise.resolve({ ok: true, detail: 'this daemon runs no health checks' });
        break;
      case 'restart':
        p =
          this.runner.restart?.(action.group, action.fromResource, action.reason) ??
          Promise.resolve({ ok: false, detail: 'this daemon cannot restart in place' });
        break;
    }
    p.catch((err: unknown): ActionOutcome => ({ ok: false, detail: `internal error: ${String(err)}` })).then(
      (outcome) => {
        this.inFlight.delete(action.id);
        this.hooks.onActionDone(action, outcome);
        const input: Input =
          outcome.detail === undefined
            ? { kind: 'action-result', nowMs: this.clock.nowMs(), actionId: action.id, ok: outcome.ok }
            : {
                kind: 'action-result',
                nowMs: this.clock.nowMs(),
                actionId: action.id,
                ok: outcome.ok,
                detail: outcome.detail,
              };
        this.feed(input);
      },
      () => undefined,
    );
  }

  private arm(wakeAtMs: MonoMs): void {
    if (this.stopped) return;
    if (!Number.isFinite(wakeAtMs)) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAtMs = Infinity;
      return;
    }
    if (this.timer !== undefined && this.timerAtMs === wakeAtMs) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAtMs = wakeAtMs;
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(wakeAtMs - this.clock.nowMs())));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      const nowMs = this.clock.nowMs();
      this.hooks.onTimerLag?.(nowMs - wakeAtMs, nowMs);
      this.feed({ kind: 'timer', nowMs });
    }, delayMs);
  }
}
