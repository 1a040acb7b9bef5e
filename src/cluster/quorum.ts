// Quorum (`quorum on`, the default from 3 nodes): this node may run groups only while its
// partition holds a majority of the configured nodes (the `node` lines: they change only with a
// restart after a reload). Members are this node and the peers whose heartbeat came within the
// quorum window, warntime: a partition without a majority therefore notices at warntime and has
// until deadtime (when the majority declares it dead and takes over) to release. Exactly half is
// a majority only with a tiebreaker: a ping node that answered within the same window (for two
// nodes: the side that reaches it may hold). Without quorum this node releases every group, takes
// none and fences nobody; peers learn it from `hbts_quorum` and stop placing groups here.
import type { ClusterConfig, NodeName } from '../config/types.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { PingNodes } from './ping-nodes.js';
import type { MonoMs, QuorumStatus } from './types.js';

/** The rule itself, on counts: majority, or exactly half with the tiebreaker. */
export function quorumVerdict(
  members: number,
  configured: number,
  tiebreaker: boolean | undefined,
): { readonly quorate: boolean; readonly reason: string } {
  const needed = Math.floor(configured / 2) + 1;
  if (members >= needed) return { quorate: true, reason: `${members} of ${configured} nodes: a majority` };
  if (2 * members === configured) {
    if (tiebreaker === true)
      return {
        quorate: true,
        reason: `${members} of ${configured} nodes and a ping node answers: tiebreaker won`,
      };
    return {
      quorate: false,
      reason:
        tiebreaker === false
          ? `${members} of ${configured} nodes and no ping node answers: tiebreaker lost`
          : `${members} of ${configured} nodes: half is no majority (no tiebreaker configured)`,
    };
  }
  return { quorate: false, reason: `${members} of ${configured} nodes: ${needed} needed` };
}

export class Quorum {
  readonly enforced: boolean;
  private readonly windowMs: number;
  private current = false;
  private reason = 'not evaluated yet';
  private members: NodeName[] = [];
  private suppressLossUntilMs: MonoMs = -Infinity;
  private gainedAtMs: MonoMs = -Infinity;
  /** When a node last joined our partition (its fresh adverts need a trip to reach everyone). */
  private joinedAtMs: MonoMs = -Infinity;
  private aliveKey = '';
  private readonly warnedHeartbeatPeers = new Set<NodeName>();

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly peers: PeerTable,
    private readonly pingNodes: PingNodes,
    private readonly out: Outbox,
  ) {
    this.enforced = config.quorum === true;
    this.windowMs = config.warntimeMs;
  }

  /** May this node run groups (always, when quorum is off). */
  get quorate(): boolean {
    return !this.enforced || this.current;
  }

  /** Why not, for the release reason and logs; undefined while quorate. */
  lostReason(): string | undefined {
    return this.quorate ? undefined : `no quorum (${this.reason})`;
  }

  /** After a pause of this process every peer looks silent: keep the verdict until fresh input. */
  suppressLossUntil(untilMs: MonoMs): void {
    this.suppressLossUntilMs = Math.max(this.suppressLossUntilMs, untilMs);
  }

  private inContact(n: NodeName): boolean {
    if (!this.peers.isAlive(n) || this.peers.get(n)?.leaving === true) return false;
    const last = this.peers.detector.lastStatusMs(n);
    return last !== undefined && this.out.nowMs < last + this.windowMs;
  }

  /** Every step: count the members, and say so when the verdict changes. */
  evaluate(): void {
    if (!this.enforced) return;
    const members = [this.self, ...this.peers.names.filter((n) => this.inContact(n))];
    if (members.some((n) => !this.members.includes(n))) this.joinedAtMs = this.out.nowMs;
    this.members = members;
    // Peers wait while we still list a node they count dead (holdBack): tell them at once.
    const alive = this.peers.names.filter((n) => this.peers.isAlive(n)).join(' ');
    if (alive !== this.aliveKey) {
      this.aliveKey = alive;
      this.out.advertDirty = true;
    }
    const tiebreaker = this.pingNodes.configured ? this.pingNodes.answeredWithin(this.windowMs) : undefined;
    const verdict = quorumVerdict(this.members.length, this.config.nodes.length, tiebreaker);
    this.reason = verdict.reason;
    this.warnAboutHeartbeatPeers();
    if (verdict.quorate === this.current) return;
    if (!verdict.quorate && this.out.nowMs < this.suppressLossUntilMs) return;
    this.current = verdict.quorate;
    if (verdict.quorate) this.gainedAtMs = this.out.nowMs;
    this.out.factsChanged = true;
    this.out.advertDirty = true;
    if (verdict.quorate) this.out.emit('quorum', 'info', `quorum gained: ${verdict.reason}`);
    else
      this.out.emit(
        'quorum',
        'crit',
        `quorum lost: ${verdict.reason}; releasing every group here and taking none until it is back`,
      );
  }

  /** A real Heartbeat peer neither counts its votes nor obeys quorum: say so loudly, once. */
  private warnAboutHeartbeatPeers(): void {
    for (const n of this.peers.names) {
      const p = this.peers.get(n);
      if (p?.implementation !== 'heartbeat' || this.warnedHeartbeatPeers.has(n)) continue;
      this.warnedHeartbeatPeers.add(n);
      this.out.emit(
        'quorum',
        'crit',
        `node ${n} is a real Heartbeat: it does not obey quorum (it runs groups in any partition); quorum cannot keep a mixed cluster safe`,
        { node: n },
      );
    }
  }

  /**
   * Why this node may not take anything yet although it has quorum, or undefined:
   * - quorum was gained less than two keepalives ago: the peers of our partition may have gained
   *   it in the same instant and still advertise the old verdict, so nobody would count them as
   *   candidates; their fresh adverts settle placement first;
   * - quorum was gained less than deadtime ago and some node is out of contact: it may have held
   *   quorum until then (a tiebreaker that changed sides, a partition that regrouped), and needs
   *   warntime to notice its loss, plus its release;
   * - a member of our partition still sees a node alive that we count dead: it heard it less than
   *   deadtime ago (a node that just regained quorum acts on old deaths; this waits for the others).
   */
  holdBack(): string | undefined {
    if (!this.enforced) return undefined;
    const sinceMs = this.out.nowMs - this.gainedAtMs;
    if (sinceMs < 2 * this.config.keepaliveMs) return `quorum gained ${Math.round(sinceMs)} ms ago, settling`;
    // Views differ for a moment after a node joins (what it advertised while cut off is stale).
    if (this.out.nowMs < this.joinedAtMs + 2 * this.config.keepaliveMs) return 'a node just joined, settling';
    const away = this.peers.names.filter(
      (n) => !this.members.includes(n) && this.peers.get(n)?.leaving !== true,
    );
    if (away.length > 0 && sinceMs < this.config.deadtimeMs)
      return `quorum gained ${Math.round(sinceMs)} ms ago: ${away.join(', ')} may hold groups until deadtime has passed`;
    const disputed = new Set<NodeName>();
    for (const m of this.members) {
      if (m === this.self) continue;
      for (const n of this.peers.get(m)?.seen ?? [])
        if (!this.peers.isAlive(n) && n !== this.self) disputed.add(n);
    }
    if (disputed.size === 0) return undefined;
    return `the rest of the partition still sees ${[...disputed].join(', ')} alive`;
  }

  /** When a member's heartbeat or the tiebreaker's answer leaves the window. */
  nextWakeMs(): MonoMs {
    if (!this.enforced) return Infinity;
    let next = Infinity;
    for (const n of this.peers.names) {
      if (!this.inContact(n)) continue;
      const last = this.peers.detector.lastStatusMs(n);
      if (last !== undefined) next = Math.min(next, last + this.windowMs);
    }
    next = Math.min(next, this.pingNodes.answerExpiresMs(this.windowMs));
    for (const settledMs of [
      this.gainedAtMs + 2 * this.config.keepaliveMs,
      this.gainedAtMs + this.config.deadtimeMs,
    ])
      if (settledMs > this.out.nowMs) next = Math.min(next, settledMs);
    return Number.isFinite(next) ? Math.max(next, this.suppressLossUntilMs) : next;
  }

  status(): QuorumStatus {
    const configured = this.config.nodes.length;
    return {
      enforced: this.enforced,
      quorate: this.quorate,
      members: this.members,
      configured,
      needed: Math.floor(configured / 2) + 1,
      reason: this.enforced ? this.reason : 'quorum off',
    };
  }
}
