// Ping nodes (`ping`, `ping6`, `ping_group`): pseudo-nodes with their own state, as in Heartbeat.
// The shell reports every ICMP echo reply (input `ping-reply`); this file owns what follows: a ping
// node is `up` while an answer came within deadping (a ping_group while any member answers),
// `dead` after deadping of silence, `init` before its first answer. What counts for ipfail and the
// two-node tiebreaker has hysteresis: a ping node that came back counts again only once it has
// answered for deadping, so a flapping router moves groups at most once per deadping or so.
import type { NodeName, PingTarget } from '../config/types.js';
import type { Outbox } from './outbox.js';
import type { MonoMs, PingNodeStatusEntry } from './types.js';

interface PingNodeRecord {
  readonly target: PingTarget;
  status: 'init' | 'up' | 'dead';
  lastReplyMs: MonoMs | undefined;
  /** First answer after being dead (or since start). */
  upSinceMs: MonoMs | undefined;
  counted: boolean;
}

export class PingNodes {
  private readonly records: PingNodeRecord[];
  /** address -> the ping nodes it answers for (a ping_group member, or a plain ping node). */
  private readonly byAddress = new Map<string, PingNodeRecord[]>();

  constructor(
    targets: readonly PingTarget[],
    private readonly deadpingMs: number,
    private readonly startMs: MonoMs,
    private readonly out: Outbox,
  ) {
    this.records = targets.map((target) => ({
      target,
      status: 'init',
      lastReplyMs: undefined,
      upSinceMs: undefined,
      counted: false,
    }));
    for (const r of this.records) {
      for (const a of r.target.addresses) {
        const key = a.toLowerCase();
        this.byAddress.set(key, [...(this.byAddress.get(key) ?? []), r]);
      }
    }
  }

  get configured(): boolean {
    return this.records.length > 0;
  }

  /** An echo reply from `address` (unknown addresses are ignored: a stale watcher, a typo). */
  onReply(address: string): void {
    const nowMs = this.out.nowMs;
    for (const r of this.byAddress.get(address.toLowerCase()) ?? []) {
      r.lastReplyMs = nowMs;
      if (r.status === 'up') continue;
      const was = r.status;
      r.status = 'up';
      r.upSinceMs = nowMs;
      this.out.emit(
        'ping-node',
        was === 'dead' ? 'warn' : 'info',
        `ping node ${r.target.name}: ${was === 'dead' ? 'answers again' : 'is up'}${this.countsAtOnce() ? '' : `; it counts for placement after ${this.deadpingMs} ms of answers`}`,
        {},
      );
      if (this.countsAtOnce()) this.setCounted(r, true);
    }
  }

  /**
   * At start-up every ping node counts from its first answer (nothing to damp yet: every node
   * starts alike). Afterwards a node that died must answer for deadping before it counts again.
   */
  private countsAtOnce(): boolean {
    return this.out.nowMs < this.startMs + this.deadpingMs;
  }

  /** Deadlines: deadping of silence, deadping of answers. */
  check(): void {
    const nowMs = this.out.nowMs;
    for (const r of this.records) {
      if (r.status === 'up' && r.lastReplyMs !== undefined && nowMs >= r.lastReplyMs + this.deadpingMs) {
        r.status = 'dead';
        r.upSinceMs = undefined;
        this.out.emit(
          'ping-node',
          'warn',
          `ping node ${r.target.name}: is dead (no answer for ${Math.round(nowMs - r.lastReplyMs)} ms)`,
        );
        this.setCounted(r, false);
      } else if (r.status === 'init' && nowMs >= this.startMs + this.deadpingMs) {
        r.status = 'dead';
        this.out.emit('ping-node', 'warn', `ping node ${r.target.name}: is dead (never answered)`);
      } else if (
        r.status === 'up' &&
        !r.counted &&
        r.upSinceMs !== undefined &&
        nowMs >= r.upSinceMs + this.deadpingMs
      ) {
        this.out.emit(
          'ping-node',
          'info',
          `ping node ${r.target.name}: answered for ${this.deadpingMs} ms, counts again`,
        );
        this.setCounted(r, true);
      }
    }
  }

  private setCounted(r: PingNodeRecord, counted: boolean): void {
    if (r.counted === counted) return;
    r.counted = counted;
    // Our advert (hbts_ping) changed and every node's placement must see it.
    this.out.factsChanged = true;
    this.out.advertDirty = true;
  }

  nextWakeMs(): MonoMs {
    let next = Infinity;
    for (const r of this.records) {
      if (r.status === 'up' && r.lastReplyMs !== undefined)
        next = Math.min(next, r.lastReplyMs + this.deadpingMs);
      if (r.status === 'init') next = Math.min(next, this.startMs + this.deadpingMs);
      if (r.status === 'up' && !r.counted && r.upSinceMs !== undefined)
        next = Math.min(next, r.upSinceMs + this.deadpingMs);
    }
    return next;
  }

  /** The ping nodes that count (ipfail's score, advertised as hbts_ping), in ha.cf order. */
  counted(): string[] {
    return this.records.filter((r) => r.counted).map((r) => r.target.name);
  }

  /** Some ping node answered within `windowMs` (the two-node tiebreaker uses the quorum window). */
  answeredWithin(windowMs: number): boolean {
    const nowMs = this.out.nowMs;
    return this.records.some((r) => r.lastReplyMs !== undefined && nowMs < r.lastReplyMs + windowMs);
  }

  /** When answeredWithin(windowMs) may turn false. */
  answerExpiresMs(windowMs: number): MonoMs {
    let last = -Infinity;
    for (const r of this.records) if (r.lastReplyMs !== undefined) last = Math.max(last, r.lastReplyMs);
    return Number.isFinite(last) && this.out.nowMs < last + windowMs ? last + windowMs : Infinity;
  }

  status(): PingNodeStatusEntry[] {
    return this.records.map((r) => ({
      name: r.target.name,
      kind: r.target.kind,
      addresses: r.target.addresses,
      status: r.status,
      counted: r.counted,
      lastReplyMs: r.lastReplyMs,
    }));
  }
}

/**
 * ipfail's rule on the placement candidates: keep only the nodes that reach the most ping nodes.
 * A node that does not say (a real Heartbeat peer) is neither excluded nor compared. Equal counts
 * keep everybody, so when every node loses the same ping node nothing moves (no ping-pong).
 */
export function bestConnected(
  candidates: ReadonlySet<NodeName>,
  reached: (n: NodeName) => number | undefined,
): ReadonlySet<NodeName> {
  let best = -1;
  for (const n of candidates) best = Math.max(best, reached(n) ?? -1);
  if (best < 0) return candidates;
  const kept = new Set<NodeName>();
  for (const n of candidates) {
    const r = reached(n);
    if (r === undefined || r === best) kept.add(n);
  }
  return kept;
}

/**
 * ipfail's scores as placement uses them: the reach counts of the live nodes, applied only once
 * they have stayed the same for `settleMs`. Every node notices a lost ping node at its own moment
 * (up to one ping interval apart) and tells the others a heartbeat trip later; acting on the first
 * difference would move groups when every node is about to lose the same ping node.
 */
export class SettledScores {
  private applied = new Map<NodeName, number>();
  private appliedKey = '';
  private pendingKey = '';
  private pending = new Map<NodeName, number>();
  private pendingSinceMs = -Infinity;

  constructor(private readonly settleMs: number) {}

  /** Feed the current counts; true when the applied scores changed. */
  update(current: ReadonlyMap<NodeName, number>, nowMs: number): boolean {
    const key = [...current].map(([n, c]) => `${n}=${c}`).join(' ');
    if (key !== this.pendingKey) {
      this.pendingKey = key;
      this.pending = new Map(current);
      this.pendingSinceMs = nowMs;
    }
    if (this.pendingKey === this.appliedKey || nowMs < this.pendingSinceMs + this.settleMs) return false;
    this.applied = this.pending;
    this.appliedKey = this.pendingKey;
    return true;
  }

  score(n: NodeName): number | undefined {
    return this.applied.get(n);
  }

  nextWakeMs(): number {
    return this.pendingKey === this.appliedKey ? Infinity : this.pendingSinceMs + this.settleMs;
  }
}
