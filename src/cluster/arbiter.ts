// The lease arbiter as the core sees it (`arbiter etcd ...`): a group is held only while this node
// owns a key for it under a live lease. The shell (arbiter/etcd-arbiter.ts, or the simulator's
// lease service) keeps the lease alive and tells us each keepalive answer as `arbiter-lease`
// (valid until the keepalive's send time + ttl/2: etcd cannot have expired it before then). At
// that deadline without a newer answer, or on `arbiter-lost`, this node releases every group at
// once and takes none until a lease is held again, well before etcd lets another node take the
// key (at ttl). Before every acquire (failover, cold start, takeover, heal) the group's key is
// claimed (`arbiter-claim`); a key claimed and then not used is given back (`arbiter-drop`).
// Placement learns of a node without a lease from its advert: it declines every group.
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { ArbiterCoreStatus, MonoMs } from './types.js';

export class Arbiter {
  readonly configured: boolean;
  private leaseId: string | undefined;
  private validUntilMs: MonoMs = -Infinity;
  private readonly warnedPeers = new Set<NodeName>();

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
  ) {
    this.configured = config.arbiter !== undefined;
    // Start-up: nothing that needs the arbiter runs here until it has answered once.
    if (this.configured) membership.arbiterBlocked = 'no lease from the arbiter yet';
  }

  /** The lease the group keys must be held under now (undefined: none). */
  get lease(): string | undefined {
    return this.membership.arbiterBlocked === undefined ? this.leaseId : undefined;
  }

  /** Claimed under the current lease and not used yet. */
  granted(g: LocalGroup): boolean {
    return g.arbiterGrant !== undefined && g.arbiterGrant === this.lease;
  }

  nextWakeMs(): MonoMs {
    return this.configured && this.membership.arbiterBlocked === undefined ? this.validUntilMs : Infinity;
  }

  /** A keepalive answer (or the first grant): the lease is ours until validUntilMs. */
  onLease(leaseId: string, validUntilMs: MonoMs): void {
    if (!this.configured) return;
    if (this.membership.arbiterBlocked === undefined && leaseId !== this.leaseId)
      this.block(`lease ${this.leaseId ?? '?'} replaced by ${leaseId}`);
    if (validUntilMs <= this.out.nowMs) return; // an answer that came too late to count
    if (leaseId === this.leaseId) this.validUntilMs = Math.max(this.validUntilMs, validUntilMs);
    else {
      this.leaseId = leaseId;
      this.validUntilMs = validUntilMs;
    }
    if (this.membership.arbiterBlocked === undefined) return;
    this.membership.arbiterBlocked = undefined;
    this.out.factsChanged = true;
    this.out.advertDirty = true;
    this.out.emit('arbiter', 'info', `lease ${leaseId} held; groups may run here again`);
  }

  onLost(reason: string): void {
    if (!this.configured || this.membership.arbiterBlocked !== undefined) return;
    this.block(reason);
  }

  /** Every step, before the input is acted on: a lease past its deadline releases everything now. */
  advance(): void {
    if (!this.configured) return;
    if (this.membership.arbiterBlocked === undefined && this.out.nowMs >= this.validUntilMs) {
      const ttl = this.config.arbiter?.ttlMs ?? 0;
      this.block(
        `no keepalive answer from the arbiter within ttl/2 (${ttl / 2} ms) for lease ${this.leaseId ?? '?'}`,
      );
    }
    for (const p of this.peers.all()) {
      if (p.implementation !== 'heartbeat' || !this.peers.isAlive(p.name) || this.warnedPeers.has(p.name))
        continue;
      this.warnedPeers.add(p.name);
      this.out.emit(
        'arbiter',
        'crit',
        `${p.name} is a real Heartbeat node; it never asks the arbiter, so "never two holders" cannot be honoured in this cluster`,
        { node: p.name },
      );
    }
  }

  private block(reason: string): void {
    this.membership.arbiterBlocked = reason;
    this.leaseId = undefined;
    this.validUntilMs = -Infinity;
    for (const g of this.groups.list) {
      g.arbiterGrant = undefined;
      g.arbiterHeld = undefined;
    }
    this.out.factsChanged = true;
    this.out.advertDirty = true;
    const held = this.groups.heldIds();
    this.out.emit(
      'arbiter',
      'crit',
      `${reason}; ${held.length > 0 ? `releasing ${held.join(', ')} at once` : 'nothing runs here'}, taking nothing until a lease is held again`,
    );
  }

  /**
   * A group running here without its key under the current lease (found running at start-up):
   * it must get the key, or go.
   */
  unkeyed(g: LocalGroup): boolean {
    return (
      this.configured && g.state === 'running' && this.lease !== undefined && g.arbiterHeld !== this.lease
    );
  }

  /** Placement picked us and every other gate said yes: the key first, then the start. */
  needsClaim(g: LocalGroup): boolean {
    return this.configured && !this.granted(g);
  }

  claim(g: LocalGroup): void {
    const lease = this.lease;
    if (lease === undefined || this.out.nowMs < g.gateRetryAtMs) return;
    this.groups.askArbiter(g, lease);
  }

  /** A key we claimed for a start that placement no longer wants here: give it back. */
  dropUnused(g: LocalGroup, target: NodeName | undefined): void {
    if (g.arbiterGrant === undefined || g.pending !== undefined || target === this.self) return;
    g.arbiterGrant = undefined;
    this.out.act({
      kind: 'arbiter-drop',
      group: g.group.id,
      reason: `placement moves it to ${target ?? 'nowhere'}`,
    });
  }

  /** Every group advertised as declined while we hold no lease (placement then skips us). */
  declinesWhileBlocked(): GroupId[] | undefined {
    if (this.membership.arbiterBlocked === undefined) return undefined;
    return this.groups.list.map((g) => g.group.id);
  }

  status(): ArbiterCoreStatus | undefined {
    if (!this.configured) return undefined;
    return {
      leaseId: this.lease,
      validUntilMs: this.lease !== undefined ? this.validUntilMs : undefined,
      blocked: this.membership.arbiterBlocked,
      keys: this.groups.list
        .filter((g) => this.granted(g) || (g.arbiterHeld !== undefined && g.arbiterHeld === this.lease))
        .map((g) => g.group.id),
    };
  }
}
