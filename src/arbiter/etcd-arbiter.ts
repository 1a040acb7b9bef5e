// The daemon's etcd client for `arbiter etcd ...` (the core's side is cluster/arbiter.ts). It
// holds one lease, keeps it alive every ttl/6 and tells the core each answer as valid until the
// keepalive's send time + ttl/2 (etcd cannot have expired the lease before then); a lease etcd no
// longer knows is reported lost and a new one is asked for. A group's key
// `<prefix>/group/<id>` (value: our node name) is taken by a transaction on its create revision
// (0 = absent) and attached to the lease; its create revision is the group's fencing token. The
// key goes after the group stopped here, retried until etcd has it; no claim is made for a group
// whose old key is still being given back. Every call has a time limit. The etcd3 package (about
// 35 MB RSS with gRPC) is imported only when an arbiter is configured.
import { readFile } from 'node:fs/promises';
// Types only (erased): the package itself is loaded by start()'s dynamic import.
import type * as Etcd3Types from 'etcd3';
import type { ArbiterConfig, GroupId } from '../config/types.js';
import type { MonoMs } from '../cluster/types.js';

/** What the client tells the daemon (and through it the core). */
export interface ArbiterHooks {
  lease(leaseId: string, validUntilMs: MonoMs): void;
  lost(reason: string): void;
  log(
    level: 'debug' | 'info' | 'warn' | 'error',
    text: string,
    fields?: Record<string, string | number>,
  ): void;
}

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

export interface ClaimOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

type Etcd3Module = typeof Etcd3Types;
type Client = InstanceType<Etcd3Module['Etcd3']>;

class CallTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(`${what}: no answer from etcd within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

function message(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
}

/** etcd3 takes host:port or a URL; a bare host:port means plain http. */
function hostUrl(endpoint: string, tls: boolean): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint;
  return `${tls ? 'https' : 'http'}://${endpoint}`;
}

export class EtcdArbiter {
  private leaseId: string | undefined;
  private validUntilMs: MonoMs | undefined;
  private granting = false;
  private reachable = false;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly tokens = new Map<GroupId, string>();
  private readonly holders = new Map<GroupId, string | null>();
  /** Groups stopping here: their key goes once stopped; no claim meanwhile. */
  private readonly stopping = new Set<GroupId>();
  /** Keys to delete (group -> lease they were under), retried at every tick. */
  private readonly pendingDeletes = new Map<GroupId, string>();
  private readonly callMs: number;
  private readonly tickMs: number;

  private constructor(
    private readonly etcd: Etcd3Module,
    private readonly client: Client,
    private readonly config: ArbiterConfig,
    private readonly self: string,
    private readonly groups: readonly GroupId[],
    private readonly hooks: ArbiterHooks,
    private readonly now: () => MonoMs,
  ) {
    this.tickMs = Math.round(config.ttlMs / 6);
    // An answer later than this cannot help any more: the next tick asks again.
    this.callMs = Math.max(200, Math.min(2000, Math.round(config.ttlMs / 4)));
  }

  /** Loads etcd3, builds the client (TLS files read now) and starts asking for a lease. */
  static async start(
    config: ArbiterConfig,
    self: string,
    groups: readonly GroupId[],
    hooks: ArbiterHooks,
    now: () => MonoMs,
  ): Promise<EtcdArbiter> {
    const etcd = await import('etcd3');
    const tls = config.tls;
    const credentials =
      tls === undefined
        ? undefined
        : {
            rootCertificate: await readFile(tls.cacert),
            ...(tls.cert !== undefined && tls.key !== undefined
              ? { certChain: await readFile(tls.cert), privateKey: await readFile(tls.key) }
              : {}),
          };
    const client = new etcd.Etcd3({
      hosts: config.endpoints.map((e) => hostUrl(e, tls !== undefined)),
      ...(credentials !== undefined ? { credentials } : {}),
      dialTimeout: Math.min(2000, config.ttlMs / 4),
      // Reconnect quickly once etcd is back: gRPC's default backoff grows to two minutes.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 },
    });
    const a = new EtcdArbiter(etcd, client, config, self, groups, hooks, now);
    a.schedule(0);
    return a;
  }

  private keyOf(group: GroupId): string {
    return `${this.config.prefix}/group/${encodeURIComponent(group)}`;
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
        await this.retryDeletes();
        await this.readHolders();
      }
    } catch (err) {
      this.failed(err);
    } finally {
      this.schedule(this.tickMs);
    }
  }

  private failed(err: unknown): void {
    const text = message(err);
    if (this.reachable || this.lastError !== text)
      this.hooks.log('warn', 'arbiter: etcd did not answer', { error: text });
    this.reachable = false;
    this.lastError = text;
  }

  private answered(): void {
    if (!this.reachable && this.lastError !== undefined)
      this.hooks.log('info', 'arbiter: etcd answers again');
    this.reachable = true;
    this.lastError = undefined;
  }

  private async grant(): Promise<void> {
    if (this.granting) return;
    this.granting = true;
    const sentAtMs = this.now();
    try {
      const ttl = Math.round(this.config.ttlMs / 1000);
      const res = await withTimeout(
        this.client.leaseClient.leaseGrant({ TTL: ttl }),
        this.callMs,
        'lease grant',
      );
      this.answered();
      this.leaseId = res.ID;
      this.validUntilMs = sentAtMs + this.config.ttlMs / 2;
      this.hooks.log('info', 'arbiter: lease granted', { lease: res.ID, ttl: res.TTL });
      this.hooks.lease(res.ID, this.validUntilMs);
    } finally {
      this.granting = false;
    }
  }

  /**
   * One keepalive exchange on its own stream. etcd3 retries unary calls on another member, not
   * streams: a dead member is skipped here, one attempt per endpoint within ttl/4, each with its share.
   */
  private async keepaliveOnce(lease: string): Promise<string> {
    const startMs = this.now();
    // Each member gets its share of the budget, so a dead one cannot use it all up: a live
    // member on the same network answers in milliseconds.
    const perTryMs = Math.max(100, Math.floor(this.callMs / this.config.endpoints.length));
    let last: unknown;
    for (let i = 0; i < this.config.endpoints.length; i++) {
      const leftMs = Math.min(perTryMs, Math.round(this.callMs - (this.now() - startMs)));
      if (leftMs <= 0) break;
      try {
        const stream = await withTimeout(
          this.client.leaseClient.leaseKeepAlive({ deadline: new Date(Date.now() + leftMs) }),
          leftMs,
          'lease keepalive',
        );
        try {
          return await withTimeout(
            new Promise<string>((resolve, reject) => {
              stream.on('data', (r: { TTL: string }) => resolve(r.TTL));
              stream.on('error', reject);
              stream.write({ ID: lease });
            }),
            leftMs,
            'lease keepalive',
          );
        } finally {
          stream.end();
        }
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new CallTimeout('lease keepalive: no attempt left');
  }

  private async keepalive(lease: string): Promise<void> {
    const sentAtMs = this.now();
    const ttl = await this.keepaliveOnce(lease);
    this.answered();
    if (this.leaseId !== lease) return;
    if (Number(ttl) <= 0) {
      // etcd no longer knows it: it expired (we were cut off or frozen too long) with its keys.
      this.leaseId = undefined;
      this.validUntilMs = undefined;
      this.tokens.clear();
      this.pendingDeletes.clear();
      this.hooks.log('warn', 'arbiter: lease expired at etcd; asking for a new one', { lease });
      this.hooks.lost(`lease ${lease} has expired at etcd`);
      await this.grant();
      return;
    }
    this.validUntilMs = sentAtMs + this.config.ttlMs / 2;
    this.hooks.lease(lease, this.validUntilMs);
  }

  private async readHolders(): Promise<void> {
    const prefix = `${this.config.prefix}/group/`;
    const res = await withTimeout(
      this.client.kv.range({ key: Buffer.from(prefix), range_end: Buffer.from(prefixEnd(prefix)) }),
      this.callMs,
      'read keys',
    );
    this.holders.clear();
    for (const g of this.groups) this.holders.set(g, null);
    for (const kv of res.kvs) {
      const group = decodeURIComponent(kv.key.toString().slice(prefix.length)) as GroupId;
      this.holders.set(group, kv.value.toString());
    }
  }

  // ------------------------------------------------------------------------------------------
  // Keys

  /** The core's arbiter-claim: the group's key under our lease. */
  async claim(group: GroupId): Promise<ClaimOutcome> {
    const lease = this.leaseId;
    if (lease === undefined) return { ok: false, detail: 'no lease from etcd' };
    if (this.stopping.has(group) || this.pendingDeletes.has(group))
      return { ok: false, detail: 'still giving back its previous key' };
    const key = Buffer.from(this.keyOf(group));
    try {
      const res = await withTimeout(
        this.client.kv.txn({
          compare: [
            {
              key,
              target: this.etcd.CompareTarget.Create,
              result: this.etcd.CompareResult.Equal,
              create_revision: 0,
            },
          ],
          success: [{ request_put: { key, value: Buffer.from(this.self), lease } }],
          failure: [{ request_range: { key } }],
        }),
        this.callMs,
        'claim',
      );
      this.answered();
      if (res.succeeded) return this.granted(group, res.header.revision, lease);
      const kv = res.responses[0]?.response_range.kvs[0];
      if (kv === undefined) return { ok: false, detail: 'the key vanished during the claim; asking again' };
      if (kv.lease === lease && kv.value.toString() === this.self)
        return this.granted(group, kv.create_revision, lease);
      if (kv.value.toString() === this.self)
        return await this.adopt(group, key, kv.mod_revision, kv.create_revision, lease);
      this.holders.set(group, kv.value.toString());
      return { ok: false, detail: `held by ${kv.value.toString()} (lease ${kv.lease})` };
    } catch (err) {
      this.failed(err);
      return { ok: false, detail: `etcd: ${message(err)}` };
    }
  }

  /**
   * Our previous run's key (the daemon restarted; the group still runs here): moved under the new
   * lease if nobody changed it meanwhile. A put keeps the create revision, so the token stays.
   */
  private async adopt(
    group: GroupId,
    key: Buffer,
    modRevision: string,
    token: string,
    lease: string,
  ): Promise<ClaimOutcome> {
    const res = await withTimeout(
      this.client.kv.txn({
        compare: [
          {
            key,
            target: this.etcd.CompareTarget.Mod,
            result: this.etcd.CompareResult.Equal,
            mod_revision: modRevision,
          },
        ],
        success: [{ request_put: { key, value: Buffer.from(this.self), lease } }],
      }),
      this.callMs,
      'adopt key',
    );
    if (!res.succeeded) return { ok: false, detail: 'the key changed during the claim; asking again' };
    this.hooks.log('info', "arbiter: our previous run's key moved under the new lease", { group, token });
    return this.granted(group, token, lease);
  }

  private granted(group: GroupId, token: string, lease: string): ClaimOutcome {
    this.tokens.set(group, token);
    this.holders.set(group, this.self);
    return { ok: true, detail: `fencing token ${token} (lease ${lease})` };
  }

  /** HBTS_FENCING_TOKEN for the group's scripts, while we hold its key. */
  token(group: GroupId): string | undefined {
    return this.tokens.get(group);
  }

  /** A stop of the group begins here: no claim for it until its key is gone. */
  stoppingGroup(group: GroupId): void {
    this.stopping.add(group);
  }

  /**
   * The group is stopped here (`stopped`: its key goes now, waited for within the call limit, then
   * retried in the background), or its stop failed (it may still run: the key stays ours).
   */
  async stoppedGroup(group: GroupId, stopped: boolean): Promise<void> {
    this.stopping.delete(group);
    if (!stopped) return;
    this.tokens.delete(group);
    const lease = this.leaseId;
    if (lease === undefined) return; // the lease is gone, and its keys with it
    this.pendingDeletes.set(group, lease);
    await this.deleteKey(group, lease);
  }

  private async retryDeletes(): Promise<void> {
    for (const [group, lease] of [...this.pendingDeletes]) await this.deleteKey(group, lease);
  }

  /** Deletes the key only while it is still under `lease` (never another node's). */
  private async deleteKey(group: GroupId, lease: string): Promise<void> {
    const key = Buffer.from(this.keyOf(group));
    try {
      await withTimeout(
        this.client.kv.txn({
          compare: [
            { key, target: this.etcd.CompareTarget.Lease, result: this.etcd.CompareResult.Equal, lease },
          ],
          success: [{ request_delete_range: { key } }],
        }),
        this.callMs,
        'give back key',
      );
      if (this.pendingDeletes.get(group) === lease) this.pendingDeletes.delete(group);
      if (this.holders.get(group) === this.self) this.holders.set(group, null);
    } catch (err) {
      this.failed(err);
    }
  }

  status(): ArbiterStatus {
    return {
      endpoints: this.config.endpoints,
      prefix: this.config.prefix,
      ttlMs: this.config.ttlMs,
      leaseId: this.leaseId,
      ttlLeftMs:
        this.validUntilMs !== undefined ? Math.max(0, Math.round(this.validUntilMs - this.now())) : undefined,
      reachable: this.reachable,
      lastError: this.lastError,
      holders: Object.fromEntries(this.groups.map((g) => [g, this.holders.get(g) ?? null])),
      tokens: Object.fromEntries(this.tokens),
    };
  }

  /** Stops the keepalives; `revoke` (a clean stop, every group released) gives the lease back. */
  async close(revoke: boolean): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const lease = this.leaseId;
    if (revoke && lease !== undefined) {
      try {
        await withTimeout(this.client.leaseClient.leaseRevoke({ ID: lease }), this.callMs, 'revoke');
      } catch (err) {
        this.hooks.log('warn', 'arbiter: could not revoke the lease; it expires on its own', {
          error: message(err),
        });
      }
    }
    this.client.close();
  }
}

/** The range end that covers every key starting with `prefix` (etcd's prefix convention). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
