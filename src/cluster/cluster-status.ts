// The core's status view (ClusterNode.status(); built by status-view.ts): nodes, links, groups and
// their health, fencing, ping nodes, quorum, the arbiter, and the counters.
import type { GroupId, MediumId, NodeName } from '../config/types.js';
import type { MonoMs } from './core-primitives.js';

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
