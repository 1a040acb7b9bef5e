// What this node says about itself and when: its status word (init -> up -> active), the
// keepalive cadence of `status` heartbeats (and an extra one at once when our facts change), the
// ownership advert they carry, and Heartbeat's `resource` report (rsc_hold, isstable).
import type { ClusterConfig } from '../config/types.js';
import type { Arbiter } from './arbiter.js';
import type { Fencing } from './fencing.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { MonoMs, NodeStatusName } from './types.js';
import { resourceFields, statusFields } from './wire.js';
import type { HoldWord, OwnershipAdvert } from './wire.js';

export class HeartbeatSender {
  ownStatus: NodeStatusName = 'init';
  lastSentStatusMs: MonoMs | undefined;
  /** isstable of our last `resource` report (true until one said otherwise). */
  reportedStable = true;
  private sentFirstStatus = false;
  private nextStatusMs: MonoMs;

  constructor(
    private readonly config: ClusterConfig,
    /** Ours; a reload sets the new one. */
    public fingerprint: string,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
    private readonly fencing: Fencing,
    private readonly arbiter?: Arbiter,
  ) {
    this.nextStatusMs = out.nowMs;
  }

  nextWakeMs(): MonoMs {
    return this.nextStatusMs;
  }

  setOwnStatus(st: NodeStatusName): void {
    if (this.ownStatus === st) return;
    this.ownStatus = st;
    this.out.advertDirty = true;
  }

  /** End of every step: a heartbeat when one is due or our advertised facts changed. */
  heartbeat(): void {
    if (this.membership.stopped) return;
    const nowMs = this.out.nowMs;
    if (!this.sentFirstStatus) {
      // Heartbeat's start-up on the wire: `st=init` first, then `st=up` at once.
      this.sentFirstStatus = true;
      this.sendStatus();
      this.ownStatus = this.membership.phase === 'starting' ? 'up' : this.ownStatus;
      this.out.advertDirty = true;
    }
    if (nowMs >= this.nextStatusMs || this.out.advertDirty) {
      this.sendStatus();
      if (nowMs >= this.nextStatusMs) {
        this.nextStatusMs += this.config.keepaliveMs;
        // After a pause, do not burst the missed heartbeats: one now, the next a keepalive later.
        if (this.nextStatusMs <= nowMs) this.nextStatusMs = nowMs + this.config.keepaliveMs;
      }
    }
  }

  sendStatus(): void {
    this.out.advertDirty = false;
    this.lastSentStatusMs = this.out.nowMs;
    this.out.counters.heartbeatsOut++;
    this.out.send(statusFields(this.ownStatus, this.config.deadtimeMs, this.advert()));
  }

  sendResourceReport(info: string | undefined): void {
    const isStable = this.isResourceStable();
    this.reportedStable = isStable;
    this.out.send(resourceFields(this.holdWord(), isStable, info, this.advert()));
  }

  /** Heartbeat's isstable: negotiation over and no action pending. */
  isResourceStable(): boolean {
    return this.membership.phase === 'stable' && this.groups.settled();
  }

  advert(): OwnershipAdvert {
    return {
      cfg: this.fingerprint,
      phase: this.membership.phase,
      held: this.groups.heldIds(),
      claims: [...this.groups.claims],
      // Without an arbiter lease we can run nothing: placement elsewhere must skip us.
      declines: this.arbiter?.declinesWhileBlocked() ?? [...this.groups.declines],
      failed: this.groups.failedIds(),
      handoffs: this.groups.handoffs(),
      incarnation: this.groups.token(),
      seen: [...this.peers.all()]
        .filter((p) => p.incarnation !== undefined && this.membership.isCandidate(p.name))
        .map((p) => `${p.name}:${p.incarnation ?? ''}`),
      fenced: this.fencing.fencedAdvert(),
      failCounts: this.groups.failCounts(),
      ...this.arbitrationAdvert(),
    };
  }

  /** hbts_quorum and hbts_ping, only when configured (adverts of other clusters stay as they were). */
  private arbitrationAdvert(): Pick<OwnershipAdvert, 'quorum' | 'pingNodes'> {
    const { quorum, pingNodes } = this.membership.arbitration;
    return {
      ...(quorum.enforced ? { quorum: quorum.quorate } : {}),
      ...(pingNodes.configured ? { pingNodes: pingNodes.counted() } : {}),
    };
  }

  /** Heartbeat's rsc_hold word for what runs here. */
  holdWord(): HoldWord {
    let local = false;
    let foreign = false;
    for (const g of this.groups.list) {
      if (!this.groups.holdsHere(g)) continue;
      if (this.groups.inSet(g, 'local')) local = true;
      else foreign = true;
    }
    return local && foreign ? 'all' : local ? 'local' : foreign ? 'foreign' : 'none';
  }
}
