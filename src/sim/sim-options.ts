// What a simulation run is given (simulator.ts): seed, configuration, media conditions, action
// durations, tracing, and an observer that sees every output and result.
import type { Output } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { EndpointFactory } from './endpoints.js';
import type { MediumConditions } from './network.js';
import type { CoreFactory, SimNode } from './sim-node.js';

/**
 * Sees what happens without changing it (golden scripts print it): every step's output as the
 * shell receives it, and every action result as it is handed back to a live core.
 */
export interface SimObserver {
  output?(node: SimNode, out: Output): void;
  result?(node: SimNode, actionId: number, ok: boolean, detail: string | undefined): void;
}

export interface SimOptions {
  readonly seed: number;
  readonly config: ClusterConfig;
  readonly endpointFactory: EndpointFactory;
  /** Per medium, in config order; missing entries default to a clean 1-2 ms network. */
  readonly media?: readonly MediumConditions[];
  readonly acquireMs?: readonly [number, number];
  readonly releaseMs?: readonly [number, number];
  /** How long a fence call takes (default 100 ms). */
  readonly fenceMs?: number;
  /** Keep a human-readable trace of everything (slower). */
  readonly trace?: boolean;
  /** Hash a canonical trace of every step's output (packet bytes, actions, event facts, wake-ups). */
  readonly traceHash?: boolean;
  /** Default: a real ClusterNode on every node. */
  readonly coreFactory?: CoreFactory;
  readonly observer?: SimObserver;
}
