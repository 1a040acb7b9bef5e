// ClusterNode: the pure cluster core of one node. It turns inputs (timer, packet, action result,
// admin command) into outputs (packets, resource actions, events, next wake-up), and owns the
// start-up sequence, failure detection, resource placement and the Heartbeat message exchange.
// No clock, no I/O: time arrives as nowMs, randomness through the injected Random.
import type { ClusterConfig, GroupId, MediumId, NodeName, ResourceGroup } from '../config/types.js';
import type { ProtocolEndpoint, Received } from '../protocol/endpoint.js';
import { getString, str } from '../protocol/message.js';
import type { Field, Message } from '../protocol/message.js';
import { FailureDetector } from './failure-detector.js';
import type { DetectorEvent } from './failure-detector.js';
import { configFingerprint } from '../config/fingerprint.js';
import { placeGroup } from './placement.js';
import type { PlacementView } from './placement.js';
import type {
  Action,
  ActionId,
  AdminCommand,
  ClusterCounters,
  ClusterEvent,
  ClusterEventKind,
  ClusterNodeOptions,
  ClusterStatus,
  EventLevel,
  GroupLocalState,
  GroupStatusEntry,
  Input,
  MonoMs,
  NodePhase,
  NodeStatusEntry,
  NodeStatusName,
  OutboundPacket,
  Output,
  Random,
  ResourceSet,
} from './types.js';
import {
  advertFields,
  parseDeadtimeMs,
  parseHoldWord,
  parseNodeStatus,
  readAdvert,
  resourceFields,
  statusFields,
} from './wire.js';
import type { HoldWord, OwnershipAdvert } from './wire.js';

interface PeerInfo {
  readonly name: NodeName;
  implementation: 'hbts' | 'heartbeat' | 'unknown';
  /** What the peer last advertised in `st`. */
  advertised: NodeStatusName;
  generation: number | undefined;
  cfg: string | undefined;
  phase: NodePhase | undefined;
  held: Set<GroupId>;
  claims: Set<GroupId>;
  declines: Set<GroupId>;
  failed: Set<GroupId>;
  handoffs: Map<GroupId, NodeName>;
  /** Its `hbts_inc`, and whether its latest heartbeat lists us (our incarnation) as seen. */
  incarnation: string | undefined;
  seesUs: boolean;
  /** A real Heartbeat peer answered our `starting` with a `resource` report. */
  resourceReported: boolean;
  /** A real Heartbeat peer's last `resource` report said isstable=1: it accepts a standby request. */
  rscStable: boolean;
  leaving: boolean;
  /** Generation that announced `shutdone`: its later heartbeats do not revive it. */
  shutdoneGeneration: number | undefined;
  /**
   * Seq of the newest message whose ownership facts we applied. An older message (reordered, or a
   * retransmission filling a gap) still proves liveness but must not roll its facts back.
   */
  factsSeq: number | undefined;
  /** The last applied extension fields, to skip identical heartbeats cheaply. */
  advertKey: string | undefined;
}

interface LocalGroup {
  readonly group: ResourceGroup;
  state: GroupLocalState;
  pending: { readonly kind: Action['kind']; readonly id: ActionId } | undefined;
  failures: number;
  /** A stop failed: the group may still run here, so it counts as held (safety first). */
  stopFailed: boolean;
  failedHere: boolean;
  /** The gate allowed taking this group over from this dead node. */
  gatePassedFrom: NodeName | undefined;
  gateRetryAtMs: MonoMs;
  detail: string | undefined;
  inConflict: boolean;
  waitingFor: NodeName | undefined;
  /** We released (are releasing) the group towards this node; advertised until it holds it. */
  handoffTo: NodeName | undefined;
  /** When we first saw the handoff target holding it. */
  handoffTakenAtMs: MonoMs | undefined;
}

const emptySet: ReadonlySet<NodeName> = new Set();

export class ClusterNode {
  private readonly config: ClusterConfig;
  private readonly self: NodeName;
  private readonly endpoint: ProtocolEndpoint;
  private readonly random: Random;
  private readonly wallClockOffsetMs: number;
  private readonly fingerprint: string;
  /** Random id of this incarnation: peers echo it in `hbts_seen` once they have heard us. */
  private readonly incarnation: string;
  /**
   * Bumped whenever we claim more groups; advertised as `hbts_inc=<incarnation>.<version>`, so a
   * peer's echo in `hbts_seen` also acknowledges our latest claims. We act on a claim only once
   * every live peer echoed it: a peer deciding at the same moment has then told us what it holds.
   */
  private claimVersion = 0;
  private readonly peerNames: readonly NodeName[];
  private readonly detector: FailureDetector;
  private readonly peers = new Map<NodeName, PeerInfo>();
  private readonly groups: LocalGroup[];
  private readonly groupById = new Map<GroupId, LocalGroup>();
  private readonly claims = new Set<GroupId>();
  private readonly declines = new Set<GroupId>();
  /** Last node seen holding each group; a dead last holder means the gate must be asked. */
  private readonly lastHolder = new Map<GroupId, NodeName>();
  private readonly mismatched = new Set<NodeName>();

  private nowMs: MonoMs;
  private phase: NodePhase = 'starting';
  /** isstable of our last `resource` report (true until one said otherwise). */
  private reportedStable = true;
  private ownStatus: NodeStatusName = 'init';
  private sentFirstStatus = false;
  private lastSentStatusMs: MonoMs | undefined;
  private nextStatusMs: MonoMs;
  private probesPending = 0;
  private probesIssued = false;
  private negotiationDeadlineMs: MonoMs = Infinity;
  private lastWakeAtMs: MonoMs | undefined;
  private nextActionId = 1;
  private readonly actionIndex = new Map<ActionId, LocalGroup>();
  private advertDirty = false;
  /** Something placement depends on may have changed during this step. */
  private factsChanged = true;
  /**
   * Heartbeat's 3-phase standby handshake with a real Heartbeat peer that must take groups from us
   * (it only acquires when told): ask_resources info=me -> its info=other -> we release -> info=done.
   */
  private handshake:
    | {
        readonly peer: NodeName;
        readonly set: HoldWord;
        readonly groups: readonly GroupId[];
        phase: 'asked' | 'releasing';
        readonly deadlineMs: MonoMs;
      }
    | undefined;
  private handshakeRetryAtMs: MonoMs = -Infinity;
  /**
   * Legacy mode with a live real Heartbeat peer: it reports nothing about what it holds, so before
   * starting a group we ask it with `ip-request` (as a real returning home node does) and start
   * only on its `ip-request-resp` (it releases the group first if it runs it). Value: when asked.
   */
  private readonly ipAsked = new Map<GroupId, MonoMs>();
  private readonly ipGranted = new Set<GroupId>();
  /** Legacy mode: `ip-request` from a real Heartbeat peer for a group, answered once we let it go. */
  private readonly ipRequests = new Map<GroupId, NodeName>();
  /** A real Heartbeat peer went standby towards us: answer `done` once we run what it gave up. */
  private peerStandby:
    | { readonly peer: NodeName; readonly set: HoldWord; readonly groups: GroupId[]; peerDone: boolean }
    | undefined;
  private shutdoneSent = false;
  private stopped = false;

  private packets: OutboundPacket[] = [];
  private actions: Action[] = [];
  private events: ClusterEvent[] = [];
  private counters: {
    -readonly [K in keyof ClusterCounters]: ClusterCounters[K];
  } = {
    packetsIn: 0,
    packetsOut: 0,
    heartbeatsIn: 0,
    rejected: 0,
    peerDeaths: 0,
    takeovers: 0,
    releases: 0,
    acquireFailures: 0,
    pauses: 0,
    conflicts: 0,
  };

  constructor(options: ClusterNodeOptions) {
    this.config = options.config;
    this.self = options.self;
    this.endpoint = options.endpoint;
    this.random = options.random;
    this.wallClockOffsetMs = options.wallClockOffsetMs;
    this.nowMs = options.nowMs;
    this.nextStatusMs = options.nowMs;
    this.fingerprint = configFingerprint(options.config);
    this.incarnation = Math.floor(options.random.next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
    this.peerNames = options.config.nodes.filter((n) => n !== options.self);
    this.detector = new FailureDetector({
      peers: this.peerNames,
      media: options.config.media.map((m) => m.id),
      deadtimeMs: options.config.deadtimeMs,
      warntimeMs: options.config.warntimeMs,
      initdeadMs: options.config.initdeadMs,
      startMs: options.nowMs,
    });
    for (const name of this.peerNames) {
      this.peers.set(name, {
        name,
        implementation: 'unknown',
        advertised: 'init',
        generation: undefined,
        cfg: undefined,
        phase: undefined,
        held: new Set(),
        claims: new Set(),
        declines: new Set(),
        failed: new Set(),
        handoffs: new Map(),
        incarnation: undefined,
        seesUs: false,
        resourceReported: false,
        rscStable: false,
        leaving: false,
        shutdoneGeneration: undefined,
        factsSeq: undefined,
        advertKey: undefined,
      });
    }
    this.groups = options.config.resourceGroups.map((group) => ({
      group,
      state: 'stopped',
      pending: undefined,
      failures: 0,
      stopFailed: false,
      failedHere: false,
      gatePassedFrom: undefined,
      gateRetryAtMs: -Infinity,
      detail: undefined,
      inConflict: false,
      waitingFor: undefined,
      handoffTo: undefined,
      handoffTakenAtMs: undefined,
    }));
    for (const g of this.groups) this.groupById.set(g.group.id, g);
    // A returning home node asks for its groups back (auto_failback on; legacy's ip-request).
    if (options.config.autoFailback !== 'off') {
      for (const g of this.groups) if (g.group.homeNode === this.self) this.claims.add(g.group.id);
    }
  }

  // ------------------------------------------------------------------------------------------
  // The step function

  step(input: Input): Output {
    this.nowMs = Math.max(this.nowMs, input.nowMs);
    if (this.stopped) return { packets: [], actions: [], events: [], wakeAtMs: Infinity, stopped: true };
    // Timers, results and commands always re-run placement; a packet only when it changed a fact.
    this.factsChanged = input.kind !== 'packet';
    this.packets = [];
    this.actions = [];
    this.events = [];
    this.detectPause();
    switch (input.kind) {
      case 'timer':
        break;
      case 'packet':
        this.onPacket(input.medium, input.bytes);
        break;
      case 'action-result':
        this.onActionResult(input.actionId, input.ok, input.detail);
        break;
      case 'admin':
        this.onAdmin(input.command);
        break;
    }
    for (const bytes of this.endpoint.tick(this.nowMs)) this.sendRaw(bytes);
    this.onDetectorEvents(this.detector.check(this.nowMs));
    this.advanceStartup();
    if (this.factsChanged) this.reconcile();
    this.advanceHandshakes();
    this.reportStableToHeartbeatPeers();
    this.heartbeat();
    const wakeAtMs = this.wakeAt();
    this.lastWakeAtMs = wakeAtMs;
    return {
      packets: this.packets,
      actions: this.actions,
      events: this.events,
      wakeAtMs,
      stopped: this.stopped,
    };
  }

  private wakeAt(): MonoMs {
    if (this.stopped) return Infinity;
    // A deadline the endpoint reports as already due after tick() would spin the shell: retry in 1 ms.
    const endpointWakeMs = this.endpoint.nextWakeMs();
    let next = Math.min(
      this.nextStatusMs,
      this.detector.nextDeadlineMs(),
      endpointWakeMs > this.nowMs ? endpointWakeMs : this.nowMs + 1,
      this.negotiationDeadlineMs,
    );
    for (const g of this.groups) if (g.gateRetryAtMs > this.nowMs) next = Math.min(next, g.gateRetryAtMs);
    if (this.handshake?.phase === 'asked') next = Math.min(next, this.handshake.deadlineMs);
    if (this.handshakeRetryAtMs > this.nowMs) next = Math.min(next, this.handshakeRetryAtMs);
    return Math.max(next, this.nowMs);
  }

  /** Pause awareness: input far later than the wake-up we asked for means we were frozen. */
  private detectPause(): void {
    if (this.lastWakeAtMs === undefined || !Number.isFinite(this.lastWakeAtMs)) return;
    const lateMs = this.nowMs - this.lastWakeAtMs;
    if (lateMs <= this.config.keepaliveMs) return;
    this.counters.pauses++;
    this.detector.suppressDeathsUntil(this.nowMs + this.config.keepaliveMs);
    this.emit(
      'pause-detected',
      'warn',
      `woke ${Math.round(lateMs)} ms late: no peer is declared dead before fresh heartbeats had one keepalive to arrive`,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Packets

  private onPacket(medium: MediumId, bytes: Uint8Array): void {
    this.counters.packetsIn++;
    let result;
    try {
      result = this.endpoint.receive(bytes, medium, this.nowMs);
    } catch (err) {
      // The endpoint must never throw on network input; if it does, drop the packet, keep running.
      this.counters.rejected++;
      this.emit('note', 'warn', `endpoint failed on a packet from ${medium}: ${String(err)}`, { medium });
      return;
    }
    for (const reply of result.packets) this.sendRaw(reply);
    this.onReceived(result.received);
  }

  private onReceived(r: Received): void {
    switch (r.kind) {
      case 'own':
        return;
      case 'rejected':
        this.counters.rejected++;
        if (r.reason === 'bad-auth' || r.reason === 'unknown-key') {
          this.emit(
            'auth-rejected',
            'warn',
            `${r.reason}: ${r.detail}`,
            r.src ? { node: r.src as NodeName } : {},
          );
        }
        return;
      case 'link-only':
        this.onDetectorEvents(this.detector.heardOnLink(r.src, r.medium, this.nowMs));
        return;
      case 'message':
        this.onMessage(r.src, r.medium, r.message, r.type, r.seq, r.generation, r.peerRestarted);
        return;
    }
  }

  private onMessage(
    src: NodeName,
    medium: MediumId,
    msg: Message,
    type: string,
    seq: number | undefined,
    generation: number,
    peerRestarted: boolean,
  ): void {
    const peer = this.peers.get(src);
    if (!peer) return;
    this.onDetectorEvents(this.detector.heardOnLink(src, medium, this.nowMs));
    const restarted = peerRestarted || (peer.generation !== undefined && generation > peer.generation);
    if (restarted) {
      this.emit('peer-restarted', 'info', `Heartbeat restart on node ${src} (generation ${generation})`, {
        node: src,
      });
      this.forgetPeerState(peer);
    }
    if (peer.generation === undefined || generation > peer.generation) peer.generation = generation;
    const fresh = seq === undefined || peer.factsSeq === undefined || seq > peer.factsSeq;
    if (fresh && seq !== undefined && (type === 'status' || type === 'resource')) peer.factsSeq = seq;
    switch (type) {
      case 'status':
        this.onStatus(peer, msg, restarted, fresh);
        break;
      case 'starting':
        this.sendResourceReport(undefined);
        break;
      case 'resource':
        if (fresh) this.onResourceReport(peer, msg);
        break;
      case 'shutdone':
        this.onShutdone(peer, msg);
        break;
      case 'reqnodes':
        this.send(
          [
            str('t', 'repnodes'),
            str('nodelist', this.config.nodes.map((n) => `${n} `).join('')),
            str('delnodelist', ' '),
          ],
          src,
        );
        break;
      case 'hb_takeover':
        this.onPeerTakeoverRequest(peer, msg);
        break;
      case 'ask_resources':
        if (fresh) this.onAskResources(peer, msg);
        break;
      case 'ip-request-resp': {
        const key = getString(msg, 'ipaddr') as GroupId | undefined;
        if (key !== undefined && this.ipAsked.has(key) && getString(msg, 'ok') === 'OK') {
          this.ipAsked.delete(key);
          this.ipGranted.add(key);
          this.factsChanged = true;
        }
        break;
      }
      case 'ip-request': {
        this.factsChanged = true;
        // Legacy mode: a returning real Heartbeat asks for its group by key; we release, then answer.
        const key = getString(msg, 'ipaddr') as GroupId | undefined;
        if (key !== undefined && this.groupById.has(key)) {
          this.ipRequests.set(key, peer.name);
          if (peer.implementation !== 'hbts') peer.claims.add(key);
          this.emit('note', 'info', `${peer.name} requests group ${key} (ip-request)`, {
            node: peer.name,
            group: key,
          });
        }
        break;
      }
      default:
        break;
    }
  }

  private onStatus(peer: PeerInfo, msg: Message, restarted: boolean, fresh: boolean): void {
    // A heartbeat overtaken by the same node's `shutdone` (other medium, reordering): ignore it.
    if (peer.shutdoneGeneration !== undefined && peer.shutdoneGeneration === peer.generation) return;
    this.counters.heartbeatsIn++;
    const wasDead = this.detector.liveness(peer.name) === 'dead';
    this.onDetectorEvents(this.detector.heardStatus(peer.name, this.nowMs, parseDeadtimeMs(msg)));
    if (wasDead && !restarted && !peer.leaving) {
      this.emit(
        'partition-healed',
        'crit',
        `node ${peer.name} returns after partition (same generation); no restart: conflicting groups stay with the node placement prefers`,
        { node: peer.name },
      );
    }
    if (!fresh) return;
    peer.leaving = false;
    const st = parseNodeStatus(msg);
    if (st !== undefined && st !== 'dead' && st !== peer.advertised) {
      peer.advertised = st;
      this.emit('peer-status', 'info', `Status update for node ${peer.name}: status ${st}`, {
        node: peer.name,
      });
    }
    const advert = readAdvert(msg);
    if (advert) {
      peer.implementation = 'hbts';
      this.applyAdvert(peer, advert);
    } else if (peer.implementation === 'unknown' || (restarted && peer.implementation === 'heartbeat')) {
      if (this.config.autoFailback === 'on') {
        // Heartbeat semantics: a returning home node gets its groups back (failback at join).
        for (const g of this.groups) if (g.group.homeNode === peer.name) peer.claims.add(g.group.id);
      }
      if (peer.implementation === 'heartbeat') return;
      peer.implementation = 'heartbeat';
      this.emit(
        'note',
        'info',
        `node ${peer.name} is a Heartbeat without hbts extensions: 2-node rsc_hold semantics`,
        {
          node: peer.name,
        },
      );
    }
  }

  private applyAdvert(peer: PeerInfo, a: OwnershipAdvert): void {
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
    ].join('|');
    if (key === peer.advertKey) {
      // The usual heartbeat: nothing new (placement need not run again for it).
      if (a.phase === 'shutting-down' || a.phase === 'stopped') peer.leaving = true;
      return;
    }
    peer.advertKey = key;
    this.factsChanged = true;
    if (peer.cfg !== a.cfg) {
      peer.cfg = a.cfg;
      if (a.cfg !== this.fingerprint) {
        this.mismatched.add(peer.name);
        this.emit(
          'config-mismatch',
          'crit',
          `node ${peer.name} runs config ${a.cfg}, we run ${this.fingerprint}: nodes, haresources, timings or auth differ`,
          { node: peer.name },
        );
      } else if (this.mismatched.delete(peer.name)) {
        this.emit('config-match', 'info', `node ${peer.name} now runs the same config (${a.cfg})`, {
          node: peer.name,
        });
      }
    }
    // A peer that just reached comm-up waits for our hbts_seen to list it: answer at once.
    if (peer.phase !== a.phase && a.phase === 'negotiating') this.advertDirty = true;
    peer.phase = a.phase;
    const known = (ids: readonly GroupId[]): Set<GroupId> =>
      new Set(ids.filter((id) => this.groupById.has(id)));
    const held = known(a.held);
    for (const g of held) this.lastHolder.set(g, peer.name);
    for (const g of peer.held) {
      // Released cleanly: taking it later needs no fencing of that node.
      if (!held.has(g) && this.lastHolder.get(g) === peer.name) this.lastHolder.delete(g);
    }
    peer.held = held;
    peer.claims = known(a.claims);
    peer.declines = known(a.declines);
    peer.failed = known(a.failed);
    peer.handoffs = new Map([...a.handoffs].filter(([g]) => this.groupById.has(g)));
    if (peer.incarnation !== a.incarnation) {
      peer.incarnation = a.incarnation;
      this.advertDirty = true; // tell it at once that we have seen it
    }
    peer.seesUs = a.seen.includes(`${this.self}:${this.token()}`);
    if (a.phase === 'shutting-down' || a.phase === 'stopped') peer.leaving = true;
  }

  /** A real Heartbeat's `resource` report: rsc_hold is relative to the sender (2-node model). */
  private onResourceReport(peer: PeerInfo, msg: Message): void {
    this.factsChanged = true;
    const advert = readAdvert(msg);
    if (advert) {
      peer.implementation = 'hbts';
      this.applyAdvert(peer, advert);
      return;
    }
    peer.resourceReported = true;
    peer.rscStable = getString(msg, 'isstable') === '1';
    const hold = parseHoldWord(getString(msg, 'rsc_hold'));
    if (hold === undefined) return;
    const held = new Set<GroupId>();
    for (const g of this.groups) {
      const local = g.group.homeNode === peer.name;
      if (hold === 'all' || (hold === 'local' && local) || (hold === 'foreign' && !local))
        held.add(g.group.id);
    }
    for (const g of held) {
      this.lastHolder.set(g, peer.name);
      peer.claims.delete(g);
    }
    for (const g of peer.held)
      if (!held.has(g) && this.lastHolder.get(g) === peer.name) this.lastHolder.delete(g);
    peer.held = held;
    if (getString(msg, 'info') === 'shutdown') peer.leaving = true;
  }

  private onShutdone(peer: PeerInfo, msg: Message): void {
    if (peer.shutdoneGeneration === peer.generation) return;
    // Our shutdone repeats the last facts (where each released group was handed), so a status
    // overtaken by the shutdone loses nothing.
    const advert = readAdvert(msg);
    if (advert) this.applyAdvert(peer, advert);
    peer.shutdoneGeneration = peer.generation;
    this.emit('shutdown-notice', 'info', `Received shutdown notice from '${peer.name}'.`, {
      node: peer.name,
    });
    peer.leaving = true;
    for (const g of peer.held) if (this.lastHolder.get(g) === peer.name) this.lastHolder.delete(g);
    peer.held = new Set();
    this.onDetectorEvents(this.detector.markDead(peer.name));
  }

  /** Groups in a Heartbeat resource set, relative to `node`. */
  private groupsInSet(node: NodeName, set: HoldWord): GroupId[] {
    return this.groups
      .filter((g) => {
        const local = g.group.homeNode === node;
        return set === 'all' || (set === 'local' && local) || (set === 'foreign' && !local);
      })
      .map((g) => g.group.id);
  }

  /** Heartbeat's standby protocol (reference 11.5), spoken with real Heartbeat peers. */
  private onAskResources(peer: PeerInfo, msg: Message): void {
    this.factsChanged = true;
    const info = getString(msg, 'info');
    const set = parseHoldWord(getString(msg, 'rsc_hold')) ?? 'all';
    if (info === 'me') {
      // The peer wants to go standby with `set` (relative to it).
      if (
        this.phase !== 'stable' ||
        this.groups.some((g) => g.pending !== undefined && g.pending.kind !== 'probe')
      ) {
        this.emit(
          'note',
          'info',
          `standby message [me] from ${peer.name} ignored. local resources in flux.`,
          {
            node: peer.name,
          },
        );
        return;
      }
      this.emit('standby', 'info', `${peer.name} wants to go standby [${set}]`, { node: peer.name });
      const groups = this.groupsInSet(peer.name, set);
      if (peer.implementation !== 'hbts') {
        for (const g of groups) peer.declines.add(g);
        for (const g of groups) peer.claims.delete(g);
      }
      this.peerStandby = { peer: peer.name, set, groups, peerDone: false };
      this.send([str('t', 'ask_resources'), str('rsc_hold', set), str('info', 'other')]);
      return;
    }
    if (info === 'other' && this.handshake?.peer === peer.name && this.handshake.phase === 'asked') {
      this.handshake.phase = 'releasing';
      this.emit(
        'standby',
        'info',
        `give up [${this.handshake.set}] HA resources to ${peer.name} (standby).`,
        {
          node: peer.name,
        },
      );
      return;
    }
    if (info === 'done') {
      // Real Heartbeat reports rsc_hold=none (info=standby) when it *starts* releasing; only its
      // `done` says the groups are stopped. Our `done` before its own is refused
      // ("Ignored standby message 'done' from node2 in state 1") and leaves it in transition.
      if (this.peerStandby?.peer === peer.name) this.peerStandby.peerDone = true;
      this.emit('note', 'info', `${peer.name} reports its part of the standby done [${set}]`, {
        node: peer.name,
      });
    }
  }

  /** `hb_takeover rsc_hold=X` from a peer: it wants X; we go standby with the complementary set. */
  private onPeerTakeoverRequest(peer: PeerInfo, msg: Message): void {
    const hold = parseHoldWord(getString(msg, 'rsc_hold')) ?? 'all';
    const set: ResourceSet = hold === 'local' ? 'foreign' : hold === 'foreign' ? 'local' : 'all';
    this.emit('admin', 'info', `node ${peer.name} asks to take over [${hold}]: going standby [${set}]`, {
      node: peer.name,
    });
    this.standby(set);
  }

  private forgetPeerState(peer: PeerInfo): void {
    peer.held = new Set();
    peer.claims = new Set();
    peer.declines = new Set();
    peer.failed = new Set();
    peer.handoffs = new Map();
    peer.incarnation = undefined;
    peer.seesUs = false;
    peer.phase = undefined;
    peer.advertised = 'init';
    peer.resourceReported = false;
    peer.rscStable = false;
    peer.leaving = false;
    peer.shutdoneGeneration = undefined;
    peer.factsSeq = undefined;
    peer.advertKey = undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Failure detector events

  private onDetectorEvents(events: readonly DetectorEvent[]): void {
    for (const e of events) {
      switch (e.kind) {
        case 'up':
          // Our hbts_seen list changed; a peer still negotiating is waiting to read it. (Not for a
          // stable peer: extra heartbeats would skew the failure detector's rhythm for nothing.)
          if (this.peers.get(e.node)?.phase !== 'stable') this.advertDirty = true;
          if (!e.wasDead) this.emit('peer-up', 'info', `node ${e.node}: is up`, { node: e.node });
          else this.emit('peer-up', 'warn', `node ${e.node}: is back (was declared dead)`, { node: e.node });
          break;
        case 'dead': {
          this.counters.peerDeaths++;
          const peer = this.peers.get(e.node);
          const why = peer?.leaving
            ? 'left gracefully'
            : e.neverHeard
              ? `not heard within initdead (${this.config.initdeadMs} ms)`
              : `silent for ${Math.round(e.silentMs)} ms`;
          this.emit('peer-dead', peer?.leaving ? 'info' : 'warn', `node ${e.node}: is dead (${why})`, {
            node: e.node,
          });
          if (peer) peer.advertised = 'dead';
          this.endpoint.forgetPeer(e.node);
          break;
        }
        case 'late-waiting':
          this.emit(
            'peer-late',
            'warn',
            `Late heartbeat: Node ${e.node}: silent for ${Math.round(e.silentMs)} ms`,
            {
              node: e.node,
            },
          );
          break;
        case 'late-arrived':
          this.emit(
            'peer-late',
            'warn',
            `Late heartbeat: Node ${e.node}: interval ${Math.round(e.intervalMs)} ms`,
            {
              node: e.node,
            },
          );
          break;
        case 'link-up':
          this.emit('link-up', 'info', `Link ${e.node}:${e.medium} up.`, { node: e.node, medium: e.medium });
          break;
        case 'link-dead':
          this.emit('link-dead', 'info', `Link ${e.node}:${e.medium} dead.`, {
            node: e.node,
            medium: e.medium,
          });
          break;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Start-up: init -> up -> active (comm up) -> negotiation -> stable

  private advanceStartup(): void {
    if (!this.probesIssued) {
      this.probesIssued = true;
      for (const g of this.groups) {
        const id = this.newActionId(g);
        g.pending = { kind: 'probe', id };
        this.probesPending++;
        this.actions.push({ kind: 'probe', id, group: g.group.id });
      }
    }
    if (this.phase === 'starting') {
      const allKnown = this.peerNames.every((n) => this.detector.liveness(n) !== 'unheard');
      if (allKnown && this.probesPending === 0) {
        this.phase = 'negotiating';
        this.setOwnStatus('active');
        this.emit('comm-up', 'info', 'Comm_now_up(): every node heard from or declared dead');
        this.send([str('t', 'starting')]);
        this.negotiationDeadlineMs = this.nowMs + Math.max(2 * this.config.keepaliveMs, 1000);
      }
    }
    if (this.phase === 'negotiating') {
      // Our own peers advertise their ownership in every heartbeat; we act once every live one has
      // heard us (its heartbeat lists our incarnation), so its facts already account for us and no
      // two nodes decide on views that miss each other. A real Heartbeat peer must answer our
      // `starting` with a `resource` report. Both waits are bounded by the negotiation deadline.
      const waiting = this.peerNames.filter((n) => {
        const p = this.peers.get(n);
        if (!this.detector.isAlive(n) || p === undefined || p.leaving) return false;
        // A peer still in start-up (not comm-up) would miss out on placement: give it until the
        // deadline to get there, so a cold start puts every group on its home node.
        if (p.implementation === 'hbts')
          return !p.seesUs || !(p.phase === 'negotiating' || p.phase === 'stable');
        return !p.resourceReported;
      });
      if (waiting.length === 0 || this.nowMs >= this.negotiationDeadlineMs) {
        this.phase = 'stable';
        this.negotiationDeadlineMs = Infinity;
        this.advertDirty = true;
        this.emit(
          'stable',
          'info',
          waiting.length === 0
            ? 'resource negotiation complete: every live node has seen us and reported what it holds'
            : `resource negotiation timed out waiting for ${waiting.join(', ')}`,
        );
        this.sendResourceReport('req_our_resources()');
      }
    }
  }

  private setOwnStatus(st: NodeStatusName): void {
    if (this.ownStatus === st) return;
    this.ownStatus = st;
    this.advertDirty = true;
  }

  // ------------------------------------------------------------------------------------------
  // Heartbeats

  private heartbeat(): void {
    if (this.stopped) return;
    if (!this.sentFirstStatus) {
      // Heartbeat's start-up on the wire: `st=init` first, then `st=up` at once.
      this.sentFirstStatus = true;
      this.sendStatus();
      this.ownStatus = this.phase === 'starting' ? 'up' : this.ownStatus;
      this.advertDirty = true;
    }
    if (this.nowMs >= this.nextStatusMs || this.advertDirty) {
      this.sendStatus();
      if (this.nowMs >= this.nextStatusMs) {
        this.nextStatusMs += this.config.keepaliveMs;
        // After a pause, do not burst the missed heartbeats: one now, the next a keepalive later.
        if (this.nextStatusMs <= this.nowMs) this.nextStatusMs = this.nowMs + this.config.keepaliveMs;
      }
    }
  }

  private sendStatus(): void {
    this.advertDirty = false;
    this.lastSentStatusMs = this.nowMs;
    this.send(statusFields(this.ownStatus, this.config.deadtimeMs, this.advert()));
  }

  private sendResourceReport(info: string | undefined): void {
    const isStable = this.isResourceStable();
    this.reportedStable = isStable;
    this.send(resourceFields(this.holdWord(), isStable, info, this.advert()));
  }

  private isResourceStable(): boolean {
    return this.phase === 'stable' && this.groups.every((g) => g.pending === undefined);
  }

  /**
   * A real Heartbeat peer only accepts standby requests (and completes its own start-up
   * negotiation) once it has seen `isstable=1` from us. When our last report said we were in
   * transition (e.g. its `starting` arrived while a group was starting here), report again as
   * soon as the transition is over, as Heartbeat itself does.
   */
  private reportStableToHeartbeatPeers(): void {
    if (this.reportedStable || !this.isResourceStable()) return;
    if (this.handshake !== undefined || this.peerStandby !== undefined) return;
    const realPeerAlive = this.peerNames.some(
      (n) => this.peers.get(n)?.implementation === 'heartbeat' && this.detector.isAlive(n),
    );
    if (realPeerAlive) this.sendResourceReport(undefined);
  }

  private advert(): OwnershipAdvert {
    return {
      cfg: this.fingerprint,
      phase: this.phase,
      held: this.groups.filter((g) => this.holdsHere(g)).map((g) => g.group.id),
      claims: [...this.claims],
      declines: [...this.declines],
      failed: this.groups.filter((g) => g.failedHere).map((g) => g.group.id),
      handoffs: new Map(
        this.groups.flatMap((g) => (g.handoffTo !== undefined ? [[g.group.id, g.handoffTo] as const] : [])),
      ),
      incarnation: this.token(),
      seen: [...this.peers.values()]
        .filter((p) => p.incarnation !== undefined && this.isCandidate(p.name))
        .map((p) => `${p.name}:${p.incarnation ?? ''}`),
    };
  }

  private token(): string {
    return `${this.incarnation}.${this.claimVersion}`;
  }

  /** Every live peer of ours has echoed our current claims (real Heartbeat peers cannot). */
  private claimsAcknowledged(): boolean {
    return this.peerNames.every((n) => {
      const p = this.peers.get(n);
      return p === undefined || p.implementation !== 'hbts' || !this.isCandidate(n) || p.seesUs;
    });
  }

  private holdWord(): HoldWord {
    let local = false;
    let foreign = false;
    for (const g of this.groups) {
      if (!this.holdsHere(g)) continue;
      if (g.group.homeNode === this.self) local = true;
      else foreign = true;
    }
    return local && foreign ? 'all' : local ? 'local' : foreign ? 'foreign' : 'none';
  }

  private send(fields: readonly Field[], dest?: NodeName): void {
    const wallMs = this.nowMs + this.wallClockOffsetMs;
    const bytes = this.endpoint.send(fields, this.nowMs, dest !== undefined ? { dest, wallMs } : { wallMs });
    this.sendRaw(bytes);
  }

  private sendRaw(bytes: Uint8Array): void {
    this.counters.packetsOut++;
    this.packets.push({ bytes });
  }

  // ------------------------------------------------------------------------------------------
  // Admin commands

  private onAdmin(command: AdminCommand): void {
    switch (command.kind) {
      case 'standby':
        this.emit('standby', 'info', `Going standby [${command.set}].`);
        this.standby(command.set);
        break;
      case 'takeover':
        this.emit('admin', 'info', `Taking over [${command.set}].`);
        this.takeover(command.set);
        break;
      case 'shutdown':
        this.shutdown();
        break;
    }
    if (this.config.autoFailback === 'legacy' && command.kind !== 'shutdown') {
      this.emit(
        'note',
        'info',
        'auto_failback legacy: real Heartbeat ignores standby/takeover in this mode; heartbeat-ts carries it out',
      );
    }
  }

  private inSet(g: LocalGroup, set: ResourceSet): boolean {
    const local = g.group.homeNode === this.self;
    return set === 'all' || (set === 'local' && local) || (set === 'foreign' && !local);
  }

  private standby(set: ResourceSet): void {
    for (const g of this.groups) {
      if (!this.inSet(g, set)) continue;
      this.declines.add(g.group.id);
      this.claims.delete(g.group.id);
      // A real Heartbeat peer's earlier standby (ask_resources me) is over: it is the one to take
      // the group now, else both decline and placement leaves it here.
      for (const p of this.peers.values())
        if (p.implementation === 'heartbeat') p.declines.delete(g.group.id);
    }
    this.advertDirty = true;
  }

  private takeover(set: ResourceSet): void {
    for (const g of this.groups) {
      if (!this.inSet(g, set)) continue;
      this.declines.delete(g.group.id);
      g.failedHere = false;
      if (g.state === 'failed' && !g.stopFailed) g.state = 'stopped';
      if (!this.holdsHere(g)) this.claims.add(g.group.id);
    }
    this.claimVersion++;
    for (const p of this.peers.values()) p.seesUs = false; // they must echo the new version
    this.advertDirty = true;
  }

  private shutdown(): void {
    if (this.phase === 'shutting-down' || this.phase === 'stopped') return;
    this.emit('shutdown', 'info', 'Heartbeat shutdown in progress: releasing every group in reverse order');
    this.phase = 'shutting-down';
    this.claims.clear();
    this.advertDirty = true;
    this.send(resourceFields('none', false, 'shutdown', this.advert()));
  }

  // ------------------------------------------------------------------------------------------
  // Resource actions and their results

  private newActionId(g: LocalGroup): ActionId {
    const id = this.nextActionId++;
    this.actionIndex.set(id, g);
    return id;
  }

  private onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void {
    const g = this.actionIndex.get(id);
    if (!g || g.pending?.id !== id) return;
    this.actionIndex.delete(id);
    const kind = g.pending.kind;
    g.pending = undefined;
    const gid = g.group.id;
    const why = detail !== undefined && detail.length > 0 ? `: ${detail}` : '';
    switch (kind) {
      case 'probe':
        this.probesPending--;
        if (ok) {
          g.state = 'running';
          this.lastHolder.set(gid, this.self);
          this.emit('note', 'warn', `group ${gid} is already running here (found at start-up)`, {
            group: gid,
          });
        }
        break;
      case 'gate':
        if (ok) {
          g.gatePassedFrom = this.lastHolder.get(gid);
        } else {
          g.gateRetryAtMs = this.nowMs + this.config.keepaliveMs;
          this.advertDirty = true;
          this.emit('gate-refused', 'warn', `gate refused taking ${gid} now${why}; asking again later`, {
            group: gid,
          });
        }
        break;
      case 'acquire':
        if (ok) {
          g.state = 'running';
          g.detail = undefined;
          this.lastHolder.set(gid, this.self);
          this.emit('acquired', 'info', `group ${gid} is running here`, { group: gid });
        } else {
          g.state = 'failed';
          g.failedHere = true;
          g.failures++;
          g.detail = `start failed${why}`;
          this.counters.acquireFailures++;
          this.claims.delete(gid);
          if (this.lastHolder.get(gid) === this.self) this.lastHolder.delete(gid);
          this.emit(
            'acquire-failed',
            'crit',
            `group ${gid} failed to start here${why}; released, another node may try (not retried here until an admin command or restart)`,
            { group: gid },
          );
        }
        this.advertDirty = true;
        break;
      case 'release':
        if (ok) {
          g.state = 'stopped';
          g.detail = undefined;
          if (this.lastHolder.get(gid) === this.self) this.lastHolder.delete(gid);
          this.emit('released', 'info', `group ${gid} released`, { group: gid });
        } else {
          g.state = 'failed';
          g.stopFailed = true;
          g.handoffTo = undefined;
          g.detail = `stop failed${why}: may still be running here, nobody else will start it`;
          this.emit(
            'release-failed',
            'crit',
            `group ${gid} failed to stop${why}; it stays marked as held here (no reboot), operator action needed`,
            { group: gid },
          );
        }
        this.advertDirty = true;
        break;
    }
  }

  /**
   * Starting, running or stopping here, or about to start (waiting for the gate): peers must learn
   * of the intent in the same heartbeat that could otherwise tell them the group is free.
   */
  private holdsHere(g: LocalGroup): boolean {
    return (
      g.state === 'starting' ||
      g.state === 'running' ||
      g.state === 'stopping' ||
      g.stopFailed ||
      g.pending?.kind === 'gate'
    );
  }

  /**
   * May run groups: alive, not leaving, and past comm-up (advertised phase `negotiating` or
   * `stable`), so a node still cut off and waiting for initdead neither attracts groups nor makes
   * holders release towards it. Real Heartbeat peers count once alive. A node only acts once every
   * peer lists it in `hbts_seen`, which peers do only once they count it as a candidate: so when it
   * acts, everybody's placement already includes it.
   */
  private isCandidate(n: NodeName): boolean {
    if (n === this.self) return this.phase === 'stable' || this.phase === 'negotiating';
    const p = this.peers.get(n);
    if (p === undefined || !this.detector.isAlive(n) || p.leaving) return false;
    return p.implementation !== 'hbts' || p.phase === 'stable' || p.phase === 'negotiating';
  }

  private placementView(): PlacementView {
    const candidates = new Set(this.config.nodes.filter((n) => this.isCandidate(n)));
    const collect = (pick: (p: PeerInfo) => ReadonlySet<GroupId>, mine: ReadonlySet<GroupId>) => {
      return (group: GroupId): ReadonlySet<NodeName> => {
        const out = new Set<NodeName>();
        if (mine.has(group)) out.add(this.self);
        for (const p of this.peers.values())
          if (this.detector.isAlive(p.name) && pick(p).has(group)) out.add(p.name);
        return out.size > 0 ? out : emptySet;
      };
    };
    const heldHere = new Set(this.groups.filter((g) => this.holdsHere(g)).map((g) => g.group.id));
    const failedHere = new Set(this.groups.filter((g) => g.failedHere).map((g) => g.group.id));
    const handoffs = (group: GroupId): ReadonlySet<NodeName> => {
      const out = new Set<NodeName>();
      const mine = this.groupById.get(group)?.handoffTo;
      if (mine !== undefined) out.add(mine);
      for (const p of this.peers.values()) {
        const to = p.handoffs.get(group);
        // A node that left gracefully keeps pointing at where it handed its groups.
        const leftCleanly = p.shutdoneGeneration !== undefined && p.shutdoneGeneration === p.generation;
        if (to !== undefined && (this.detector.isAlive(p.name) || leftCleanly)) out.add(to);
      }
      return out.size > 0 ? out : emptySet;
    };
    return {
      nodes: this.config.nodes,
      candidates,
      handoffs,
      holders: collect((p) => p.held, heldHere),
      claimers: collect((p) => p.claims, this.claims),
      decliners: collect((p) => p.declines, this.declines),
      failedOn: collect((p) => p.failed, failedHere),
    };
  }

  private reconcile(): void {
    if (this.phase === 'shutting-down') {
      this.reconcileShutdown();
      return;
    }
    if (this.phase !== 'stable') return;
    const view = this.placementView();
    for (const g of this.groups) {
      const gid = g.group.id;
      const holders = view.holders(gid);
      const target = placeGroup(gid, g.group.homeNode, view);
      const otherHolders = [...holders].filter((n) => n !== this.self);
      this.noteConflict(g, holders, target);
      if (g.handoffTo !== undefined && g.state === 'stopped') {
        // Handed over once the target has held it for two keepalives (so every node has heard that
        // before our handoff note disappears), or moot when the target can no longer take it.
        if (holders.has(g.handoffTo)) g.handoffTakenAtMs ??= this.nowMs;
        else g.handoffTakenAtMs = undefined;
        const taken =
          g.handoffTakenAtMs !== undefined && this.nowMs >= g.handoffTakenAtMs + 2 * this.config.keepaliveMs;
        if (taken || !view.candidates.has(g.handoffTo) || view.failedOn(gid).has(g.handoffTo)) {
          g.handoffTo = undefined;
          g.handoffTakenAtMs = undefined;
          this.advertDirty = true;
        }
      }
      if (this.claims.has(gid) && g.state === 'running' && otherHolders.length === 0) {
        // Our request is satisfied: from now on the group stays here because we hold it.
        this.claims.delete(gid);
        this.advertDirty = true;
      }
      if (g.pending) continue;
      if (g.state === 'running' && target !== undefined && target !== this.self) {
        if (this.peers.get(target)?.implementation === 'heartbeat' && this.ipRequests.get(gid) !== target) {
          this.handOverToHeartbeat(g, target);
          continue;
        }
        this.startRelease(g, `placement moves it to ${target}`, target);
        continue;
      }
      if ((g.state === 'stopped' || (g.state === 'failed' && !g.stopFailed)) && target === this.self) {
        if (otherHolders.length > 0) {
          // Release before acquire: wait for the live holder to report it stopped.
          if (g.waitingFor !== otherHolders[0]) {
            g.waitingFor = otherHolders[0];
            this.emit('note', 'info', `group ${gid}: waiting for ${otherHolders.join(', ')} to release it`, {
              group: gid,
            });
          }
          continue;
        }
        const ps = this.peerStandby;
        if (ps !== undefined && !ps.peerDone && ps.groups.includes(gid)) continue; // still releasing there
        if (this.config.autoFailback === 'legacy' && !this.ipGranted.has(gid)) {
          const real = [...this.peers.values()].find(
            (p) => p.implementation === 'heartbeat' && this.detector.isAlive(p.name) && !p.leaving,
          );
          if (real !== undefined) {
            const asked = this.ipAsked.get(gid);
            if (asked === undefined || this.nowMs - asked >= 5000) {
              this.ipAsked.set(gid, this.nowMs);
              this.emit(
                'note',
                'info',
                `asking ${real.name} (Heartbeat, legacy) for group ${gid} (ip-request)`,
                {
                  node: real.name,
                  group: gid,
                },
              );
              this.send([str('t', 'ip-request'), str('ipaddr', gid)]);
            }
            continue;
          }
        }
        this.ipGranted.delete(gid);
        this.ipAsked.delete(gid);
        g.waitingFor = undefined;
        if (this.claims.has(gid) && !this.claimsAcknowledged()) continue; // see claimVersion
        const from = this.lastHolder.get(gid);
        if (from !== undefined && from !== this.self && g.gatePassedFrom !== from) {
          if (this.nowMs < g.gateRetryAtMs) continue;
          const id = this.newActionId(g);
          g.pending = { kind: 'gate', id };
          this.advertDirty = true;
          this.actions.push({ kind: 'gate', id, group: gid, fromNode: from });
          continue;
        }
        this.startAcquire(
          g,
          from !== undefined && from !== this.self ? `failover from ${from}` : 'placement',
        );
      }
    }
  }

  /** A real Heartbeat only takes groups through the standby handshake: ask first, release on `other`. */
  private handOverToHeartbeat(g: LocalGroup, target: NodeName): void {
    const hs = this.handshake;
    if (hs === undefined) {
      if (this.nowMs < this.handshakeRetryAtMs) return;
      // Real Heartbeat ignores `ask_resources me` until it is stable ("Other side is in flux"):
      // a restarted peer first answers our resource report and reports isstable=1.
      if (this.peers.get(target)?.rscStable !== true) return;
      const moving = this.groups.filter((x) => x.state === 'running' && x.pending === undefined);
      const ids = moving
        .filter((x) => {
          const t = placeGroup(x.group.id, x.group.homeNode, this.placementView());
          return t === target;
        })
        .map((x) => x.group.id);
      const local = ids.some((id) => this.groupById.get(id)?.group.homeNode === this.self);
      const foreign = ids.some((id) => this.groupById.get(id)?.group.homeNode !== this.self);
      const set: HoldWord = local && foreign ? 'all' : local ? 'local' : 'foreign';
      this.handshake = { peer: target, set, groups: ids, phase: 'asked', deadlineMs: this.nowMs + 10_000 };
      this.emit('standby', 'info', `asking ${target} (Heartbeat) to take [${set}]`, { node: target });
      this.send([str('t', 'ask_resources'), str('rsc_hold', set), str('info', 'me')]);
      return;
    }
    if (hs.peer === target && hs.phase === 'releasing' && hs.groups.includes(g.group.id)) {
      this.startRelease(g, `standby: ${target} takes it`, target);
    }
  }

  private advanceHandshakes(): void {
    const hs = this.handshake;
    if (hs !== undefined) {
      if (hs.phase === 'asked' && this.nowMs >= hs.deadlineMs) {
        this.emit('note', 'warn', `No reply to standby request from ${hs.peer}. Standby request cancelled.`, {
          node: hs.peer,
        });
        this.handshake = undefined;
        this.handshakeRetryAtMs = this.nowMs + 10_000;
      } else if (
        hs.phase === 'releasing' &&
        hs.groups.every((id) => {
          const g = this.groupById.get(id);
          return g !== undefined && g.pending === undefined && g.state !== 'running';
        })
      ) {
        this.sendResourceReport('standby');
        this.send([str('t', 'ask_resources'), str('rsc_hold', hs.set), str('info', 'done')]);
        this.handshake = undefined;
      } else if (!this.detector.isAlive(hs.peer)) {
        this.handshake = undefined;
      }
    }
    for (const [gid, requester] of this.ipRequests) {
      const g = this.groupById.get(gid);
      if (!g || g.pending !== undefined || this.holdsHere(g)) continue;
      this.ipRequests.delete(gid);
      this.send(
        [str('t', 'ip-request-resp'), str('ipaddr', gid), str('weown', 'yes'), str('ok', 'OK')],
        requester,
      );
    }
    const ps = this.peerStandby;
    if (ps !== undefined) {
      const settled = ps.groups.every((id) => {
        const g = this.groupById.get(id);
        return g !== undefined && g.pending === undefined && (g.state === 'running' || g.state === 'failed');
      });
      if ((settled && ps.peerDone) || !this.detector.isAlive(ps.peer)) {
        if (settled && ps.peerDone) {
          this.send([str('t', 'ask_resources'), str('rsc_hold', ps.set), str('info', 'done')]);
          this.sendResourceReport(undefined);
        }
        this.peerStandby = undefined;
      }
    }
  }

  private noteConflict(g: LocalGroup, holders: ReadonlySet<NodeName>, target: NodeName | undefined): void {
    const conflict = holders.size > 1 && holders.has(this.self);
    if (conflict && !g.inConflict) {
      this.counters.conflicts++;
      const keeper = target !== undefined && holders.has(target) ? target : [...holders][0];
      this.emit(
        'conflict-resolved',
        'crit',
        `group ${g.group.id} runs on ${[...holders].join(' and ')}: ${keeper ?? 'nobody'} keeps it, the others release it`,
        { group: g.group.id },
      );
    }
    g.inConflict = conflict;
  }

  private startAcquire(g: LocalGroup, reason: string): void {
    const id = this.newActionId(g);
    g.pending = { kind: 'acquire', id };
    g.state = 'starting';
    g.gatePassedFrom = undefined;
    g.handoffTo = undefined;
    this.lastHolder.set(g.group.id, this.self);
    this.counters.takeovers++;
    this.advertDirty = true;
    this.emit('takeover', 'info', `acquiring group ${g.group.id} (${reason})`, { group: g.group.id });
    this.actions.push({ kind: 'acquire', id, group: g.group.id, reason });
  }

  private startRelease(g: LocalGroup, reason: string, target: NodeName | undefined): void {
    g.handoffTo = target !== undefined && target !== this.self ? target : undefined;
    g.handoffTakenAtMs = undefined;
    const id = this.newActionId(g);
    g.pending = { kind: 'release', id };
    g.state = 'stopping';
    this.counters.releases++;
    this.advertDirty = true;
    this.emit('release', 'info', `releasing group ${g.group.id} (${reason})`, { group: g.group.id });
    this.actions.push({ kind: 'release', id, group: g.group.id, reason });
  }

  private reconcileShutdown(): void {
    if (this.groups.some((g) => g.pending !== undefined)) return;
    for (let i = this.groups.length - 1; i >= 0; i--) {
      const g = this.groups[i];
      if (g && g.state === 'running') {
        this.startRelease(g, 'shutdown', placeGroup(g.group.id, g.group.homeNode, this.placementView()));
        return;
      }
    }
    if (!this.shutdoneSent) {
      this.shutdoneSent = true;
      this.phase = 'stopped';
      this.sendStatus();
      this.send([str('t', 'shutdone'), str('st', 'dead'), ...advertFields(this.advert())]);
      this.emit('shutdown', 'info', 'every group released, shutdone sent: stopped');
      this.stopped = true;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Events and status

  private emit(
    kind: ClusterEventKind,
    level: EventLevel,
    text: string,
    at: { node?: NodeName; medium?: MediumId; group?: GroupId } = {},
  ): void {
    this.factsChanged = true;
    this.events.push({ kind, level, atMs: this.nowMs, text, ...at });
  }

  status(): ClusterStatus {
    const view = this.placementView();
    const heldHere = this.groups.filter((g) => this.holdsHere(g)).map((g) => g.group.id);
    const nodes: NodeStatusEntry[] = this.config.nodes.map((name) => {
      if (name === this.self) {
        return {
          name,
          self: true,
          status: this.phase === 'stopped' ? 'dead' : this.ownStatus,
          links: [],
          lastHeardMs: this.lastSentStatusMs,
          generation: undefined,
          deadtimeMs: this.config.deadtimeMs,
          configFingerprint: this.fingerprint,
          configMatches: true,
          implementation: 'hbts',
          holds: heldHere,
          phase: this.phase,
        };
      }
      const p = this.peers.get(name);
      const liveness = this.detector.liveness(name);
      return {
        name,
        self: false,
        status: liveness === 'dead' ? 'dead' : liveness === 'unheard' ? 'init' : (p?.advertised ?? 'init'),
        links: this.detector.links(name).map((l) => ({
          medium: l.medium,
          status: l.up ? 'up' : 'dead',
          lastHeardMs: l.lastMs,
        })),
        lastHeardMs: this.detector.lastStatusMs(name),
        generation: p?.generation,
        deadtimeMs: this.detector.deadtimeMs(name),
        configFingerprint: p?.cfg,
        configMatches: p?.cfg === undefined ? undefined : p.cfg === this.fingerprint,
        implementation: p?.implementation ?? 'unknown',
        holds: p && liveness === 'alive' ? [...p.held] : [],
        phase: p?.phase,
      };
    });
    const groups: GroupStatusEntry[] = this.groups.map((g) => ({
      id: g.group.id,
      homeNode: g.group.homeNode,
      owners: [...view.holders(g.group.id)],
      target: this.phase === 'stable' ? placeGroup(g.group.id, g.group.homeNode, view) : undefined,
      localState: g.state,
      failures: g.failures,
      failedOn: [...view.failedOn(g.group.id)],
      detail: g.detail,
    }));
    const transition = this.groups.some((g) => g.pending !== undefined && g.pending.kind !== 'probe');
    return {
      self: this.self,
      nowMs: this.nowMs,
      phase: this.phase,
      mode: this.config.autoFailback,
      resourceHold: transition ? 'transition' : this.holdWord(),
      configFingerprint: this.fingerprint,
      configMismatch: this.mismatched.size > 0,
      nodes,
      groups,
      counters: { ...this.counters },
    };
  }
}
