// The facts the core reports as it steps (Output.events): their kinds and levels, and the
// split-brain report a resolved conflict carries (for the log, notify hooks, the API, the trace).
import type { GroupId, MediumId, NodeName } from '../config/types.js';
import type { GroupLocalState, NodePhase } from './cluster-status.js';
import type { MonoMs } from './core-primitives.js';

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
