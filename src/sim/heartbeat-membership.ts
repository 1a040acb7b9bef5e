// The membership half of the simulator's Heartbeat 3.0.6 emulation (see heartbeat-peer.ts for what
// it is and is not): status heartbeats without hbts_* fields, links, comm-up through reqnodes /
// repnodes, the peer's death after its advertised deadtime (initdead before comm-up), `shutdone`.
// The resource half (HeartbeatPeer) plugs in through the abstract hooks, like Heartbeat's own
// heartbeat.c / hb_resource.c split.
import type {
  Action,
  ActionId,
  AdminCommand,
  ClusterEvent,
  ClusterEventKind,
  ClusterNodeOptions,
  ClusterStatus,
  EventLevel,
  GroupStatusEntry,
  Input,
  MonoMs,
  NodePhase,
  NodeStatusEntry,
  OutboundPacket,
  Output,
} from '../cluster/types.js';
import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import { getString, str } from '../protocol/message.js';
import type { Field, Message } from '../protocol/message.js';
import type { SimCore } from './sim-node.js';

/** What the resource half reports for status(). */
export interface ResourceView {
  readonly phase: NodePhase;
  readonly resourceHold: ClusterStatus['resourceHold'];
  readonly held: readonly GroupId[];
  readonly peerHolds: readonly GroupId[];
  readonly groups: GroupStatusEntry[];
}

export abstract class HeartbeatMembership implements SimCore {
  protected readonly config: ClusterConfig;
  protected readonly self: NodeName;
  protected readonly peer: NodeName;
  protected nowMs: MonoMs;
  /** The peer sends status heartbeats we receive (false before first contact and once dead). */
  protected alive = false;
  protected stopped = false;
  protected actions: Action[] = [];
  private readonly endpoint: ProtocolEndpoint;
  private readonly wallOffsetMs: number;
  private readonly startMs: MonoMs;
  private st: 'init' | 'up' | 'active' = 'init';
  private comm: 'starting' | 'linksup' | 'up' = 'starting';
  private nextStatusMs: MonoMs;
  private reqnodesAtMs: MonoMs = Infinity;
  private heard = false;
  private peerSt = 'init';
  private lastStatusMs: MonoMs = 0;
  private peerDeadtimeMs: number;
  private readonly links = new Map<MediumId, MonoMs>();
  private heartbeatsIn = 0;
  private packets: OutboundPacket[] = [];
  private events: ClusterEvent[] = [];

  constructor(o: ClusterNodeOptions) {
    const others = o.config.nodes.filter((n) => n !== o.self);
    const peer = others[0];
    if (others.length !== 1 || peer === undefined) {
      throw new Error('the Heartbeat emulation needs exactly 2 nodes');
    }
    this.config = o.config;
    this.self = o.self;
    this.peer = peer;
    this.endpoint = o.endpoint;
    this.wallOffsetMs = o.wallClockOffsetMs;
    this.startMs = o.nowMs;
    this.nowMs = o.nowMs;
    this.nextStatusMs = o.nowMs;
    this.peerDeadtimeMs = o.config.deadtimeMs;
  }

  // Hooks of the resource half.
  protected abstract onCommUp(peerAlive: boolean): void;
  protected abstract onPeerMessage(type: string, msg: Message): void;
  /** The peer died (deadtime, or `shutdone` when graceful) after comm-up. */
  protected abstract onPeerDead(graceful: boolean): void;
  /** What we knew of the peer's resources is void (it restarted or died). */
  protected abstract forgetPeer(): void;
  protected abstract onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void;
  protected abstract onAdmin(command: AdminCommand): void;
  protected abstract resourceTimers(): void;
  protected abstract resourceWakeMs(): MonoMs;
  /** Whatever finished this step (runs after every input). */
  protected abstract progress(): void;
  protected abstract resourceView(): ResourceView;

  step(input: Input): Output {
    this.nowMs = Math.max(this.nowMs, input.nowMs);
    if (this.stopped) return { packets: [], actions: [], events: [], wakeAtMs: Infinity, stopped: true };
    this.packets = [];
    this.actions = [];
    this.events = [];
    if (input.kind === 'packet') this.onPacket(input.medium, input.bytes);
    if (input.kind === 'action-result') this.onActionResult(input.actionId, input.ok, input.detail);
    if (input.kind === 'admin') this.onAdmin(input.command);
    for (const bytes of this.endpoint.tick(this.nowMs)) this.packets.push({ bytes });
    this.membershipTimers();
    this.resourceTimers();
    this.progress();
    this.heartbeat();
    const { packets, actions, events, stopped } = this;
    return { packets, actions, events, wakeAtMs: this.wakeAt(), stopped };
  }

  private wakeAt(): MonoMs {
    if (this.stopped) return Infinity;
    const death = !this.heard ? this.startMs + this.config.initdeadMs : this.deathAtMs();
    const ep = this.endpoint.nextWakeMs();
    const ask = [this.nextStatusMs, death, this.reqnodesAtMs, this.resourceWakeMs()];
    return Math.max(Math.min(...ask, ep > this.nowMs ? ep : this.nowMs + 1), this.nowMs);
  }

  /** Until comm-up initdead applies to every node (reference 8.2), then the peer's `dt`. */
  private deathAtMs(): MonoMs {
    if (!this.alive) return Infinity;
    return this.lastStatusMs + (this.comm === 'up' ? this.peerDeadtimeMs : this.config.initdeadMs);
  }

  protected emit(
    kind: ClusterEventKind,
    level: EventLevel,
    text: string,
    at: { node?: NodeName; medium?: MediumId; group?: GroupId } = {},
  ): void {
    this.events.push({ kind, level, atMs: this.nowMs, text, ...at });
  }

  protected send(fields: readonly Field[], dest?: NodeName): void {
    const wallMs = this.nowMs + this.wallOffsetMs;
    const options = dest !== undefined ? { dest, wallMs } : { wallMs };
    this.packets.push({ bytes: this.endpoint.send(fields, this.nowMs, options) });
  }

  private sendStatus(): void {
    // The MCP advertises deadtime + 2 s for its first 5 s (captured: dt=1388 for deadtime 3 s).
    const dt = this.config.deadtimeMs + (this.nowMs - this.startMs < 5000 ? 2000 : 0);
    this.send([str('t', 'status'), str('st', this.st), str('dt', dt.toString(16)), str('protocol', '1')]);
  }

  private heartbeat(): void {
    if (this.stopped) return;
    if (this.st === 'init') {
      this.sendStatus(); // seq 1 says init, then up at once (captured start-up)
      this.st = 'up';
      this.sendStatus();
      this.nextStatusMs = this.nowMs + this.config.keepaliveMs;
    }
    if (this.nowMs >= this.nextStatusMs) {
      this.sendStatus();
      this.nextStatusMs = Math.max(this.nextStatusMs + this.config.keepaliveMs, this.nowMs + 1);
    }
  }

  private onPacket(medium: MediumId, bytes: Uint8Array): void {
    const r = this.endpoint.receive(bytes, medium, this.nowMs);
    for (const reply of r.packets) this.packets.push({ bytes: reply });
    const got = r.received;
    if (got.kind === 'rejected') this.emit('note', 'warn', `packet rejected: ${got.reason}: ${got.detail}`);
    if ((got.kind !== 'message' && got.kind !== 'link-only') || got.src !== this.peer) return;
    if (!this.links.has(medium)) {
      this.emit('link-up', 'info', `Link ${this.peer}:${medium} up.`, { node: this.peer, medium });
    }
    this.links.set(medium, this.nowMs);
    if (got.kind !== 'message') return;
    if (got.peerRestarted) this.forgetPeer();
    if (!this.heard) {
      this.heard = true; // first contact: before comm-up any packet counts
      this.alive = true;
      this.lastStatusMs = this.nowMs;
    }
    if (this.comm === 'starting') {
      this.comm = 'linksup';
      this.reqnodesAtMs = this.nowMs;
    }
    switch (got.type) {
      case 'status':
        return this.onStatus(got.message, got.peerRestarted);
      case 'repnodes':
        if (this.comm === 'linksup') this.commUp();
        return;
      case 'reqnodes': {
        const nodelist = this.config.nodes.map((n) => `${n} `).join('');
        const fields = [str('t', 'repnodes'), str('nodelist', nodelist), str('delnodelist', ' ')];
        return this.send(fields, this.peer);
      }
      case 'shutdone':
        this.emit('shutdown-notice', 'info', `Received shutdown notice from '${this.peer}'.`, {
          node: this.peer,
        });
        return this.peerDead(true);
      default:
        return this.onPeerMessage(got.type, got.message);
    }
  }

  private onStatus(msg: Message, restarted: boolean): void {
    this.heartbeatsIn++;
    const dt = getString(msg, 'dt');
    if (dt !== undefined && /^[0-9a-f]{1,8}$/i.test(dt) && parseInt(dt, 16) > 0) {
      this.peerDeadtimeMs = parseInt(dt, 16);
    }
    if (!this.alive) {
      this.alive = true;
      const why = restarted
        ? 'is up again (restarted, new generation)'
        : 'returns after partition: a real Heartbeat restarts itself here (not emulated)';
      this.emit('peer-up', restarted ? 'info' : 'warn', `node ${this.peer}: ${why}`, { node: this.peer });
      if (!restarted) this.forgetPeer();
    }
    this.lastStatusMs = this.nowMs;
    const st = getString(msg, 'st') ?? 'init';
    if (st !== this.peerSt) {
      this.peerSt = st;
      this.emit('peer-status', 'info', `Status update for node ${this.peer}: status ${st}`, {
        node: this.peer,
      });
    }
  }

  private commUp(): void {
    this.comm = 'up';
    this.reqnodesAtMs = Infinity;
    this.st = 'active';
    this.sendStatus();
    this.emit('comm-up', 'info', 'Comm_now_up(): updating status to active');
    this.onCommUp(this.alive);
  }

  private membershipTimers(): void {
    if (!this.heard && this.nowMs >= this.startMs + this.config.initdeadMs) {
      this.heard = true;
      this.peerSt = 'dead';
      this.emit('peer-dead', 'warn', `node ${this.peer}: is dead (not heard within initdead)`, {
        node: this.peer,
      });
      this.commUp();
    } else if (this.nowMs >= this.deathAtMs()) {
      this.emit('peer-dead', 'warn', `node ${this.peer}: is dead`, { node: this.peer });
      this.peerDead(false);
    }
    if (this.nowMs >= this.reqnodesAtMs) {
      this.send([str('t', 'reqnodes')], this.peer); // repeated every second until answered
      this.reqnodesAtMs = this.nowMs + 1000;
    }
  }

  private peerDead(graceful: boolean): void {
    this.alive = false;
    this.peerSt = 'dead';
    for (const m of this.links.keys()) {
      this.emit('link-dead', 'info', `Link ${this.peer}:${m} dead.`, { node: this.peer, medium: m });
    }
    this.links.clear();
    this.forgetPeer();
    if (this.comm !== 'up') return this.commUp();
    this.onPeerDead(graceful);
  }

  status(): ClusterStatus {
    const r = this.resourceView();
    const entry = (name: NodeName): NodeStatusEntry => {
      const me = name === this.self;
      const peerSt = !this.heard ? 'init' : this.alive ? this.peerSt : 'dead';
      const status = (me ? this.st : peerSt) as NodeStatusEntry['status'];
      const links = this.config.media.map((m) => {
        const lastHeardMs = this.links.get(m.id);
        return {
          medium: m.id,
          status: lastHeardMs !== undefined ? ('up' as const) : ('dead' as const),
          lastHeardMs,
        };
      });
      return {
        name,
        self: me,
        status,
        links: me ? [] : links,
        lastHeardMs: me ? undefined : this.lastStatusMs,
        generation: undefined,
        deadtimeMs: me ? this.config.deadtimeMs : this.peerDeadtimeMs,
        configFingerprint: undefined,
        configMatches: undefined,
        implementation: me ? 'heartbeat' : 'unknown',
        holds: me ? r.held : r.peerHolds,
        phase: me ? r.phase : undefined,
      };
    };
    const zero = {
      packetsIn: 0,
      packetsOut: 0,
      heartbeatsOut: 0,
      rejected: 0,
      malformed: 0,
      peerDeaths: 0,
      takeovers: 0,
      releases: 0,
      invariantsBroken: 0,
      fences: 0,
      fenceFailures: 0,
    };
    return {
      self: this.self,
      nowMs: this.nowMs,
      phase: r.phase,
      mode: this.config.autoFailback,
      resourceHold: r.resourceHold,
      configFingerprint: '',
      configMismatch: false,
      nodes: this.config.nodes.map(entry),
      groups: r.groups,
      fencing: [],
      selfFenced: undefined,
      counters: { ...zero, heartbeatsIn: this.heartbeatsIn, acquireFailures: 0, pauses: 0, conflicts: 0 },
    };
  }
}
