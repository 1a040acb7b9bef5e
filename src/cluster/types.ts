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
  /** `hbts cleanup <group>`: forget the group's check failures here and on every peer that hears it. */
  | { readonly kind: 'cleanup'; readonly group: GroupId }
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
  | { readonly kind: 'admin'; readonly nowMs: MonoMs; readonly command: AdminCommand }
  /** Reload: replace the running configuration (ClusterNode.reloadRefusals() said it may). */
  | { readonly kind: 'reconfigure'; readonly nowMs: MonoMs; readonly config: ClusterConfig }
  /** An ICMP echo reply from a ping node's address (`ping`, `ping6`, a `ping_group` member). */
  | { readonly kind: 'ping-reply'; readonly nowMs: MonoMs; readonly address: string };

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
   * Run one health check (config.monitors[monitor]) of a running group. ok = healthy; a check that
   * does not answer within its timeout is killed by the shell and reported as failed.
   */
  | {
      readonly kind: 'monitor';
      readonly id: ActionId;
      readonly group: GroupId;
      readonly monitor: number;
      readonly resource: string;
    }
  /**
   * Restart in place: stop the group's resources from the last down to `fromResource`, then start
   * them again left to right, the ones before it untouched. ok=false: a start failed and the shell
   * stopped the whole group (as a failed acquire does).
   */
  | {
      readonly kind: 'restart';
      readonly id: ActionId;
      readonly group: GroupId;
      readonly fromResource: number;
      readonly reason: string;
    }
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
  /** A ping node answers again, or stopped answering for deadping; or counts again for ipfail. */
  | 'ping-node'
  /** This node's partition gained or lost quorum (a majority of the node lines, or the tiebreaker). */
  | 'quorum'
  /** Anything else worth a log line (protocol notes, ignored requests). */
  | 'note'
  /** Health checks: a check failed (fail count here in the text). */
  | 'monitor-failed'
  /** A group is restarted in place after a failed check, and how that ended. */
  | 'restart'
  | 'restarted'
  | 'restart-failed'
  /** This node gives a group up after failed checks and is not chosen for it until cleaned up. */
  | 'migrate'
  /** A monitored group failed on every node that may run it: it stays down until cleaned up. */
  | 'group-down'
  /** `hbts cleanup`: a group's failures forgotten (here, or told by a peer). */
  | 'cleanup'
  /** ha.cf autojoin: an authenticated node that was not configured joined the cluster. */
  | 'node-joined';

export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  readonly level: EventLevel;
  readonly atMs: MonoMs;
  readonly node?: NodeName;
  readonly medium?: MediumId;
  readonly group?: GroupId;
  readonly text: string;
  /** `conflict-resolved`: the split brain's facts, for notify hooks and the API. */
  readonly splitBrain?: SplitBrainReport;
}

/** What each holder of a group looked like when a split brain was found, and who keeps it why. */
export interface SplitBrainReport {
  readonly group: GroupId;
  readonly holders: readonly NodeName[];
  readonly keeper: NodeName | undefined;
  /** The placement rule that decided (`holder`, `claim`, ...) or `first-holder`. */
  readonly rule: string;
  readonly ruleText: string;
  readonly views: readonly SplitBrainView[];
}

/** One side of a split brain, as this node knows it (its own side first hand, the other advertised). */
export interface SplitBrainView {
  readonly node: NodeName;
  readonly self: boolean;
  readonly phase: NodePhase | undefined;
  readonly generation: number | undefined;
  /** Local state of the group (self only). */
  readonly state: GroupLocalState | undefined;
  /** Whether that node had quorum (undefined: quorum is off, or it does not say). */
  readonly quorum: boolean | undefined;
  /** Ping nodes that node reaches (undefined: none configured, or it does not say). */
  readonly pingNodes: readonly string[] | undefined;
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
  /** Not on a `node` line: it joined through `autojoin` (now or remembered from an earlier run). */
  readonly joined?: true;
  /** Ping nodes the node reaches (counted for ipfail); undefined when it does not say. */
  readonly pingNodes?: readonly string[] | undefined;
  /** Whether the node has quorum; undefined when quorum is off or it does not say. */
  readonly quorum?: boolean | undefined;
}

/** A ping node (`ping`, `ping6`, `ping_group`): a pseudo-node with its own state, as in Heartbeat. */
export interface PingNodeStatusEntry {
  readonly name: string;
  readonly kind: 'ping' | 'ping6' | 'ping_group';
  readonly addresses: readonly string[];
  /** `init`: no answer yet; `up`: answered within deadping; `dead`: silent for deadping. */
  readonly status: 'init' | 'up' | 'dead';
  /** Counts for ipfail and the tiebreaker (up for deadping since it came back: the hysteresis). */
  readonly counted: boolean;
  readonly lastReplyMs: MonoMs | undefined;
}

/** Where quorum stands on this node. */
export interface QuorumStatus {
  /** `quorum on`: without quorum this node releases every group and takes none. */
  readonly enforced: boolean;
  readonly quorate: boolean;
  /** This node and the peers heard within the quorum window (warntime). */
  readonly members: readonly NodeName[];
  readonly configured: number;
  readonly needed: number;
  /** Why quorate or not, in words. */
  readonly reason: string;
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
  /** Service-level health (only for groups with a `monitor` line). */
  readonly health?: GroupHealthStatus;
}

/** One `monitor` line's latest result here. */
export interface ResourceHealthEntry {
  readonly resource: string;
  /** The check, as a short text (`status`, `http GET <url> expect 200`...). */
  readonly check: string;
  /** paused: the group is not running here, or is being started, stopped or restarted. */
  readonly state: 'ok' | 'failed' | 'pending' | 'paused';
  readonly lastCheckMs: MonoMs | undefined;
  readonly lastDetail: string | undefined;
}

export interface HealthFailure {
  readonly node: NodeName;
  readonly resource: string;
  readonly atMs: MonoMs;
  readonly detail: string;
}

export interface GroupHealthStatus {
  readonly resources: readonly ResourceHealthEntry[];
  /** Failed checks per node since its last cleanup (peers: as they advertise them). */
  readonly failCounts: readonly { readonly node: NodeName; readonly count: number }[];
  /** Restarts in place here within the policy window. */
  readonly restartsInWindow: number;
  readonly policy: {
    readonly restarts: number;
    readonly windowMs: number;
    readonly migrationThreshold: number;
  };
  /** The last failed check here. */
  readonly lastFailure: HealthFailure | undefined;
  /** Failed on every node that may run it: it stays down until `hbts cleanup`. */
  readonly down: boolean;
}

export interface ClusterCounters {
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** `status` heartbeats accepted from peers. */
  readonly heartbeatsIn: number;
  /** `status` heartbeats sent (the metrics' hbts_heartbeats_sent_total). */
  readonly heartbeatsOut: number;
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
  /** Health checks that failed here, and restarts in place. */
  readonly monitorFailures?: number;
  readonly restarts?: number;
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
  /** Ping nodes as this node sees them (absent: none configured). */
  readonly pingNodes?: readonly PingNodeStatusEntry[];
  readonly quorum?: QuorumStatus;
  /** With an arbiter configured: where its lease stands as the core sees it. */
  readonly arbiter?: ArbiterCoreStatus;
  readonly counters: ClusterCounters;
  /**
   * ha.cf autojoin: the nodes that joined without a `node` line, remembered ones first (also in
   * `nodes`); absent when autojoin is none. Counted with the node lines where membership is sized.
   */
  readonly joinedNodes?: readonly NodeName[];
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
