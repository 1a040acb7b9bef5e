// The groups' keys in etcd: `<prefix>/group/<id>` (value: our node name) is taken by a transaction
// on its create revision (0 = absent) and attached to the lease; its create revision is the
// group's fencing token. The key goes after the group stopped here, retried until etcd has it; no
// claim is made for a group whose old key is still being given back. Also who holds each key, as
// etcd last told us.
import type { ArbiterConfig } from '../config/arbitration-config.js';
import type { GroupId } from '../config/types.js';
import type { ArbiterHooks } from './arbiter-hooks.js';
import { message } from './etcd-connection.js';
import type { EtcdConnection } from './etcd-connection.js';

export interface ClaimOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

export class EtcdGroupKeys {
  private readonly tokens = new Map<GroupId, string>();
  private readonly holders = new Map<GroupId, string | null>();
  /** Groups stopping here: their key goes once stopped; no claim meanwhile. */
  private readonly stopping = new Set<GroupId>();
  /** Keys to delete (group -> lease they were under), retried at every tick. */
  private readonly pendingDeletes = new Map<GroupId, string>();

  constructor(
    private readonly conn: EtcdConnection,
    private readonly config: ArbiterConfig,
    private readonly self: string,
    private readonly groups: readonly GroupId[],
    private readonly hooks: ArbiterHooks,
  ) {}

  private keyOf(group: GroupId): string {
    return `${this.config.prefix}/group/${encodeURIComponent(group)}`;
  }

  /** Who holds each group's key, read again from etcd. */
  async readHolders(): Promise<void> {
    const prefix = `${this.config.prefix}/group/`;
    const res = await this.conn.call(
      this.conn.client.kv.range({ key: Buffer.from(prefix), range_end: Buffer.from(prefixEnd(prefix)) }),
      'read keys',
    );
    this.holders.clear();
    for (const g of this.groups) this.holders.set(g, null);
    for (const kv of res.kvs) {
      const group = decodeURIComponent(kv.key.toString().slice(prefix.length)) as GroupId;
      this.holders.set(group, kv.value.toString());
    }
  }

  /** The core's arbiter-claim: the group's key under our lease (`lease`: the one we hold now). */
  async claim(group: GroupId, lease: string | undefined): Promise<ClaimOutcome> {
    if (lease === undefined) return { ok: false, detail: 'no lease from etcd' };
    if (this.stopping.has(group) || this.pendingDeletes.has(group))
      return { ok: false, detail: 'still giving back its previous key' };
    const key = Buffer.from(this.keyOf(group));
    const { CompareTarget, CompareResult } = this.conn.etcd;
    try {
      const res = await this.conn.call(
        this.conn.client.kv.txn({
          compare: [{ key, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
          success: [{ request_put: { key, value: Buffer.from(this.self), lease } }],
          failure: [{ request_range: { key } }],
        }),
        'claim',
      );
      this.conn.answered();
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
      this.conn.failed(err);
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
    const { CompareTarget, CompareResult } = this.conn.etcd;
    const res = await this.conn.call(
      this.conn.client.kv.txn({
        compare: [{ key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: modRevision }],
        success: [{ request_put: { key, value: Buffer.from(this.self), lease } }],
      }),
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
   * `lease`: the one we hold now.
   */
  async stoppedGroup(group: GroupId, stopped: boolean, lease: string | undefined): Promise<void> {
    this.stopping.delete(group);
    if (!stopped) return;
    this.tokens.delete(group);
    if (lease === undefined) return; // the lease is gone, and its keys with it
    this.pendingDeletes.set(group, lease);
    await this.deleteKey(group, lease);
  }

  async retryDeletes(): Promise<void> {
    for (const [group, lease] of [...this.pendingDeletes]) await this.deleteKey(group, lease);
  }

  /** Deletes the key only while it is still under `lease` (never another node's). */
  private async deleteKey(group: GroupId, lease: string): Promise<void> {
    const key = Buffer.from(this.keyOf(group));
    const { CompareTarget, CompareResult } = this.conn.etcd;
    try {
      await this.conn.call(
        this.conn.client.kv.txn({
          compare: [{ key, target: CompareTarget.Lease, result: CompareResult.Equal, lease }],
          success: [{ request_delete_range: { key } }],
        }),
        'give back key',
      );
      if (this.pendingDeletes.get(group) === lease) this.pendingDeletes.delete(group);
      if (this.holders.get(group) === this.self) this.holders.set(group, null);
    } catch (err) {
      this.conn.failed(err);
    }
  }

  /** The lease expired at etcd, and our keys with it: no token holds and nothing is left to delete. */
  leaseExpired(): void {
    this.tokens.clear();
    this.pendingDeletes.clear();
  }

  /** Key holder of each configured group as etcd last told us (null: nobody). */
  holderStatus(): Record<string, string | null> {
    return Object.fromEntries(this.groups.map((g) => [g, this.holders.get(g) ?? null]));
  }

  /** Fencing tokens of the keys we hold. */
  tokenStatus(): Record<string, string> {
    return Object.fromEntries(this.tokens);
  }
}

/** The range end that covers every key starting with `prefix` (etcd's prefix convention). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
