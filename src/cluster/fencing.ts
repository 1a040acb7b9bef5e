// Fencing (STONITH): which dead nodes must be powered off before anything of theirs is taken,
// who fences them, when, and how it went. A dead node is a node declared dead that did not leave
// gracefully, or one never heard within initdead (start-up fencing, as Pacemaker does). While any
// fenceable node is dead and not yet fenced, this node starts no group at all: that node may
// still run anything it held, or took during a partition.
// Who fences: among the survivors this node sees, one fencer (most groups held, then the home
// node of the first group, then the lowest name). When: at once, unless the dead node is itself
// the node that would be preferred (it ran the most groups): then after fence_delay. Two nodes cut
// apart therefore do not shoot each other at the same moment: the one that ran more fences first.
// A failed fence is retried with backoff (1 s doubling to 30 s); the groups stay down meanwhile.
import type { ClusterConfig, NodeName } from '../config/types.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { ActionId, FenceStatusEntry, MonoMs } from './types.js';

interface FenceRecord {
  state: FenceStatusEntry['state'];
  attempts: number;
  lastError: string | undefined;
  nextAttemptMs: MonoMs;
  actionId: ActionId | undefined;
  fencedBy: NodeName | 'operator' | undefined;
  /** The dead node's generation: a fenced node that comes back is a new story. */
  readonly generation: number | undefined;
}

const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

export class Fencing {
  private readonly fenceable: Set<NodeName>;
  /** Added by a reload and not heard yet: fenceable only once it has been a member (see nodesChanged). */
  private readonly joining = new Set<NodeName>();
  /**
   * Whether the fence methods this daemon started with reach `n`. Fixed at start, like the shell's
   * fence runner: a reload that adds fence lines takes effect at the next restart.
   */
  private readonly canFence: (n: NodeName) => boolean;
  private readonly records = new Map<NodeName, FenceRecord>();
  /** Fence calls running, by action id (a record may be settled by others meanwhile). */
  private readonly inFlight = new Map<ActionId, NodeName>();
  private readonly delayMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
  ) {
    const usable = config.stonith.some((d) => d.kind === 'stonith' || d.host === '*' || d.host === self);
    const targets = new Set((config.fence ?? []).map((f) => f.target));
    this.canFence = (n) => usable || targets.has(n);
    this.fenceable = new Set(peers.names.filter(this.canFence));
    this.delayMs = config.fenceDelayMs ?? 5000;
    this.timeoutMs = config.fenceTimeoutMs ?? 60_000;
  }

  /**
   * A reload changed the node list. A removed node is forgotten with its fence record: removing it
   * is the operator's word that it is gone. An added node was never a member: fencing it before
   * its first heartbeat would shoot a machine that may not even run heartbeat yet, and would hold
   * every group down meanwhile, so it becomes fenceable once it has been heard.
   */
  nodesChanged(added: readonly NodeName[], removed: readonly NodeName[]): void {
    for (const n of removed) {
      this.fenceable.delete(n);
      this.joining.delete(n);
      this.records.delete(n); // a fence call still running reports to nobody (onActionResult)
    }
    for (const n of added) if (this.canFence(n)) this.joining.add(n);
  }

  get configured(): boolean {
    return this.fenceable.size > 0;
  }

  owns(id: ActionId): boolean {
    return this.inFlight.has(id);
  }

  nextWakeMs(): MonoMs {
    let next = Infinity;
    for (const r of this.records.values()) {
      if (r.state === 'delayed' || r.state === 'retrying') next = Math.min(next, r.nextAttemptMs);
    }
    return next;
  }

  /** Dead fenceable nodes not fenced yet: while any, no group may start here. */
  unfenced(): NodeName[] {
    return [...this.fenceable].filter((n) => this.needsFencing(n) && this.records.get(n)?.state !== 'fenced');
  }

  private needsFencing(n: NodeName): boolean {
    if (this.peers.detector.liveness(n) !== 'dead') return false;
    return this.peers.get(n)?.leaving !== true;
  }

  // ------------------------------------------------------------------------------------------
  // Every step

  advance(): void {
    if (this.membership.phase === 'shutting-down' || this.membership.stopped) return;
    for (const n of this.joining) {
      if (!this.peers.isAlive(n)) continue;
      this.joining.delete(n);
      this.fenceable.add(n);
    }
    // With quorum on only a partition that has it fences: the other side is releasing anyway.
    if (!this.membership.arbitration.quorum.quorate) return;
    for (const n of this.fenceable) {
      const r = this.records.get(n);
      if (!this.needsFencing(n)) {
        if (r !== undefined) this.forget(n, r);
        continue;
      }
      if (r === undefined) this.decide(n);
      else this.advanceRecord(n, r);
    }
  }

  private advanceRecord(n: NodeName, r: FenceRecord): void {
    const told =
      r.state !== 'fenced' && r.actionId === undefined ? this.toldFenced(n, r.generation) : undefined;
    if (told !== undefined) this.markFenced(n, r, told, `node ${n} was fenced by another node`);
    else if ((r.state === 'delayed' || r.state === 'retrying') && this.out.nowMs >= r.nextAttemptMs)
      this.start(n, r);
    else if (r.state === 'waiting-for-peer' && this.fencer(n) === this.self) this.start(n, r);
  }

  private forget(n: NodeName, r: FenceRecord): void {
    if (r.actionId !== undefined) return; // its call is still running: wait for the answer
    this.records.delete(n);
    const text =
      r.state === 'fenced'
        ? `node ${n} is back after it was fenced: it rejoins and takes nothing back unless auto_failback says so`
        : `node ${n} is alive again: fencing cancelled`;
    this.out.emit('fence', 'info', text, { node: n });
    this.out.factsChanged = true;
  }

  /** The survivor that fences `victim`: most groups held, then the first group's home, then name. */
  private fencer(victim: NodeName): NodeName | undefined {
    const survivors = this.config.nodes.filter(
      (n) =>
        n !== victim && (n === this.self || (this.peers.isAlive(n) && this.peers.get(n)?.leaving !== true)),
    );
    return this.preferred(survivors);
  }

  private preferred(nodes: readonly NodeName[]): NodeName | undefined {
    const held = (n: NodeName): number =>
      n === this.self ? this.groups.heldIds().length : (this.peers.get(n)?.held.size ?? 0);
    const firstHome = this.config.resourceGroups[0]?.homeNode;
    return [...nodes].sort(
      (a, b) =>
        held(b) - held(a) ||
        Number(b === firstHome) - Number(a === firstHome) ||
        (a < b ? -1 : a > b ? 1 : 0),
    )[0];
  }

  private decide(n: NodeName): void {
    const fencer = this.fencer(n);
    const mine = fencer === this.self;
    // The dead node is the one that ran the most: it may be the other half of a partition that
    // will fence us first. Wait fence_delay before shooting it.
    const victimPreferred = this.preferred(this.config.nodes.filter((x) => x === this.self || x === n)) === n;
    const delay = victimPreferred ? this.delayMs : 0;
    const r = this.newRecord(
      n,
      mine ? 'delayed' : 'waiting-for-peer',
      this.out.nowMs + delay + (mine ? 0 : this.timeoutMs),
    );
    const generation = r.generation;
    const told = this.toldFenced(n, generation);
    if (told !== undefined) {
      this.markFenced(n, r, told, `node ${n} is dead and was fenced by ${told} already`);
      return;
    }
    const text = !mine
      ? `node ${n} is dead: ${fencer ?? 'nobody'} fences it; its groups stay down until then`
      : delay > 0
        ? `node ${n} is dead: fencing it in ${delay} ms (fence_delay: it ran the most groups, it may be fencing us)`
        : `node ${n} is dead: fencing it now; its groups stay down until it is off`;
    this.out.emit('fence', 'warn', text, { node: n });
    if (mine && delay === 0) this.start(n, r);
  }

  private start(n: NodeName, r: FenceRecord): void {
    r.state = 'fencing';
    r.attempts++;
    r.actionId = this.out.newActionId();
    this.inFlight.set(r.actionId, n);
    this.out.emit('fence', 'warn', `fencing node ${n} (attempt ${r.attempts})`, { node: n });
    this.out.act({
      kind: 'fence',
      id: r.actionId,
      node: n,
      reason: `node ${n} is dead and may still run resources`,
    });
  }

  // ------------------------------------------------------------------------------------------
  // Results and news

  onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void {
    const n = this.inFlight.get(id);
    if (!this.out.invariant(n !== undefined, `fence result for action ${id}, which is not pending`)) return;
    if (n === undefined) return;
    this.inFlight.delete(id);
    const r = this.records.get(n);
    if (ok) this.out.counters.fences++;
    else this.out.counters.fenceFailures++;
    // Settled meanwhile (another node fenced it, or it came back): this result changes nothing.
    if (r === undefined || r.actionId !== id) return;
    r.actionId = undefined;
    if (ok) {
      this.markFenced(n, r, this.self, `node ${n} fenced${detail ? `: ${detail}` : ''}`);
      return;
    }
    const waitMs = Math.min(RETRY_FIRST_MS * 2 ** (r.attempts - 1), RETRY_MAX_MS);
    r.state = 'retrying';
    r.lastError = detail ?? 'failed';
    r.nextAttemptMs = this.out.nowMs + waitMs;
    this.out.emit(
      'fence',
      'crit',
      `fencing node ${n} failed (attempt ${r.attempts}): ${r.lastError}; retrying in ${waitMs} ms, its groups stay down`,
      { node: n },
    );
  }

  /** A live peer advertises `n` (at this generation or later) as fenced: by whom. */
  private toldFenced(n: NodeName, generation: number | undefined): NodeName | undefined {
    for (const p of this.peers.all()) {
      if (!this.peers.isAlive(p.name) || !p.fenced.has(n)) continue;
      const g = p.fenced.get(n);
      if (g === undefined || generation === undefined || generation <= g) return p.name;
    }
    return undefined;
  }

  /** What we advertise in every heartbeat: the nodes we know fenced since they died. */
  fencedAdvert(): Map<NodeName, number | undefined> {
    const out = new Map<NodeName, number | undefined>();
    for (const [n, r] of this.records) if (r.state === 'fenced') out.set(n, r.generation);
    return out;
  }

  /** The operator says the node is off (`hbts fence --confirm-off`). */
  confirmOff(n: NodeName): void {
    if (!this.needsFencing(n)) {
      this.out.emit(
        'fence',
        'warn',
        `fence confirmation for ${n} ignored: it is not a dead node awaiting fencing`,
        {
          node: n,
        },
      );
      return;
    }
    const r = this.records.get(n) ?? this.newRecord(n, 'delayed', Infinity);
    this.markFenced(n, r, 'operator', `operator confirmed node ${n} is off: taking over without fencing it`);
  }

  private newRecord(n: NodeName, state: FenceRecord['state'], nextAttemptMs: MonoMs): FenceRecord {
    const r: FenceRecord = {
      state,
      attempts: 0,
      lastError: undefined,
      nextAttemptMs,
      actionId: undefined,
      fencedBy: undefined,
      generation: this.peers.get(n)?.generation,
    };
    this.records.set(n, r);
    return r;
  }

  private markFenced(n: NodeName, r: FenceRecord, by: NodeName | 'operator', text: string): void {
    r.state = 'fenced';
    r.fencedBy = by;
    this.out.factsChanged = true;
    this.out.advertDirty = true; // the others learn it from our next heartbeat, sent now
    this.out.emit('fence', by === 'operator' ? 'crit' : 'warn', text, { node: n });
  }

  status(): FenceStatusEntry[] {
    return [...this.records].map(([node, r]) => ({
      node,
      state: r.state,
      attempts: r.attempts,
      lastError: r.lastError,
      nextAttemptMs: r.state === 'delayed' || r.state === 'retrying' ? r.nextAttemptMs : undefined,
      fencedBy: r.fencedBy,
    }));
  }
}
