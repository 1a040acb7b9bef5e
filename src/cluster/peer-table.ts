// What this node knows about its peers: liveness (the failure detector), and the facts each peer
// told us in its messages (status word, generation, implementation, the ownership it advertises,
// graceful leave). Facts are applied from typed messages only; an older message proves liveness
// but never rolls newer facts back.
import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import { FailureDetector } from './failure-detector.js';
import type { DetectorEvent } from './failure-detector.js';
import type { LocalGroups } from './local-groups.js';
import type { Outbox } from './outbox.js';
import type { MonoMs } from './types.js';
import type { ClusterMessage } from './wire-decode.js';
import type { OwnershipAdvert } from './wire.js';
import { blankFacts } from './peer-facts.js';
import type { PeerFacts } from './peer-facts.js';

export type { PeerFacts } from './peer-facts.js';

type StatusMessage = Extract<ClusterMessage, { kind: 'status' }>;
type ResourceMessage = Extract<ClusterMessage, { kind: 'resource' }>;
type ShutdoneMessage = Extract<ClusterMessage, { kind: 'shutdone' }>;

export class PeerTable {
  /** Every configured node but us, ha.cf order, then nodes that joined (autojoin); a reload replaces it. */
  private nameList: NodeName[];
  readonly detector: FailureDetector;
  /** Live peers advertising another config fingerprint. */
  readonly mismatched = new Set<NodeName>();
  private readonly byName = new Map<NodeName, PeerFacts>();

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    /** Ours; a reload sets the new one. */
    public fingerprint: string,
    private readonly endpoint: ProtocolEndpoint,
    private readonly groups: LocalGroups,
    private readonly out: Outbox,
    startMs: MonoMs,
  ) {
    this.nameList = config.nodes.filter((n) => n !== self);
    this.detector = new FailureDetector({
      peers: this.nameList,
      media: config.media.map((m) => m.id),
      deadtimeMs: config.deadtimeMs,
      warntimeMs: config.warntimeMs,
      initdeadMs: config.initdeadMs,
      startMs,
    });
    for (const name of this.nameList) this.byName.set(name, blankFacts(name));
  }

  get names(): readonly NodeName[] {
    return this.nameList;
  }

  /** A node that joined (ha.cf autojoin): a peer like the configured ones from now on. */
  join(name: NodeName): void {
    if (name === this.self || this.byName.has(name)) return;
    this.nameList.push(name);
    this.byName.set(name, blankFacts(name));
    this.detector.joinPeer(name, this.out.nowMs);
  }

  /**
   * A reload changed the node list (reconfigure.ts decided which nodes may go). An added node
   * starts dead and unheard (see FailureDetector.addPeer); a removed one is forgotten entirely.
   */
  setNodes(nodes: readonly NodeName[]): void {
    const next = nodes.filter((n) => n !== this.self);
    for (const n of this.names) {
      if (next.includes(n)) continue;
      this.byName.delete(n);
      this.mismatched.delete(n);
      this.detector.removePeer(n);
      this.endpoint.forgetPeer(n);
    }
    for (const n of next) {
      if (this.byName.has(n)) continue;
      this.byName.set(n, { ...blankFacts(n), advertised: 'dead' });
      this.detector.addPeer(n);
    }
    this.nameList = [...next];
  }

  /**
   * After a reload: apply every peer's next advert afresh (groups it names may be known now, or no
   * longer) and compare its fingerprint with our new one.
   */
  reapplyAdverts(): void {
    for (const p of this.byName.values()) {
      p.advertKey = undefined;
      p.cfg = undefined;
    }
  }

  get(name: NodeName): PeerFacts | undefined {
    return this.byName.get(name);
  }

  all(): IterableIterator<PeerFacts> {
    return this.byName.values();
  }

  isAlive(name: NodeName): boolean {
    return this.detector.isAlive(name);
  }

  /** A live real Heartbeat peer (2-node rsc_hold semantics apply). */
  liveHeartbeatPeer(): PeerFacts | undefined {
    return [...this.byName.values()].find(
      (p) => p.implementation === 'heartbeat' && this.detector.isAlive(p.name) && !p.leaving,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Liveness

  heardOnLink(src: NodeName, medium: MediumId): void {
    this.onDetectorEvents(this.detector.heardOnLink(src, medium, this.out.nowMs));
  }

  /** Run the failure detector's deadlines. */
  checkLiveness(): void {
    this.onDetectorEvents(this.detector.check(this.out.nowMs));
  }

  /**
   * A message with a new generation (or a restart the endpoint saw): forget what it told us. After
   * `resyncedBack` (sequence tracking returned to the peer's real stream after stray packets that
   * claimed to be it), what those packets said is forgotten the same way, but it is no restart.
   */
  noteGeneration(peer: PeerFacts, generation: number, restartSeen: boolean, resyncedBack = false): boolean {
    const restarted = restartSeen || (peer.generation !== undefined && generation > peer.generation);
    if (restarted) {
      this.out.factsChanged = true;
      if (resyncedBack) {
        this.out.emit(
          'note',
          'warn',
          `sequence tracking of node ${peer.name} resynchronised back to its real stream (generation ${generation}): what the stray packets said is forgotten`,
          { node: peer.name },
        );
      } else {
        this.out.emit(
          'peer-restarted',
          'info',
          `Heartbeat restart on node ${peer.name} (generation ${generation})`,
          {
            node: peer.name,
          },
        );
      }
      this.forget(peer);
    }
    if (peer.generation === undefined || generation > peer.generation) peer.generation = generation;
    return restarted;
  }

  private onDetectorEvents(events: readonly DetectorEvent[]): void {
    for (const e of events) {
      switch (e.kind) {
        case 'up':
          this.out.factsChanged = true; // a new candidate for placement
          // Our hbts_seen list changed; a peer still negotiating is waiting to read it. (Not for a
          // stable peer: extra heartbeats would skew the failure detector's rhythm for nothing.)
          // A peer back after we declared it dead (a partition healed) hears at once what we hold,
          // if anything: a split brain is then seen on both sides within one trip, not one
          // keepalive, so the keeper re-announces before the loser has released.
          if (this.byName.get(e.node)?.phase !== 'stable' || (e.wasDead && this.groups.heldIds().length > 0))
            this.out.advertDirty = true;
          if (!e.wasDead) this.out.emit('peer-up', 'info', `node ${e.node}: is up`, { node: e.node });
          else
            this.out.emit('peer-up', 'warn', `node ${e.node}: is back (was declared dead)`, { node: e.node });
          break;
        case 'dead':
          this.onDead(e.node, e.neverHeard, e.silentMs);
          break;
        case 'late-waiting':
          this.out.emit(
            'peer-late',
            'warn',
            `Late heartbeat: Node ${e.node}: silent for ${Math.round(e.silentMs)} ms`,
            {
              node: e.node,
            },
          );
          break;
        case 'late-arrived':
          this.out.emit(
            'peer-late',
            'warn',
            `Late heartbeat: Node ${e.node}: interval ${Math.round(e.intervalMs)} ms`,
            { node: e.node },
          );
          break;
        case 'link-up':
          this.out.emit('link-up', 'info', `Link ${e.node}:${e.medium} up.`, {
            node: e.node,
            medium: e.medium,
          });
          break;
        case 'link-dead':
          this.out.emit('link-dead', 'info', `Link ${e.node}:${e.medium} dead.`, {
            node: e.node,
            medium: e.medium,
          });
          break;
      }
    }
  }

  private onDead(node: NodeName, neverHeard: boolean, silentMs: number): void {
    this.out.factsChanged = true; // its groups need a new home
    this.out.counters.peerDeaths++;
    const peer = this.byName.get(node);
    const why = peer?.leaving
      ? 'left gracefully'
      : neverHeard
        ? `not heard within initdead (${this.config.initdeadMs} ms)`
        : `silent for ${Math.round(silentMs)} ms`;
    this.out.emit('peer-dead', peer?.leaving ? 'info' : 'warn', `node ${node}: is dead (${why})`, { node });
    if (peer) peer.advertised = 'dead';
    this.endpoint.forgetPeer(node);
  }

  // ------------------------------------------------------------------------------------------
  // Facts from messages

  onStatus(peer: PeerFacts, msg: StatusMessage, restarted: boolean, fresh: boolean): void {
    // A heartbeat overtaken by the same node's `shutdone` (other medium, reordering): ignore it.
    if (peer.shutdoneGeneration !== undefined && peer.shutdoneGeneration === peer.generation) return;
    this.out.counters.heartbeatsIn++;
    const wasDead = this.detector.liveness(peer.name) === 'dead';
    this.onDetectorEvents(this.detector.heardStatus(peer.name, this.out.nowMs, msg.deadtimeMs));
    if (wasDead && !restarted && !peer.leaving) {
      this.out.emit(
        'partition-healed',
        'crit',
        `node ${peer.name} returns after partition (same generation); no restart: conflicting groups stay with the node placement prefers`,
        { node: peer.name },
      );
    }
    if (!fresh) return;
    if (peer.leaving) this.out.factsChanged = true; // back as a candidate
    peer.leaving = false;
    const st = msg.st;
    if (st !== undefined && st !== 'dead' && st !== peer.advertised) {
      peer.advertised = st;
      this.out.emit('peer-status', 'info', `Status update for node ${peer.name}: status ${st}`, {
        node: peer.name,
      });
    }
    if (msg.advert) {
      peer.implementation = 'hbts';
      this.applyAdvert(peer, msg.advert);
    } else if (peer.implementation === 'unknown' || (restarted && peer.implementation === 'heartbeat')) {
      this.onHeartbeatPeer(peer);
    }
  }

  /** A status without our extension fields: a real Heartbeat, with its 2-node semantics. */
  private onHeartbeatPeer(peer: PeerFacts): void {
    this.out.factsChanged = true; // its claims, and what counts it as a candidate, changed
    if (this.config.autoFailback === 'on') {
      // Heartbeat semantics: a returning home node gets its groups back (failback at join).
      for (const g of this.groups.list) if (g.group.homeNode === peer.name) peer.claims.add(g.group.id);
    }
    if (peer.implementation === 'heartbeat') return;
    peer.implementation = 'heartbeat';
    this.out.emit(
      'note',
      'info',
      `node ${peer.name} is a Heartbeat without hbts extensions: 2-node rsc_hold semantics`,
      {
        node: peer.name,
      },
    );
  }

  applyAdvert(peer: PeerFacts, a: OwnershipAdvert): void {
    const key = [
      a.cfg,
      a.phase,
      a.held.join(' '),
      a.claims.join(' '),
      a.declines.join(' '),
      a.failed.join(' '),
      [...a.handoffs].join(' '),
      a.incarnation,
      a.seen.join(' '),
      [...a.fenced].join(' '),
      [...(a.failCounts ?? [])].join(' '),
      a.quorum === undefined ? '' : String(a.quorum),
      a.pingNodes?.join(' ') ?? '',
    ].join('|');
    if (key === peer.advertKey) {
      // The usual heartbeat: nothing new (placement need not run again for it).
      if (a.phase === 'shutting-down' || a.phase === 'stopped') peer.leaving = true;
      return;
    }
    peer.advertKey = key;
    this.out.factsChanged = true;
    if (peer.cfg !== a.cfg) this.onConfigFingerprint(peer, a.cfg);
    // A peer that just reached comm-up waits for our hbts_seen to list it: answer at once.
    if (peer.phase !== a.phase && a.phase === 'negotiating') this.out.advertDirty = true;
    peer.phase = a.phase;
    const known = (ids: readonly GroupId[]): Set<GroupId> => new Set(ids.filter((id) => this.groups.has(id)));
    const held = known(a.held);
    this.setHeld(peer, held);
    if (a.phase === 'negotiating' || a.phase === 'stable') {
      // Past its start-up probes, what it does not hold does not run there (after a restart it
      // may have been the last holder of a group it no longer runs).
      for (const [g, n] of this.groups.lastHolder)
        if (n === peer.name && !held.has(g)) this.groups.lastHolder.delete(g);
    }
    peer.claims = known(a.claims);
    peer.declines = known(a.declines);
    peer.failed = known(a.failed);
    peer.handoffs = new Map([...a.handoffs].filter(([g]) => this.groups.has(g)));
    if (peer.incarnation !== a.incarnation) {
      peer.incarnation = a.incarnation;
      this.out.advertDirty = true; // tell it at once that we have seen it
    }
    peer.seesUs = a.seen.includes(`${this.self}:${this.groups.token()}`);
    peer.fenced = a.fenced;
    peer.failCounts = a.failCounts ?? new Map();
    peer.quorate = a.quorum;
    // `node:incarnation`; the incarnation holds no colon
    peer.seen = a.seen.map((e) => (e.lastIndexOf(':') < 0 ? e : e.slice(0, e.lastIndexOf(':'))) as NodeName);
    peer.pingNodes = a.pingNodes;
    if (a.phase === 'shutting-down' || a.phase === 'stopped') peer.leaving = true;
  }

  private onConfigFingerprint(peer: PeerFacts, cfg: string): void {
    peer.cfg = cfg;
    if (cfg !== this.fingerprint) {
      this.mismatched.add(peer.name);
      this.out.emit(
        'config-mismatch',
        'crit',
        `node ${peer.name} runs config ${cfg}, we run ${this.fingerprint}: nodes, haresources, timings or auth differ`,
        { node: peer.name },
      );
    } else if (this.mismatched.delete(peer.name)) {
      this.out.emit('config-match', 'info', `node ${peer.name} now runs the same config (${cfg})`, {
        node: peer.name,
      });
    }
  }

  /** What a peer holds now; a group it stopped advertising was released cleanly (no fencing needed). */
  private setHeld(peer: PeerFacts, held: Set<GroupId>): void {
    const lastHolder = this.groups.lastHolder;
    for (const g of held) lastHolder.set(g, peer.name);
    for (const g of peer.held) if (!held.has(g) && lastHolder.get(g) === peer.name) lastHolder.delete(g);
    peer.held = held;
  }

  /** A `resource` report: ours carries the advert; a real Heartbeat's rsc_hold is relative to it. */
  onResourceReport(peer: PeerFacts, msg: ResourceMessage): void {
    this.out.factsChanged = true;
    if (msg.advert) {
      peer.implementation = 'hbts';
      this.applyAdvert(peer, msg.advert);
      return;
    }
    peer.resourceReported = true;
    peer.rscStable = msg.isStable;
    if (msg.info === 'shutdown') {
      // Real Heartbeat reports rsc_hold=none with info=shutdown when it *starts* releasing: what it
      // held stays held until its `shutdone` says every group is stopped.
      peer.leaving = true;
      return;
    }
    const hold = msg.hold;
    if (hold === undefined) return;
    const held = new Set<GroupId>();
    for (const g of this.groups.list) {
      if (hold !== 'none' && this.groups.inSet(g, hold, peer.name)) held.add(g.group.id);
    }
    const lastHolder = this.groups.lastHolder;
    for (const g of held) {
      lastHolder.set(g, peer.name);
      peer.claims.delete(g);
    }
    for (const g of peer.held) if (!held.has(g) && lastHolder.get(g) === peer.name) lastHolder.delete(g);
    peer.held = held;
  }

  onShutdone(peer: PeerFacts, msg: ShutdoneMessage): void {
    if (peer.shutdoneGeneration === peer.generation) return;
    // Our shutdone repeats the last facts (where each released group was handed), so a status
    // overtaken by the shutdone loses nothing.
    if (msg.advert) this.applyAdvert(peer, msg.advert);
    peer.shutdoneGeneration = peer.generation;
    this.out.factsChanged = true;
    this.out.emit('shutdown-notice', 'info', `Received shutdown notice from '${peer.name}'.`, {
      node: peer.name,
    });
    peer.leaving = true;
    for (const g of peer.held)
      if (this.groups.lastHolder.get(g) === peer.name) this.groups.lastHolder.delete(g);
    peer.held = new Set();
    this.onDetectorEvents(this.detector.markDead(peer.name));
  }

  /** A restarted peer: everything it told us is void; what it is and its config stay known. */
  private forget(peer: PeerFacts): void {
    const { implementation, generation, cfg } = peer;
    Object.assign(peer, blankFacts(peer.name), { implementation, generation, cfg });
  }
}
