// The resource groups as this node runs them: the collection of LocalGroup records (local-group.ts),
// what we claim and decline, who held each group last, and each group's one pending action
// (probe, gate, acquire, release) from request to result; what a result means for the group is in
// group-action-results.ts. Every transition checks its invariants (never two actions on one group;
// release only what runs here; acquire only what is stopped).
import type { ClusterConfig, GroupId, NodeName, ResourceGroup } from '../config/types.js';
import { applyActionResult, type ResultContext } from './group-action-results.js';
import { freshLocalGroup, type LocalGroup } from './local-group.js';
import type { Outbox } from './outbox.js';
import type { Action, ActionId, MonoMs, Random, ResourceSet } from './types.js';

export class LocalGroups {
  /** ha.cf order; a reload replaces the list (setList). */
  list: readonly LocalGroup[];
  private readonly byId = new Map<GroupId, LocalGroup>();
  /** Groups we ask for (takeover, or a returning home node with auto_failback on). */
  readonly claims = new Set<GroupId>();
  /** Groups we refuse (standby). */
  readonly declines = new Set<GroupId>();
  /** Last node seen holding each group; a dead last holder means the gate must be asked. */
  readonly lastHolder = new Map<GroupId, NodeName>();
  /** Random id of this incarnation: peers echo it in `hbts_seen` once they have heard us. */
  private readonly incarnation: string;
  /**
   * Bumped whenever we claim more groups; advertised as `hbts_inc=<incarnation>.<version>`, so a
   * peer's echo in `hbts_seen` also acknowledges our latest claims. We act on a claim only once
   * every live peer echoed it: a peer deciding at the same moment has then told us what it holds.
   */
  private claimVersion = 0;
  private probesPending = 0;
  private readonly actionIndex = new Map<ActionId, LocalGroup>();
  private readonly results: ResultContext;

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    random: Random,
    private readonly out: Outbox,
  ) {
    this.incarnation = Math.floor(random.next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
    this.results = { out, config, self, claims: this.claims, lastHolder: this.lastHolder };
    this.list = config.resourceGroups.map((group) => this.fresh(group));
    for (const g of this.list) this.byId.set(g.group.id, g);
  }

  /** A group as it starts: stopped here, and claimed by its home node (auto_failback on or legacy). */
  fresh(group: ResourceGroup): LocalGroup {
    // A returning home node asks for its groups back (auto_failback on; legacy's ip-request).
    if (this.config.autoFailback !== 'off' && group.homeNode === this.self) this.claims.add(group.id);
    return freshLocalGroup(group);
  }

  /**
   * A reload's new group list (reconfigure.ts builds it from the old entries, so the state of an
   * unchanged group carries over untouched). What a dropped group claimed or declined goes with it.
   */
  setList(next: readonly LocalGroup[]): void {
    this.list = next;
    this.byId.clear();
    for (const g of next) this.byId.set(g.group.id, g);
    for (const set of [this.claims, this.declines])
      for (const id of [...set]) if (!this.byId.has(id)) set.delete(id);
    for (const id of [...this.lastHolder.keys()]) if (!this.byId.has(id)) this.lastHolder.delete(id);
  }

  get(id: GroupId): LocalGroup | undefined {
    return this.byId.get(id);
  }

  has(id: GroupId): boolean {
    return this.byId.has(id);
  }

  /** `incarnation.claimVersion`: what peers echo in `hbts_seen`. */
  token(): string {
    return `${this.incarnation}.${this.claimVersion}`;
  }

  /** We claimed more groups: every peer must echo the new token before we act on them. */
  bumpClaimVersion(): void {
    this.claimVersion++;
  }

  /**
   * Starting, running or stopping here, or about to start (waiting for the gate): peers must learn
   * of the intent in the same heartbeat that could otherwise tell them the group is free.
   */
  holdsHere(g: LocalGroup): boolean {
    return (
      g.state === 'starting' ||
      g.state === 'running' ||
      g.state === 'stopping' ||
      g.stopFailed ||
      g.pending?.kind === 'gate'
    );
  }

  heldIds(): GroupId[] {
    return this.list.filter((g) => this.holdsHere(g)).map((g) => g.group.id);
  }

  failedIds(): GroupId[] {
    return this.list.filter((g) => g.failedHere).map((g) => g.group.id);
  }

  /** Fail counts of failed health checks here, for the groups that have any. */
  failCounts(): Map<GroupId, number> {
    return new Map(
      this.list.flatMap((g) => (g.monitorFailures > 0 ? [[g.group.id, g.monitorFailures] as const] : [])),
    );
  }

  handoffs(): Map<GroupId, NodeName> {
    return new Map(
      this.list.flatMap((g) => (g.handoffTo !== undefined ? [[g.group.id, g.handoffTo] as const] : [])),
    );
  }

  /** Groups of a Heartbeat resource set, relative to `node` (local = homed on it). */
  inSet(g: LocalGroup, set: ResourceSet, node: NodeName = this.self): boolean {
    const local = g.group.homeNode === node;
    return set === 'all' || (set === 'local' && local) || (set === 'foreign' && !local);
  }

  /** No action pending at all (isstable). */
  settled(): boolean {
    return this.list.every((g) => g.pending === undefined);
  }

  /** A start, stop or gate is pending (Heartbeat's `transition`; start-up probes do not count). */
  inTransition(): boolean {
    return this.list.some((g) => g.pending !== undefined && g.pending.kind !== 'probe');
  }

  probesDone(): boolean {
    return this.probesPending === 0;
  }

  nextWakeMs(nowMs: MonoMs): MonoMs {
    let next = Infinity;
    for (const g of this.list) if (g.gateRetryAtMs > nowMs) next = Math.min(next, g.gateRetryAtMs);
    return next;
  }

  // ------------------------------------------------------------------------------------------
  // Requests

  /** Ask the shell, for every group, whether it already runs here (start-up). */
  probeAll(): void {
    for (const g of this.list) {
      if (!this.idle(g, 'probe')) continue;
      const id = this.newAction(g, 'probe');
      this.probesPending++;
      this.out.act({ kind: 'probe', id, group: g.group.id });
    }
  }

  /** Ask the fencing/arbitration gate whether we may take `g` over from `fromNode`. */
  askGate(g: LocalGroup, fromNode: NodeName): void {
    if (!this.idle(g, 'gate')) return;
    const id = this.newAction(g, 'gate');
    this.out.advertDirty = true;
    this.out.act({ kind: 'gate', id, group: g.group.id, fromNode });
  }

  /** Ask the shell to take the group's key under the arbiter lease `lease`. */
  askArbiter(g: LocalGroup, lease: string): void {
    if (!this.idle(g, 'arbiter-claim')) return;
    const id = this.newAction(g, 'arbiter-claim');
    g.arbiterClaimLease = lease;
    this.out.act({
      kind: 'arbiter-claim',
      id,
      group: g.group.id,
      reason: `key for ${g.group.id} under lease ${lease}`,
    });
  }

  startAcquire(g: LocalGroup, reason: string): void {
    if (!this.idle(g, 'acquire')) return;
    const startable = g.state === 'stopped' || (g.state === 'failed' && !g.stopFailed);
    if (!this.out.invariant(startable, `acquire of ${g.group.id} while ${g.state}`, { group: g.group.id }))
      return;
    const id = this.newAction(g, 'acquire');
    g.state = 'starting';
    g.gatePassedFrom = undefined;
    g.arbiterHeld = g.arbiterGrant; // used: the key stays ours until the group is released
    g.arbiterGrant = undefined;
    g.handoffTo = undefined;
    this.lastHolder.set(g.group.id, this.self);
    this.out.counters.takeovers++;
    this.out.advertDirty = true;
    this.out.emit('takeover', 'info', `acquiring group ${g.group.id} (${reason})`, { group: g.group.id });
    this.out.act({ kind: 'acquire', id, group: g.group.id, reason });
  }

  startRelease(g: LocalGroup, reason: string, target: NodeName | undefined): void {
    if (!this.idle(g, 'release')) return;
    if (
      !this.out.invariant(g.state === 'running', `release of ${g.group.id} not held here (${g.state})`, {
        group: g.group.id,
      })
    )
      return;
    g.handoffTo = target !== undefined && target !== this.self ? target : undefined;
    g.handoffTakenAtMs = undefined;
    const id = this.newAction(g, 'release');
    g.state = 'stopping';
    this.out.counters.releases++;
    this.out.advertDirty = true;
    this.out.emit('release', 'info', `releasing group ${g.group.id} (${reason})`, { group: g.group.id });
    this.out.act({ kind: 'release', id, group: g.group.id, reason });
  }

  /**
   * Restart in place after a failed check: the group stays held here (running) throughout, so no
   * peer sees it free; only the resources from `fromResource` on are stopped and started again.
   */
  startRestart(g: LocalGroup, fromResource: number, reason: string): void {
    if (!this.idle(g, 'restart')) return;
    if (
      !this.out.invariant(g.state === 'running', `restart of ${g.group.id} not running here (${g.state})`, {
        group: g.group.id,
      })
    )
      return;
    const id = this.newAction(g, 'restart');
    this.out.counters.restarts = (this.out.counters.restarts ?? 0) + 1;
    this.out.emit('restart', 'warn', `restarting group ${g.group.id} in place (${reason})`, {
      group: g.group.id,
    });
    this.out.act({ kind: 'restart', id, group: g.group.id, fromResource, reason });
  }

  private idle(g: LocalGroup, next: Action['kind']): boolean {
    const p = g.pending;
    return this.out.invariant(
      p === undefined,
      `${next} of ${g.group.id} while its ${p?.kind ?? ''} ${p?.id ?? ''} is pending`,
      { group: g.group.id },
    );
  }

  private newAction(g: LocalGroup, kind: Action['kind']): ActionId {
    const id = this.out.newActionId();
    this.actionIndex.set(id, g);
    g.pending = { kind, id };
    return id;
  }

  // ------------------------------------------------------------------------------------------
  // Results

  /** Whether `id` is one of our group actions (others belong to fencing). */
  owns(id: ActionId): boolean {
    return this.actionIndex.has(id);
  }

  onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void {
    const g = this.actionIndex.get(id);
    if (
      !this.out.invariant(
        g !== undefined && g.pending?.id === id,
        `result for action ${id}, which is not pending`,
      )
    )
      return;
    if (g === undefined || g.pending === undefined) return;
    this.actionIndex.delete(id);
    const kind = g.pending.kind;
    g.pending = undefined;
    const why = detail !== undefined && detail.length > 0 ? `: ${detail}` : '';
    if (kind === 'probe') {
      this.probesPending--;
      this.out.invariant(this.probesPending >= 0, 'more probe results than probes');
    }
    applyActionResult(this.results, g, kind, ok, why);
  }
}
