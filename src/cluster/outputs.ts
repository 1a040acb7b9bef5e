// What one step of the core asks the shell to do: packets to send, resource actions to run
// (their results come back as inputs), events, and when to call again.
import type { GroupId, MediumId, NodeName } from '../config/types.js';
import type { ActionId, MonoMs } from './core-primitives.js';
import type { ClusterEvent } from './events.js';

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
