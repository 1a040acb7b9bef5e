// ClusterNode: the pure cluster core of one node, as a composer of its parts. step() runs one
// input through a fixed pipeline (pause check, the input itself, protocol timers, liveness,
// start-up, ownership, the real-Heartbeat handshakes, heartbeats) and returns what the shell
// must do. Each part owns one piece of state (see docs/architecture.md):
//   outbox       the step's packets, actions, events and counters
//   peer-table   what peers told us, and their liveness (failure detector)
//   local-groups our groups' local state and the action lifecycle
//   membership   our phase, the candidates and the placement view
//   heartbeat-sender / startup / admin-commands / heartbeat-dialect / ownership / status-view
// No clock, no I/O: time arrives as nowMs, randomness through the injected Random.
import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';
import type { ProtocolEndpoint, Received } from '../protocol/endpoint.js';
import type { Message } from '../protocol/message.js';
import { AdminCommands } from './admin-commands.js';
import { Autojoin } from './autojoin.js';
import { Arbiter } from './arbiter.js';
import { Fencing } from './fencing.js';
import { configFingerprint } from '../config/fingerprint.js';
import { HeartbeatDialect } from './heartbeat-dialect.js';
import { HeartbeatSender } from './heartbeat-sender.js';
import { Health } from './health.js';
import { LocalGroups } from './local-groups.js';
import { Membership } from './membership.js';
import { Outbox } from './outbox.js';
import { Ownership } from './ownership.js';
import { PeerTable } from './peer-table.js';
import { Reconfigure, authChanged, previousKeysGraceMs } from './reconfigure.js';
import { PingNodes } from './ping-nodes.js';
import { Quorum } from './quorum.js';
import { Startup } from './startup.js';
import { clusterStatus } from './status-view.js';
import type { ClusterNodeOptions, ClusterStatus, Input, MonoMs, Output } from './types.js';
import { decodeClusterMessage } from './wire-decode.js';
import { cleanupFields } from './wire.js';

export class ClusterNode {
  private readonly config: ClusterConfig;
  private readonly self: NodeName;
  private readonly endpoint: ProtocolEndpoint;
  private fingerprint: string;
  private readonly out: Outbox;
  private readonly groups: LocalGroups;
  private readonly peers: PeerTable;
  private readonly membership: Membership;
  private readonly sender: HeartbeatSender;
  private readonly startup: Startup;
  private readonly admin: AdminCommands;
  private readonly dialect: HeartbeatDialect;
  private readonly ownership: Ownership;
  private readonly fencing: Fencing;
  private readonly health: Health;
  private readonly autojoin: Autojoin;
  private readonly reconfigure: Reconfigure;
  private readonly pingNodes: PingNodes;
  private readonly quorum: Quorum;
  private readonly arbiter: Arbiter;
  private nowMs: MonoMs;
  private lastWakeAtMs: MonoMs | undefined;

  constructor(options: ClusterNodeOptions) {
    const { self, endpoint } = options;
    // Our own copy: a reload replaces its fields in place, a node that joins (ha.cf autojoin) is
    // added to its node list, and every part reads them at use time.
    const config: ClusterConfig = { ...options.config, nodes: [...options.config.nodes] };
    this.config = config;
    this.autojoin = new Autojoin(config, self);
    this.self = self;
    this.endpoint = endpoint;
    this.nowMs = options.nowMs;
    this.fingerprint = configFingerprint(config);
    const out = new Outbox(endpoint, options.wallClockOffsetMs, options.invariants ?? 'throw', options.nowMs);
    this.out = out;
    this.groups = new LocalGroups(config, self, options.random, out);
    this.peers = new PeerTable(config, self, this.fingerprint, endpoint, this.groups, out, options.nowMs);
    this.pingNodes = new PingNodes(config.pingTargets, config.deadpingMs, options.nowMs, out);
    this.quorum = new Quorum(config, self, this.peers, this.pingNodes, out);
    this.membership = new Membership(config, self, this.peers, this.groups, {
      quorum: this.quorum,
      pingNodes: this.pingNodes,
      ipfail: config.pingPolicy === 'ipfail' && this.pingNodes.configured,
    });
    this.fencing = new Fencing(config, self, out, this.peers, this.groups, this.membership);
    this.arbiter = new Arbiter(config, self, out, this.peers, this.groups, this.membership);
    this.sender = new HeartbeatSender(
      config,
      this.fingerprint,
      out,
      this.peers,
      this.groups,
      this.membership,
      this.fencing,
      this.arbiter,
    );
    this.startup = new Startup(config, out, this.peers, this.groups, this.membership, this.sender);
    this.admin = new AdminCommands(config, out, this.peers, this.groups, this.membership, this.sender);
    this.dialect = new HeartbeatDialect(
      config,
      out,
      this.peers,
      this.groups,
      this.membership,
      this.sender,
      this.admin,
    );
    this.ownership = new Ownership(
      config,
      self,
      out,
      this.groups,
      this.peers,
      this.membership,
      this.dialect,
      this.sender,
      this.fencing,
      this.arbiter,
    );
    this.health = new Health(config, self, out, this.groups, this.peers, this.membership);
    this.reconfigure = new Reconfigure(
      config,
      self,
      out,
      this.peers,
      this.groups,
      this.membership,
      this.fencing,
      this.sender,
    );
  }

  /**
   * Why a reload to `next` must be refused now (empty: step a `reconfigure` input with it). The
   * shell asks first so that it can answer the operator and keep the old configuration running.
   */
  reloadRefusals(next: ClusterConfig): string[] {
    return this.reconfigure.refusals(next);
  }

  /** The group definitions in force (a group a reload is stopping keeps its old one until stopped). */
  groupDefinitions(): ClusterConfig['resourceGroups'] {
    return this.reconfigure.definitions();
  }

  step(input: Input): Output {
    this.nowMs = Math.max(this.nowMs, input.nowMs);
    this.out.nowMs = this.nowMs;
    if (this.membership.stopped)
      return { packets: [], actions: [], events: [], wakeAtMs: Infinity, stopped: true };
    // Timers, results and commands always re-run placement; a packet only when it changed a fact.
    this.out.begin(this.nowMs, input.kind !== 'packet' && input.kind !== 'ping-reply');
    this.detectPause();
    // A lease past its deadline (a pause longer than ttl/2 included) releases before anything else.
    this.arbiter.advance();
    switch (input.kind) {
      case 'timer':
        break;
      case 'packet':
        this.onPacket(input.medium, input.bytes);
        break;
      case 'ping-reply':
        this.pingNodes.onReply(input.address);
        break;
      case 'action-result':
        if (this.fencing.owns(input.actionId))
          this.fencing.onActionResult(input.actionId, input.ok, input.detail);
        else if (this.health.owns(input.actionId))
          this.health.onActionResult(input.actionId, input.ok, input.detail);
        else this.groups.onActionResult(input.actionId, input.ok, input.detail);
        break;
      case 'admin':
        if (input.command.kind === 'fence-confirmed') this.fencing.confirmOff(input.command.node);
        else if (input.command.kind === 'cleanup') this.cleanup(input.command.group);
        else if (input.command.kind === 'arbiter-lease')
          this.arbiter.onLease(input.command.leaseId, input.command.validUntilMs);
        else if (input.command.kind === 'arbiter-lost') this.arbiter.onLost(input.command.reason);
        else this.admin.run(input.command);
        break;
      case 'reconfigure':
        this.onReconfigure(input.config);
        break;
    }
    for (const bytes of this.endpoint.tick(this.nowMs)) this.out.sendRaw(bytes);
    this.peers.checkLiveness();
    this.pingNodes.check();
    this.quorum.evaluate();
    if (this.membership.settlePingScores(this.nowMs)) this.out.factsChanged = true;
    this.startup.advance();
    this.fencing.advance();
    this.reconfigure.advance();
    if (this.out.factsChanged) this.ownership.reconcile();
    this.dialect.advance();
    this.dialect.reportStableWhenSettled();
    this.health.advance();
    this.sender.heartbeat();
    const wakeAtMs = this.wakeAt();
    this.lastWakeAtMs = wakeAtMs;
    return this.out.finish(wakeAtMs, this.membership.stopped);
  }

  status(): ClusterStatus {
    const { config, self, fingerprint, out, peers, groups, membership, sender, fencing, arbiter } = this;
    const health = this.health;
    const s = clusterStatus({
      config,
      self,
      fingerprint,
      out,
      peers,
      groups,
      membership,
      sender,
      fencing,
      health,
      arbiter,
    });
    const joinedNodes = this.autojoin.list();
    if (joinedNodes === undefined) return s;
    const nodes = s.nodes.map((n) => (this.autojoin.isJoined(n.name) ? { ...n, joined: true as const } : n));
    return { ...s, nodes, joinedNodes };
  }

  /**
   * ha.cf autojoin: an authenticated message from a node on no node line. True when the node joined
   * (it is a peer from now on; this first message is dropped, its next heartbeat counts).
   */
  private join(src: string): boolean {
    const name = this.autojoin.consider(src);
    if (name === undefined) return false;
    this.endpoint.admit?.(name);
    this.peers.join(name);
    this.out.factsChanged = true;
    this.out.emit(
      'node-joined',
      'info',
      `node ${name} joined the cluster (autojoin ${this.config.autojoin}): it is on no node line but presented the cluster's key`,
      { node: name },
    );
    return true;
  }

  private onReconfigure(next: ClusterConfig): void {
    const refused = this.reconfigure.refusals(next);
    if (refused.length > 0) {
      // The shell asks first; a refusal here means the state moved between its question and now.
      this.out.emit(
        'note',
        'warn',
        `reload refused, keeping the running configuration: ${refused.join('; ')}`,
      );
      return;
    }
    try {
      this.endpoint.reconfigure?.({
        knownNodes: next.nodes,
        ttl: next.nodes.length + next.pingTargets.length + next.hopfudge,
        auth: next.auth,
        previousAuthUntilMs: authChanged(this.config, next)
          ? this.nowMs + previousKeysGraceMs(this.config, next)
          : -Infinity,
      });
    } catch (err) {
      this.out.emit('note', 'warn', `reload refused, keeping the running configuration: ${String(err)}`);
      return;
    }
    this.reconfigure.apply(next);
    this.fingerprint = configFingerprint(this.config);
    this.peers.fingerprint = this.fingerprint;
    this.sender.fingerprint = this.fingerprint;
    this.out.emit('note', 'info', `reload applied: configuration ${this.fingerprint}`);
  }

  private wakeAt(): MonoMs {
    if (this.membership.stopped) return Infinity;
    // A deadline the endpoint reports as already due after tick() would spin the shell: retry in 1 ms.
    const endpointWakeMs = this.endpoint.nextWakeMs();
    const next = Math.min(
      this.sender.nextWakeMs(),
      this.peers.detector.nextDeadlineMs(),
      endpointWakeMs > this.nowMs ? endpointWakeMs : this.nowMs + 1,
      this.startup.nextWakeMs(),
      this.groups.nextWakeMs(this.nowMs),
      this.dialect.nextWakeMs(),
      this.fencing.nextWakeMs(),
      this.health.nextWakeMs(),
      this.pingNodes.nextWakeMs(),
      this.quorum.nextWakeMs(),
      this.membership.nextWakeMs(),
      this.arbiter.nextWakeMs(),
    );
    return Math.max(next, this.nowMs);
  }

  /** `hbts cleanup <group>`: here, then on every hbts peer (real Heartbeat ignores the message). */
  private cleanup(group: GroupId): void {
    if (!this.health.cleanup(group, undefined)) {
      this.out.emit('note', 'warn', `cleanup: no resource group ${group} here`);
      return;
    }
    this.out.send(cleanupFields(group));
  }

  /** Pause awareness: input far later than the wake-up we asked for means we were frozen. */
  private detectPause(): void {
    if (this.lastWakeAtMs === undefined || !Number.isFinite(this.lastWakeAtMs)) return;
    const lateMs = this.nowMs - this.lastWakeAtMs;
    if (lateMs <= this.config.keepaliveMs) return;
    this.out.counters.pauses++;
    this.peers.detector.suppressDeathsUntil(this.nowMs + this.config.keepaliveMs);
    this.quorum.suppressLossUntil(this.nowMs + this.config.keepaliveMs);
    this.out.emit(
      'pause-detected',
      'warn',
      `woke ${Math.round(lateMs)} ms late: no peer is declared dead before fresh heartbeats had one keepalive to arrive`,
    );
  }

  // ------------------------------------------------------------------------------------------
  // Packets: protocol endpoint first (auth, seq, rexmit), then one typed message to its part.

  private onPacket(medium: MediumId, bytes: Uint8Array): void {
    this.out.counters.packetsIn++;
    let result;
    try {
      result = this.endpoint.receive(bytes, medium, this.nowMs);
    } catch (err) {
      // The endpoint must never throw on network input; if it does, drop the packet, keep running.
      this.out.counters.rejected++;
      this.out.emit('note', 'warn', `endpoint failed on a packet from ${medium}: ${String(err)}`, { medium });
      return;
    }
    for (const reply of result.packets) this.out.sendRaw(reply);
    this.onReceived(result.received);
  }

  private onReceived(r: Received): void {
    switch (r.kind) {
      case 'own':
        return;
      case 'rejected':
        if (r.reason === 'unknown-node' && r.src !== undefined && this.join(r.src)) return;
        this.out.counters.rejected++;
        if (r.reason === 'bad-auth' || r.reason === 'unknown-key') {
          this.out.emit(
            'auth-rejected',
            'warn',
            `${r.reason}: ${r.detail}`,
            r.src ? { node: r.src as NodeName } : {},
          );
        }
        return;
      case 'link-only':
        this.peers.heardOnLink(r.src, r.medium);
        return;
      case 'message':
        this.onMessage(
          r.src,
          r.medium,
          r.message,
          r.type,
          r.seq,
          r.generation,
          r.peerRestarted,
          r.resync?.direction === 'back',
        );
        return;
    }
  }

  private onMessage(
    src: NodeName,
    medium: MediumId,
    raw: Message,
    type: string,
    seq: number | undefined,
    generation: number,
    peerRestarted: boolean,
    resyncedBack: boolean,
  ): void {
    const peer = this.peers.get(src);
    if (!peer) return;
    this.peers.heardOnLink(src, medium);
    const restarted = this.peers.noteGeneration(peer, generation, peerRestarted, resyncedBack);
    const decoded = decodeClusterMessage(raw, type);
    if (!decoded.ok) {
      this.out.counters.rejected++;
      this.out.counters.malformed++;
      this.out.emit('malformed', 'warn', `dropped a malformed message from ${src}: ${decoded.reason}`, {
        node: src,
      });
      return;
    }
    const msg = decoded.message;
    const fresh = seq === undefined || peer.factsSeq === undefined || seq > peer.factsSeq;
    if (fresh && seq !== undefined && (msg.kind === 'status' || msg.kind === 'resource')) peer.factsSeq = seq;
    switch (msg.kind) {
      case 'status':
        this.peers.onStatus(peer, msg, restarted, fresh);
        break;
      case 'starting':
        this.sender.sendResourceReport(undefined);
        break;
      case 'resource':
        if (fresh) this.peers.onResourceReport(peer, msg);
        break;
      case 'shutdone':
        this.peers.onShutdone(peer, msg);
        break;
      case 'reqnodes':
        this.dialect.onReqnodes(src);
        break;
      case 'hb_takeover':
        this.dialect.onTakeoverRequest(peer, msg.hold);
        break;
      case 'ask_resources':
        if (fresh) this.dialect.onAskResources(peer, msg);
        break;
      case 'ip-request-resp':
        this.dialect.onIpRequestResp(msg.group, msg.ok);
        break;
      case 'ip-request':
        this.dialect.onIpRequest(peer, msg.group);
        break;
      case 'hbts_cleanup':
        this.health.cleanup(msg.group, src);
        break;
      case 'other':
        break;
    }
  }
}
