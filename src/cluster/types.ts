// The contract between the pure cluster core and the shell (daemon, simulator, tests).
// The core is a synchronous state machine: step(input) -> output. It never reads a clock,
// opens a socket, spawns a process or sets a timer; time arrives as nowMs, randomness via Random.

import type { GroupId, MediumId, NodeName } from '../config/types.js';

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
  | { readonly kind: 'shutdown' };

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
  /** Ask the shell whether the group is already running here (status of every resource). ok = all running. */
  | { readonly kind: 'probe'; readonly id: ActionId; readonly group: GroupId };
