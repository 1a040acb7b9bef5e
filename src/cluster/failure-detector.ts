// Failure detection per peer and per (peer, medium), Heartbeat style: a peer is alive while its
// `status` heartbeats keep coming within its deadtime (its advertised `dt`, else ours) on any
// medium; a link is up while any packet from the peer arrives on that medium. Peers never heard
// from get `initdead` from our start. Pure: time is passed in, deadlines are reported back.
import type { MediumId, NodeName } from '../config/types.js';
import type { MonoMs } from './types.js';

export type DetectorEvent =
  | { readonly kind: 'up'; readonly node: NodeName; readonly wasDead: boolean }
  | {
      readonly kind: 'dead';
      readonly node: NodeName;
      readonly silentMs: number;
      readonly neverHeard: boolean;
    }
  | { readonly kind: 'late-waiting'; readonly node: NodeName; readonly silentMs: number }
  | { readonly kind: 'late-arrived'; readonly node: NodeName; readonly intervalMs: number }
  | { readonly kind: 'link-up'; readonly node: NodeName; readonly medium: MediumId }
  | { readonly kind: 'link-dead'; readonly node: NodeName; readonly medium: MediumId };

export type PeerLiveness = 'unheard' | 'alive' | 'dead';

interface LinkState {
  lastMs: MonoMs | undefined;
  up: boolean;
}

interface PeerState {
  liveness: PeerLiveness;
  lastStatusMs: MonoMs | undefined;
  deadtimeMs: number;
  /** deadtimeMs came from the peer's own `dt` (a reload of our deadtime leaves it alone). */
  advertised: boolean;
  lateWarned: boolean;
  readonly links: Map<MediumId, LinkState>;
  /** When initdead starts for a never-heard peer: our start, or when it joined (autojoin). */
  readonly unheardSinceMs?: MonoMs;
}

export interface DetectorOptions {
  readonly peers: readonly NodeName[];
  readonly media: readonly MediumId[];
  readonly deadtimeMs: number;
  readonly warntimeMs: number;
  readonly initdeadMs: number;
  readonly startMs: MonoMs;
}

export class FailureDetector {
  private readonly peers = new Map<NodeName, PeerState>();
  private suppressDeathUntilMs: MonoMs = -Infinity;
  /** Replaced (never mutated) by a reload: see retime(). */
  private options: DetectorOptions;

  constructor(options: DetectorOptions) {
    this.options = options;
    for (const p of options.peers) this.peers.set(p, this.blank('unheard'));
  }

  private blank(liveness: PeerLiveness): PeerState {
    const links = new Map<MediumId, LinkState>();
    for (const m of this.options.media) links.set(m, { lastMs: undefined, up: false });
    return {
      liveness,
      lastStatusMs: undefined,
      deadtimeMs: this.options.deadtimeMs,
      advertised: false,
      lateWarned: false,
      links,
    };
  }

  // ------------------------------------------------------------------------------------------
  // Reload (reconfigure.ts): the node set, the media and the timings change under a running detector.

  /**
   * A node added by a reload starts `dead` without a `dead` event: it was never a member, holds
   * nothing, and must not be fenced or failed over for an absence nobody noticed. Its first
   * heartbeat makes it `up` like any returning node.
   */
  addPeer(node: NodeName): void {
    if (!this.peers.has(node)) this.peers.set(node, this.blank('dead'));
  }

  removePeer(node: NodeName): void {
    this.peers.delete(node);
  }

  /** The media now open: links of a closed medium are forgotten, a new one starts down. */
  setMedia(media: readonly MediumId[]): void {
    this.options = { ...this.options, media };
    for (const p of this.peers.values()) {
      for (const m of [...p.links.keys()]) if (!media.includes(m)) p.links.delete(m);
      for (const m of media) if (!p.links.has(m)) p.links.set(m, { lastMs: undefined, up: false });
    }
  }

  /**
   * A peer that joined while we run (ha.cf autojoin): tracked from now on, as if just heard of, so
   * it gets initdead from `nowMs` until its first status arrives.
   */
  joinPeer(node: NodeName, nowMs: MonoMs): void {
    if (this.peers.has(node)) return;
    this.peers.set(node, { ...this.blank('unheard'), unheardSinceMs: nowMs });
  }

  /**
   * New deadtime/warntime/initdead. A peer that advertises its own `dt` keeps it (Heartbeat applies
   * each node's own deadtime to it; its reload sends the new one); the others take ours at once.
   */
  retime(timings: Pick<DetectorOptions, 'deadtimeMs' | 'warntimeMs' | 'initdeadMs'>): void {
    this.options = { ...this.options, ...timings };
    for (const p of this.peers.values()) if (!p.advertised) p.deadtimeMs = timings.deadtimeMs;
  }

  liveness(node: NodeName): PeerLiveness {
    return this.peers.get(node)?.liveness ?? 'dead';
  }

  isAlive(node: NodeName): boolean {
    return this.liveness(node) === 'alive';
  }

  lastStatusMs(node: NodeName): MonoMs | undefined {
    return this.peers.get(node)?.lastStatusMs;
  }

  deadtimeMs(node: NodeName): number {
    return this.peers.get(node)?.deadtimeMs ?? this.options.deadtimeMs;
  }

  links(node: NodeName): { medium: MediumId; up: boolean; lastMs: MonoMs | undefined }[] {
    const p = this.peers.get(node);
    if (!p) return [];
    return [...p.links].map(([medium, l]) => ({ medium, up: l.up, lastMs: l.lastMs }));
  }

  /** A `status` heartbeat arrived. `advertisedDeadtimeMs` is its `dt` field (undefined if absent/bad). */
  heardStatus(node: NodeName, nowMs: MonoMs, advertisedDeadtimeMs: number | undefined): DetectorEvent[] {
    const p = this.peers.get(node);
    if (!p) return [];
    const events: DetectorEvent[] = [];
    if (advertisedDeadtimeMs !== undefined && advertisedDeadtimeMs > 0) {
      p.deadtimeMs = advertisedDeadtimeMs;
      p.advertised = true;
    }
    if (p.liveness === 'alive' && p.lastStatusMs !== undefined) {
      const intervalMs = nowMs - p.lastStatusMs;
      if (intervalMs > this.options.warntimeMs) events.push({ kind: 'late-arrived', node, intervalMs });
    }
    if (p.liveness !== 'alive') events.push({ kind: 'up', node, wasDead: p.liveness === 'dead' });
    p.liveness = 'alive';
    p.lastStatusMs = nowMs;
    p.lateWarned = false;
    return events;
  }

  /** Any packet from `node` on `medium` (also duplicates and protocol control traffic). */
  heardOnLink(node: NodeName, medium: MediumId, nowMs: MonoMs): DetectorEvent[] {
    const p = this.peers.get(node);
    if (!p) return [];
    let link = p.links.get(medium);
    if (!link) {
      link = { lastMs: undefined, up: false };
      p.links.set(medium, link);
    }
    link.lastMs = nowMs;
    if (link.up) return [];
    link.up = true;
    return [{ kind: 'link-up', node, medium }];
  }

  /** The peer announced it is leaving (`shutdone`), or restarted and must be heard afresh. */
  markDead(node: NodeName): DetectorEvent[] {
    const p = this.peers.get(node);
    if (!p || p.liveness === 'dead') return [];
    p.liveness = 'dead';
    return [{ kind: 'dead', node, silentMs: 0, neverHeard: p.lastStatusMs === undefined }];
  }

  /** Pause awareness: declare nobody dead before `untilMs` (fresh input must get a chance first). */
  suppressDeathsUntil(untilMs: MonoMs): void {
    this.suppressDeathUntilMs = Math.max(this.suppressDeathUntilMs, untilMs);
  }

  check(nowMs: MonoMs): DetectorEvent[] {
    const events: DetectorEvent[] = [];
    const mayKill = nowMs >= this.suppressDeathUntilMs;
    for (const [node, p] of this.peers) {
      for (const [medium, link] of p.links) {
        // Compare with the same sums nextDeadlineMs() reports, so a wake-up at the deadline always fires
        // (nowMs - last >= deadtime can be false there by floating-point rounding).
        if (link.up && link.lastMs !== undefined && nowMs >= link.lastMs + p.deadtimeMs && mayKill) {
          link.up = false;
          events.push({ kind: 'link-dead', node, medium });
        }
      }
      if (p.liveness === 'alive' && p.lastStatusMs !== undefined) {
        const silentMs = nowMs - p.lastStatusMs;
        if (nowMs >= p.lastStatusMs + p.deadtimeMs && mayKill) {
          p.liveness = 'dead';
          events.push({ kind: 'dead', node, silentMs, neverHeard: false });
        } else if (nowMs >= p.lastStatusMs + this.options.warntimeMs + 1 && !p.lateWarned) {
          p.lateWarned = true;
          events.push({ kind: 'late-waiting', node, silentMs });
        }
      } else if (
        p.liveness === 'unheard' &&
        nowMs - (p.unheardSinceMs ?? this.options.startMs) >= this.options.initdeadMs &&
        mayKill
      ) {
        p.liveness = 'dead';
        events.push({
          kind: 'dead',
          node,
          silentMs: nowMs - (p.unheardSinceMs ?? this.options.startMs),
          neverHeard: true,
        });
      }
    }
    return events;
  }

  /** Earliest time check() may change something. */
  nextDeadlineMs(): MonoMs {
    let next = Infinity;
    for (const p of this.peers.values()) {
      for (const link of p.links.values()) {
        if (link.up && link.lastMs !== undefined) next = Math.min(next, link.lastMs + p.deadtimeMs);
      }
      if (p.liveness === 'alive' && p.lastStatusMs !== undefined) {
        next = Math.min(next, p.lastStatusMs + p.deadtimeMs);
        if (!p.lateWarned) next = Math.min(next, p.lastStatusMs + this.options.warntimeMs + 1);
      } else if (p.liveness === 'unheard') {
        next = Math.min(next, (p.unheardSinceMs ?? this.options.startMs) + this.options.initdeadMs);
      }
    }
    return Number.isFinite(next) ? Math.max(next, this.suppressDeathUntilMs) : next;
  }
}
