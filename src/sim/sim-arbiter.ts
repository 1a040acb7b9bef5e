// The simulator's arbiter: a linearizable lease service (every operation takes effect at the one
// moment its request reaches the service, on the simulator's clock: no skew) with its own
// partitions between each node and the service, and on each node the client the daemon runs
// (arbiter/etcd-arbiter.ts does the same against etcd): grant a lease, keep it alive every ttl/6,
// tell the core each answer as valid until the keepalive's send time + ttl/2, claim a group's key
// by a transaction on its create revision, delete it after the group stopped. The client runs in
// the node's process: a paused node sends and hears nothing until it resumes.
import type { Action, MonoMs } from '../cluster/types.js';
import type { GroupId } from '../config/types.js';
import { Prng } from './prng.js';
import type { SimNode } from './sim-node.js';

/** What the lease service needs of the simulator. */
export interface ArbiterHost {
  readonly nowMs: MonoMs;
  at(timeMs: MonoMs, fn: () => void): void;
  node(index: number): SimNode;
  /** Feed the node's core an input now. */
  arbiterInput(
    n: SimNode,
    command:
      | { kind: 'arbiter-lease'; leaseId: string; validUntilMs: MonoMs }
      | { kind: 'arbiter-lost'; reason: string },
  ): void;
  /** Hand an action's result back to the core (respects pause and incarnation). */
  actionResult(index: number, incarnation: number, actionId: number, ok: boolean, detail: string): void;
  log(text: string): void;
}

interface Lease {
  readonly node: number;
  expiresAtMs: MonoMs;
}

interface Key {
  readonly leaseId: string;
  readonly node: number;
  readonly createRevision: number;
}

/** One node's client (one per incarnation of its daemon). */
interface Client {
  readonly incarnation: number;
  leaseId: string | undefined;
  granting: boolean;
  readonly pendingDeletes: Map<GroupId, string>;
  /** Groups being stopped: their key goes once the stop is done, and no claim is made meanwhile. */
  readonly stopping: Set<GroupId>;
}

type Answer<T> = (value: T) => void;

export class SimLeaseService {
  /** Nodes that cannot reach the service (both ways). */
  readonly cut = new Set<number>();
  private readonly leases = new Map<string, Lease>();
  private readonly keys = new Map<GroupId, Key>();
  private revision = 1;
  private nextLease = 1;
  private readonly clients = new Map<number, Client>();
  private readonly rng: Prng;
  /** Every key granted, in order: group, node, fencing token (the simulator checks they only grow). */
  readonly grants: { group: GroupId; node: number; token: number; atMs: MonoMs }[] = [];

  constructor(
    private readonly host: ArbiterHost,
    readonly ttlMs: number,
    seed: number,
  ) {
    this.rng = new Prng(seed ^ 0x2f6b_a1c3);
  }

  /** Who holds the key of each group now, as the service sees it. */
  holder(group: GroupId): number | undefined {
    this.expire();
    return this.keys.get(group)?.node;
  }

  // ------------------------------------------------------------------------------------------
  // The service (state changes at the moment a request arrives)

  private expire(): void {
    const now = this.host.nowMs;
    for (const [id, l] of this.leases) {
      if (l.expiresAtMs > now) continue;
      this.leases.delete(id);
      for (const [g, k] of this.keys) if (k.leaseId === id) this.keys.delete(g);
      this.host.log(`arbiter: lease ${id} of ${this.host.node(l.node).name} expired`);
    }
  }

  private grant(node: number): string {
    const id = `L${this.nextLease++}`;
    this.leases.set(id, { node, expiresAtMs: this.host.nowMs + this.ttlMs });
    return id;
  }

  private keepalive(id: string): boolean {
    this.expire();
    const l = this.leases.get(id);
    if (l === undefined) return false;
    l.expiresAtMs = this.host.nowMs + this.ttlMs;
    return true;
  }

  private txnClaim(group: GroupId, leaseId: string, node: number): { ok: boolean; detail: string } {
    this.expire();
    if (!this.leases.has(leaseId)) return { ok: false, detail: `lease ${leaseId} has expired` };
    const k = this.keys.get(group);
    if (k === undefined) {
      const token = ++this.revision;
      this.keys.set(group, { leaseId, node, createRevision: token });
      this.grants.push({ group, node, token, atMs: this.host.nowMs });
      return { ok: true, detail: `fencing token ${token}` };
    }
    if (k.leaseId === leaseId) return { ok: true, detail: `fencing token ${k.createRevision}` };
    if (k.node === node) {
      // Our previous run's key (a restart): it comes under the new lease, token unchanged.
      this.revision++;
      this.keys.set(group, { leaseId, node, createRevision: k.createRevision });
      return { ok: true, detail: `fencing token ${k.createRevision}` };
    }
    return { ok: false, detail: `held by ${this.host.node(k.node).name}` };
  }

  private txnDelete(group: GroupId, leaseId: string): void {
    const k = this.keys.get(group);
    if (k !== undefined && k.leaseId === leaseId) {
      this.revision++;
      this.keys.delete(group);
    }
  }

  // ------------------------------------------------------------------------------------------
  // The network between a node and the service

  /** Runs `fn` in the node's process: later while it is paused, never for another incarnation. */
  private onNode(index: number, incarnation: number, atMs: MonoMs, fn: () => void): void {
    this.host.at(atMs, () => {
      const n = this.host.node(index);
      if (n.core === undefined || n.incarnation !== incarnation) return;
      if (n.pausedUntilMs > this.host.nowMs) {
        this.onNode(index, incarnation, n.pausedUntilMs + 0.001, fn);
        return;
      }
      fn();
    });
  }

  /** A request and its answer, each lost while the node is cut from the service. */
  private call<T>(index: number, incarnation: number, op: () => T, answer: Answer<T>): void {
    if (this.cut.has(index)) return;
    const there = 0.5 + this.rng.next() * 2.5;
    this.host.at(this.host.nowMs + there, () => {
      if (this.cut.has(index)) return;
      const value = op();
      const back = 0.5 + this.rng.next() * 2.5;
      this.host.at(this.host.nowMs + back, () => {
        if (this.cut.has(index)) return;
        this.onNode(index, incarnation, this.host.nowMs, () => answer(value));
      });
    });
  }

  // ------------------------------------------------------------------------------------------
  // The client on each node

  private input(
    index: number,
    incarnation: number,
    command: Parameters<ArbiterHost['arbiterInput']>[1],
  ): void {
    const n = this.host.node(index);
    if (n.core === undefined || n.incarnation !== incarnation) return;
    this.host.log(
      `${n.name} arbiter ${command.kind === 'arbiter-lease' ? `lease ${command.leaseId} valid until ${command.validUntilMs.toFixed(1)}` : `lost: ${command.reason}`}`,
    );
    this.host.arbiterInput(n, command);
  }

  /** The node's daemon (re)started: a new client, which asks for a lease. */
  started(index: number): void {
    const n = this.host.node(index);
    const c: Client = {
      incarnation: n.incarnation,
      leaseId: undefined,
      granting: false,
      pendingDeletes: new Map(),
      stopping: new Set(),
    };
    this.clients.set(index, c);
    this.tick(index, c);
  }

  private tick(index: number, c: Client): void {
    if (this.clients.get(index) !== c) return;
    const sentAtMs = this.host.nowMs;
    const lease = c.leaseId;
    if (lease === undefined) {
      if (!c.granting) {
        c.granting = true;
        this.call(
          index,
          c.incarnation,
          () => this.grant(index),
          (id) => {
            c.granting = false;
            c.leaseId = id;
            this.input(index, c.incarnation, {
              kind: 'arbiter-lease',
              leaseId: id,
              validUntilMs: sentAtMs + this.ttlMs / 2,
            });
          },
        );
        // An unanswered grant is asked again at the next tick.
        this.onNode(index, c.incarnation, sentAtMs + this.ttlMs / 6, () => (c.granting = false));
      }
    } else {
      this.call(
        index,
        c.incarnation,
        () => this.keepalive(lease),
        (alive) => {
          if (c.leaseId !== lease) return;
          if (alive) {
            this.input(index, c.incarnation, {
              kind: 'arbiter-lease',
              leaseId: lease,
              validUntilMs: sentAtMs + this.ttlMs / 2,
            });
            return;
          }
          c.leaseId = undefined;
          c.pendingDeletes.clear(); // the keys went with the lease
          this.input(index, c.incarnation, {
            kind: 'arbiter-lost',
            reason: `lease ${lease} has expired at the arbiter`,
          });
        },
      );
      for (const [g, l] of c.pendingDeletes) {
        this.call(
          index,
          c.incarnation,
          () => this.txnDelete(g, l),
          () => {
            if (c.pendingDeletes.get(g) === l) c.pendingDeletes.delete(g);
          },
        );
      }
    }
    this.onNode(index, c.incarnation, sentAtMs + this.ttlMs / 6, () => this.tick(index, c));
  }

  /** The core's arbiter-claim / arbiter-drop. */
  perform(n: SimNode, a: Extract<Action, { kind: 'arbiter-claim' | 'arbiter-drop' }>): void {
    const c = this.clients.get(n.index);
    if (a.kind === 'arbiter-drop') {
      this.released(n, a.group);
      return;
    }
    const lease = c?.leaseId;
    if (c === undefined || lease === undefined) {
      this.host.actionResult(n.index, n.incarnation, a.id, false, 'no lease');
      return;
    }
    if (c.stopping.has(a.group) || c.pendingDeletes.has(a.group)) {
      // Its old key is still being given back: a claim now would race the delete.
      this.host.actionResult(n.index, n.incarnation, a.id, false, 'still giving back its previous key');
      return;
    }
    let answered = false;
    const answer = (ok: boolean, detail: string): void => {
      if (answered) return;
      answered = true;
      this.host.actionResult(n.index, c.incarnation, a.id, ok, detail);
    };
    this.call(
      n.index,
      c.incarnation,
      () => this.txnClaim(a.group, lease, n.index),
      (r) => answer(r.ok, r.detail),
    );
    this.onNode(n.index, c.incarnation, this.host.nowMs + this.ttlMs / 4, () =>
      answer(false, 'the arbiter did not answer in time'),
    );
  }

  /** A stop (release) of the group begins here. */
  stopping(n: SimNode, group: GroupId): void {
    const c = this.clients.get(n.index);
    if (c !== undefined && c.incarnation === n.incarnation) c.stopping.add(group);
  }

  /**
   * The group stopped here (`stopped`), or a stop failed and it still runs (the key stays). Its key
   * goes, retried until the service has it.
   */
  released(n: SimNode, group: GroupId, stopped = true): void {
    const c = this.clients.get(n.index);
    if (c === undefined || c.incarnation !== n.incarnation) return;
    c.stopping.delete(group);
    const lease = c.leaseId;
    if (lease === undefined || !stopped) return;
    c.pendingDeletes.set(group, lease);
    this.call(
      n.index,
      c.incarnation,
      () => this.txnDelete(group, lease),
      () => {
        if (c.pendingDeletes.get(group) === lease) c.pendingDeletes.delete(group);
      },
    );
  }
}
