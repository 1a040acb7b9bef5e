// One simulated machine: the core the simulator drives on it (a real ClusterNode or a scripted
// stand-in) and the truth about it that no core's belief can change: which incarnation runs, what
// its resources really do, what it was told to fail next.
import type {
  ClusterEvent,
  ClusterNodeOptions,
  ClusterStatus,
  Input,
  MonoMs,
  Output,
} from '../cluster/types.js';
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';

/** What the simulator drives on each node: a ClusterNode, or a scripted stand-in (heartbeat-peer.ts). */
export interface SimCore {
  step(input: Input): Output;
  status(): ClusterStatus;
  /** Why a reload to this configuration is refused now (ClusterNode); absent: never refused. */
  reloadRefusals?(next: ClusterConfig): string[];
}

/** Builds the core of a (re)starting node; undefined = a real ClusterNode (the default). */
export type CoreFactory = (options: ClusterNodeOptions, index: number) => SimCore | undefined;

export type ResourceState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface SimNode {
  readonly name: NodeName;
  readonly index: number;
  core: SimCore | undefined;
  /** Increments on every (re)start: events of an older incarnation are dropped. */
  incarnation: number;
  generation: number;
  upSinceMs: MonoMs;
  timerToken: number;
  /** What really runs on this machine (the truth the invariants check). */
  readonly resources: Map<GroupId, ResourceState>;
  /** Groups whose next start fails on this node. */
  readonly failNextStart: Set<GroupId>;
  /** Groups whose next stop fails on this node (the group then keeps running there). */
  readonly failNextStop: Set<GroupId>;
  readonly events: ClusterEvent[];
  /** Heartbeats received by earlier incarnations plus the current one. */
  heartbeatsReceived: number;
  /** Process frozen (GC/VM pause) until this time: its inputs wait. */
  pausedUntilMs: MonoMs;
  /** Gratuitous-ARP re-announcements asked for (after a split brain resolved in its favour). */
  announcements: number;
  /** Groups whose service died here while the group stays up (health checks fail until a restart). */
  readonly serviceDead: Set<GroupId>;
  /** Groups whose service is broken on this machine: it dies again after every start. */
  readonly serviceBroken: Set<GroupId>;
  /** Groups whose health checks hang here (answered only by the shell's timeout, as failed). */
  readonly checkHangs: Set<GroupId>;
}

/** A powered-off machine with every group stopped; distinct generations per node. */
export function newSimNode(name: NodeName, index: number, groups: readonly GroupId[]): SimNode {
  return {
    name,
    index,
    core: undefined,
    incarnation: 0,
    generation: 1000 + index * 10,
    upSinceMs: 0,
    timerToken: 0,
    resources: new Map(groups.map((g) => [g, 'stopped' as ResourceState])),
    failNextStart: new Set(),
    failNextStop: new Set(),
    events: [],
    heartbeatsReceived: 0,
    pausedUntilMs: -Infinity,
    announcements: 0,
    serviceDead: new Set(),
    serviceBroken: new Set(),
    checkHangs: new Set(),
  };
}
