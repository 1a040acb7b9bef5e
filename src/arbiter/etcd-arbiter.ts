// The daemon's etcd client for `arbiter etcd ...` (the core's side is cluster/arbiter.ts). It
// holds one lease, keeps it alive every ttl/6 and tells the core each answer as valid until the
// keepalive's send time + ttl/2 (etcd cannot have expired the lease before then); a lease etcd no
// longer knows is reported lost and a new one is asked for. The groups' keys under that lease are
// etcd-group-keys.ts's; the client, its call limits and etcd's reachability are
// etcd-connection.ts's (every call has a time limit).
import type { ArbiterConfig } from '../config/arbitration-config.js';
import type { GroupId } from '../config/types.js';
import type { MonoMs } from '../cluster/types.js';
import type { ArbiterHooks } from './arbiter-hooks.js';
import { EtcdConnection, message } from './etcd-connection.js';
import { EtcdGroupKeys } from './etcd-group-keys.js';
import type { ClaimOutcome } from './etcd-group-keys.js';

export interface ArbiterStatus {
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly ttlMs: number;
  readonly leaseId: string | undefined;
  /** Until the core must have released everything, unless a keepalive answer extends it. */
  readonly ttlLeftMs: number | undefined;
  /** etcd answered the last keepalive. */
  readonly reachable: boolean;
  readonly lastError: string | undefined;
  /** Key holder of each group as etcd last told us (undefined: nobody). */
  readonly holders: Readonly<Record<string, string | null>>;
  /** Fencing tokens of the keys we hold. */
  readonly tokens: Readonly<Record<string, string>>;
}

export class EtcdArbiter {
  private leaseId: string | undefined;
  private validUntilMs: MonoMs | undefined;
  private granting = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly keys: EtcdGroupKeys;
  private readonly tickMs: number;

  private constructor(
    private readonly conn: EtcdConnection,
    private readonly config: ArbiterConfig,
    self: string,
    groups: readonly GroupId[],
    private readonly hooks: ArbiterHooks,
    private readonly now: () => MonoMs,
  ) {
    this.keys = new EtcdGroupKeys(conn, config, self, groups, hooks);
    this.tickMs = Math.round(config.ttlMs / 6);
  }

  /** Loads etcd3, builds the client (TLS files read now) and starts asking for a lease. */
  static async start(
    config: ArbiterConfig,
    self: string,
    groups: readonly GroupId[],
    hooks: ArbiterHooks,
    now: () => MonoMs,
  ): Promise<EtcdArbiter> {
    const conn = await EtcdConnection.open(config, hooks, now);
    const a = new EtcdArbiter(conn, config, self, groups, hooks, now);
    a.schedule(0);
    return a;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    try {
      if (this.leaseId === undefined) await this.grant();
      else await this.keepalive(this.leaseId);
      if (this.leaseId !== undefined) {
        await this.keys.retryDeletes();
        await this.keys.readHolders();
      }
    } catch (err) {
      this.conn.failed(err);
    } finally {
      this.schedule(this.tickMs);
    }
  }

  private async grant(): Promise<void> {
    if (this.granting) return;
    this.granting = true;
    const sentAtMs = this.now();
    try {
      const ttl = Math.round(this.config.ttlMs / 1000);
      const res = await this.conn.call(this.conn.client.leaseClient.leaseGrant({ TTL: ttl }), 'lease grant');
      this.conn.answered();
      this.leaseId = res.ID;
      this.validUntilMs = sentAtMs + this.config.ttlMs / 2;
      this.hooks.log('info', 'arbiter: lease granted', { lease: res.ID, ttl: res.TTL });
      this.hooks.lease(res.ID, this.validUntilMs);
    } finally {
      this.granting = false;
    }
  }

  private async keepalive(lease: string): Promise<void> {
    const sentAtMs = this.now();
    const ttl = await this.conn.keepaliveOnce(lease);
    this.conn.answered();
    if (this.leaseId !== lease) return;
    if (Number(ttl) <= 0) {
      // etcd no longer knows it: it expired (we were cut off or frozen too long) with its keys.
      this.leaseId = undefined;
      this.validUntilMs = undefined;
      this.keys.leaseExpired();
      this.hooks.log('warn', 'arbiter: lease expired at etcd; asking for a new one', { lease });
      this.hooks.lost(`lease ${lease} has expired at etcd`);
      await this.grant();
      return;
    }
    this.validUntilMs = sentAtMs + this.config.ttlMs / 2;
    this.hooks.lease(lease, this.validUntilMs);
  }

  /** The core's arbiter-claim: the group's key under our lease. */
  claim(group: GroupId): Promise<ClaimOutcome> {
    return this.keys.claim(group, this.leaseId);
  }

  /** HBTS_FENCING_TOKEN for the group's scripts, while we hold its key. */
  token(group: GroupId): string | undefined {
    return this.keys.token(group);
  }

  /** A stop of the group begins here: no claim for it until its key is gone. */
  stoppingGroup(group: GroupId): void {
    this.keys.stoppingGroup(group);
  }

  /**
   * The group is stopped here (`stopped`: its key goes now, waited for within the call limit, then
   * retried in the background), or its stop failed (it may still run: the key stays ours).
   */
  stoppedGroup(group: GroupId, stopped: boolean): Promise<void> {
    return this.keys.stoppedGroup(group, stopped, this.leaseId);
  }

  status(): ArbiterStatus {
    return {
      endpoints: this.config.endpoints,
      prefix: this.config.prefix,
      ttlMs: this.config.ttlMs,
      leaseId: this.leaseId,
      ttlLeftMs:
        this.validUntilMs !== undefined ? Math.max(0, Math.round(this.validUntilMs - this.now())) : undefined,
      reachable: this.conn.reachable,
      lastError: this.conn.lastError,
      holders: this.keys.holderStatus(),
      tokens: this.keys.tokenStatus(),
    };
  }

  /** Stops the keepalives; `revoke` (a clean stop, every group released) gives the lease back. */
  async close(revoke: boolean): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const lease = this.leaseId;
    if (revoke && lease !== undefined) {
      try {
        await this.conn.call(this.conn.client.leaseClient.leaseRevoke({ ID: lease }), 'revoke');
      } catch (err) {
        this.hooks.log('warn', 'arbiter: could not revoke the lease; it expires on its own', {
          error: message(err),
        });
      }
    }
    this.conn.close();
  }
}
