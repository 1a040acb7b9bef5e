// The contract between the pure cluster core and the shell (daemon, simulator, tests).
// The core is a synchronous state machine: step(input) -> output. It never reads a clock,
// opens a socket, spawns a process or sets a timer; time arrives as nowMs, randomness via Random.

import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';

/** Monotonic milliseconds (the shell uses performance.now()-based time; the simulator its fake clock). */
export type MonoMs = number;

/** Injected randomness; next() returns a float in [0, 1). */
export interface Random {
  next(): number;
}

/** Ids the core gives to actions so their results can come back as inputs. */
export type ActionId = number;

export type ResourceSet = 'all' | 'local' | 'foreign';

export type AdminCommand =
  /** hb_standby: give the set away to the peer(s). */
  | { readonly kind: 'standby'; readonly set: ResourceSet }
  /** hb_takeover: ask the peer(s) to give us the set. */
  | { readonly kind: 'takeover'; readonly set: ResourceSet }
  /** Graceful shutdown: hand every group over, announce `shutdone`, then report `stopped`. */
  | { readonly kind: 'shutdown' }
  /** The operator confirms a dead node is off (`hbts fence --confirm-off`): as if fenced. */
  | { readonly kind: 'fence-confirmed'; readonly node: NodeName }
  /** Release every group here and take none (the disk lock was lost: we can no longer be told to stop). */
  | { readonly kind: 'self-fence'; readonly reason: string }
  | { readonly kind: 'self-fence-clear' }
  /**
   * The arbiter's lease (arbiter.ts): etcd answered a keepalive for `leaseId`; the lease is ours
   * until at least `validUntilMs` (the keepalive's send time + ttl/2, in the core's clock).
   */
  | { readonly kind: 'arbiter-lease'; readonly leaseId: string; readonly validUntilMs: MonoMs }
  /** The lease is gone (etcd says it expired, or it was revoked): release everything at once. */
  | { readonly kind: 'arbiter-lost'; readonly reason: string };

export type Input =
  | { readonly kind: 'timer'; readonly nowMs: MonoMs }
  | { readonly kind: 'packet'; readonly nowMs: MonoMs; readonly medium: MediumId; readonly bytes: Uint8Array }
  | {
      readonly kind: 'action-result';
      readonly nowMs: MonoMs;
      readonly actionId: ActionId;
      readonly ok: boolean;
      readonly detail?: string;
    }
  | { readonly kind: 'admin'; readonly nowMs: MonoMs; readonly command: AdminCommand };

/** Bytes to send. `media` undefined = every medium (Heartbeat sends every message on every medium). */
export interface OutboundPacket {
  readonly bytes: Uint8Array;
  readonly media?: readonly MediumId[];
}

export type Action =
  /** Start the group's resources left to right; result ok=false if any start failed (shell stops what started). */
  | { readonly kind: 'acquire'; readonly id: ActionId; readonly group: GroupId; readonly reason: string }
  /** Stop the group's resources right to left; ok=false means a stop failed (never reboot: core marks it failed). */
  | { readonly kind: 'release'; readonly id: ActionId; readonly group: GroupId; readonly reason: string }
  /**
   * Ask whether this node may take over `group` from `fromNode` now (fencing / arbitration gate).
   * The shell answers with an action-result; the default gate answers ok at once.
   */
  | { readonly kind: 'gate'; readonly id: ActionId; readonly group: GroupId; readonly fromNode: NodeName }
  /** Power the node off with its configured fence method; ok = confirmed off. */
  | {
      readonly kind: 'fence';
      readonly id: ActionId;
      readonly node: NodeName;
      readonly reason: string;
      /** Not about one group (present so every action can be read as `action.group`). */
      readonly group?: undefined;
    }
  /** Ask the shell whether the group is already running here (status of every resource). ok = all running. */
  | { readonly kind: 'probe'; readonly id: ActionId; readonly group: GroupId }
  /**
   * Announce the group's virtual IPs again (gratuitous ARP) while it keeps running here: after a
   * split brain is resolved in our favour, clients may still point at the loser's MAC. No result.
   */
  | { readonly kind: 'announce'; readonly group: GroupId; readonly reason: string }
  /**
   * Take the group's key under our arbiter lease (an etcd transaction on its create revision);
   * ok = the key is ours (detail: the fencing token), else who holds it.
   */
  | {
      readonly kind: 'arbiter-claim';
      readonly id: ActionId;
      readonly group: GroupId;
      readonly reason: string;
    }
  /** Give back a key claimed and not used (placement moved the group elsewhere). No result. */
  | { readonly kind: 'arbiter-drop'; readonly group: GroupId; readonly reason: string };

/** The actions whose result comes back as an `action-result` input (all but `announce`, `arbiter-drop`). */
export type ResultAction = Exclude<Action, { readonly kind: 'announce' | 'arbiter-drop' }>;

/** Where fencing of one node stands (ClusterStatus.fencing). */
export interface FenceStatusEntry {
  readonly node: NodeName;
  /** delayed: waiting (fence_delay) before fencing; fencing: a call is running; retrying: the last failed. */
  readonly state: 'delayed' | 'waiting-for-peer' | 'fencing' | 'retrying' | 'fenced';
  readonly attempts: number;
  readonly lastError: string | undefined;
  /** When the next attempt starts (delayed, retrying). */
  readonly nextAttemptMs: MonoMs | undefined;
  /** Who fenced it: this node, another node, or the operator. */
  readonly fencedBy: NodeName | 'operator' | undefined;
}

/** The arbiter as the core sees it (ClusterStatus.arbiter). */
export interface ArbiterCoreStatus {
  /** The lease we hold (undefined: none, so nothing runs here). */
  readonly leaseId: string | undefined;
  /** We must have released everything by then unless a keepalive answer extends it. */
  readonly validUntilMs: MonoMs | undefined;
  /** Why nothing may run here now (no lease yet, lease lost), or undefined. */
  readonly blocked: string | undefined;
  /** Groups whose key we hold under the lease (claimed, starting, running, stopping). */
  readonly keys: readonly GroupId[];
}

// ---------------------------------------------------------------------------------------------
// Output, events and status of the core (ClusterNode.step / ClusterNode.status).

/** What one step asks the shell to do. */
export interface Output {
  /** Bytes to send, in order. */
  readonly packets: readonly OutboundPacket[];
  /** Resource actions; each result comes back as an `action-result` input with the same id. */
  readonly actions: readonly Action[];
  /** Facts for the log, the status API and the simulator's trace. */
  readonly events: readonly ClusterEvent[];
  /** Call step({kind:'timer'}) at this time at the latest (the shell arms exactly one timer). */
  readonly wakeAtMs: MonoMs;
  /** Graceful shutdown finished (every group released, `shutdone` sent): the shell may exit. */
  readonly stopped: boolean;
}

export type EventLevel = 'debug' | 'info' | 'warn' | 'crit';

export type ClusterEventKind =
  /** A peer's heartbeat is later than warntime (while waiting, and when the late one arrives). */
  | 'peer-late'
  /** No heartbeat from a peer on any medium for its deadtime (or it announced `shutdone`). */
  | 'peer-dead'
  /** First heartbeat from a peer, or from a peer we had declared dead. */
  | 'peer-up'
  /** A peer's heartbeat carries a new generation: it restarted. */
  | 'peer-restarted'
  /** A peer's advertised status changed (init/up/active). */
  | 'peer-status'
  /** A peer announced a graceful shutdown (`shutdone`). */
  | 'shutdown-notice'
  | 'link-dead'
  | 'link-up'
  /** Every node was heard from (or declared dead): local status becomes `active`. */
  | 'comm-up'
  /** Start-up negotiation finished: this node now places and runs groups. */
  | 'stable'
  /** This node starts acquiring a group (text says why: placement, failover of X, takeover, failback). */
  | 'takeover'
  /** A group finished starting here. */
  | 'acquired'
  | 'acquire-failed'
  /** This node starts releasing a group. */
  | 'release'
  | 'released'
  | 'release-failed'
  /** The gate refused a takeover (fencing/arbitration said no). */
  | 'gate-refused'
  /** Fencing: decided, started, failed (retried), succeeded, confirmed by the operator, cancelled. */
  | 'fence'
  /** This node released everything and takes nothing (disk lock lost), or is back. */
  | 'self-fence'
  /** The arbiter lease: held, lost (everything released), refused a key, a peer that cannot honour it. */
  | 'arbiter'
  | 'config-mismatch'
  | 'config-match'
  | 'auth-rejected'
  /** A node we had declared dead is heard again with the same generation. */
  | 'partition-healed'
  /** Two live nodes held the same group; the text says which one keeps it. */
  | 'conflict-resolved'
  /** Our own input arrived far later than the wake-up we asked for (GC/VM pause). */
  | 'pause-detected'
  | 'standby'
  | 'admin'
  | 'shutdown'
  /** An authentic message whose fields do not parse (dropped, counted). */
  | 'malformed'
  /** An internal invariant of the core broke (a bug): logged at crit, the transition skipped. */
  | 'invariant-broken'
  /** Anything else worth a log line (protocol notes, ignored requests). */
  | 'note';

export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  readonly level: EventLevel;
  readonly atMs: MonoMs;
  readonly node?: NodeName;
  readonly medium?: MediumId;
  readonly group?: GroupId;
  readonly text: string;
}

/** Heartbeat's node status words; `init` = never heard from (or the peer's own first status). */
export type NodeStatusName = 'init' | 'up' | 'active' | 'dead';
export type LinkStatusName = 'up' | 'dead';
export type GroupLocalState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

/** What this node does overall: start-up, negotiation, normal operation, leaving. */
export type NodePhase = 'starting' | 'negotiating' | 'stable' | 'shutting-down' | 'stopped';

export interface LinkStatus {
  readonly medium: MediumId;
  readonly status: LinkStatusName;
  readonly lastHeardMs: MonoMs | undefined;
}

export interface NodeStatusEntry {
  readonly name: NodeName;
  readonly self: boolean;
  readonly status: NodeStatusName;
  readonly links: readonly LinkStatus[];
  /** Last `status` heartbeat received (self: last sent). */
  readonly lastHeardMs: MonoMs | undefined;
  readonly generation: number | undefined;
  /** The deadtime we apply to this node (its advertised `dt`, else ours). */
  readonly deadtimeMs: number;
  /** Config fingerprint the node advertises (`hbts_cfg`); undefined for real Heartbeat peers. */
  readonly configFingerprint: string | undefined;
  /** undefined when the peer advertises none (real Heartbeat) or was never heard. */
  readonly configMatches: boolean | undefined;
  /** `hbts` = speaks our extension fields; `heartbeat` = a real Heartbeat (2-node rsc_hold semantics). */
  readonly implementation: 'hbts' | 'heartbeat' | 'unknown';
  /** Groups the node holds as we believe it (self: starting/running/stopping here). */
  readonly holds: readonly GroupId[];
  readonly phase: NodePhase | undefined;
}

export interface GroupStatusEntry {
  readonly id: GroupId;
  readonly homeNode: NodeName;
  /** Where the group runs as we believe it (undefined = nowhere). Two owners = a conflict being resolved. */
  readonly owners: readonly NodeName[];
  /** Where placement says it should run now (undefined = nowhere possible). */
  readonly target: NodeName | undefined;
  readonly localState: GroupLocalState;
  /** Failed starts here since the last restart/admin command. */
  readonly failures: number;
  /** Nodes on which the group failed to start (excluded from placement until an admin command). */
  readonly failedOn: readonly NodeName[];
  readonly detail: string | undefined;
}

export interface ClusterCounters {
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** `status` heartbeats accepted from peers. */
  readonly heartbeatsIn: number;
  readonly rejected: number;
  /** Authentic messages dropped because a field did not parse (also counted in `rejected`). */
  readonly malformed: number;
  readonly peerDeaths: number;
  readonly takeovers: number;
  readonly releases: number;
  readonly acquireFailures: number;
  readonly pauses: number;
  readonly conflicts: number;
  /** Fence calls that confirmed the node off, and those that failed. */
  readonly fences: number;
  readonly fenceFailures: number;
  readonly invariantsBroken: number;
}

export interface ClusterStatus {
  readonly self: NodeName;
  readonly nowMs: MonoMs;
  readonly phase: NodePhase;
  readonly mode: 'on' | 'off' | 'legacy';
  /** Heartbeat's `cl_status rscstatus` word for this node. */
  readonly resourceHold: 'none' | 'local' | 'foreign' | 'all' | 'transition';
  readonly configFingerprint: string;
  /** Some live peer advertises a different fingerprint. */
  readonly configMismatch: boolean;
  readonly nodes: readonly NodeStatusEntry[];
  readonly groups: readonly GroupStatusEntry[];
  /** Nodes being fenced or fenced since they died (empty without fencing). */
  readonly fencing: readonly FenceStatusEntry[];
  /** Released everything and takes nothing (`self-fence`): why. */
  readonly selfFenced: string | undefined;
  /** With an arbiter configured: where its lease stands as the core sees it. */
  readonly arbiter?: ArbiterCoreStatus;
  readonly counters: ClusterCounters;
}

/** A broken internal invariant throws (tests, simulator) or is logged at crit and skipped (daemon). */
export type InvariantMode = 'throw' | 'log';

/** What the core needs to start (see ClusterNode). */
export interface ClusterNodeOptions {
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly endpoint: ProtocolEndpoint;
  readonly random: Random;
  readonly nowMs: MonoMs;
  /** wall-clock ms = nowMs + wallClockOffsetMs, for `ts` fields. */
  readonly wallClockOffsetMs: number;
  /** Default 'throw'. */
  readonly invariants?: InvariantMode;
}
