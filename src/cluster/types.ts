// The contract between the pure cluster core and the shell (daemon, simulator, tests).
// The core is a synchronous state machine: step(input) -> output. It never reads a clock,
// opens a socket, spawns a process or sets a timer; time arrives as nowMs, randomness via Random.
//
// The contract is split by concept: core-primitives.ts (clock, randomness, action ids), inputs.ts,
// outputs.ts (packets, actions, Output), events.ts, cluster-status.ts (the status view). This file
// keeps what it takes to start a core and re-exports the rest, because ~60 modules (daemon, sim,
// api, tests) import the contract from here and moving them all would be churn for no behaviour.

import type { ClusterConfig, NodeName } from '../config/types.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import type { MonoMs, Random } from './core-primitives.js';

export type * from './cluster-status.js';
export type * from './core-primitives.js';
export type * from './events.js';
export type * from './inputs.js';
export type * from './outputs.js';

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
