// What `startDaemon` (daemon.ts) takes and gives back: its collaborators (DaemonDeps, swapped in
// tests; real-deps.ts wires the real ones), its options from the command line, and the handle of
// the running daemon.
import type { ClusterNodeOptions } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { EndpointOptions, ProtocolEndpoint } from '../protocol/endpoint.js';
import type { InterfaceInfo } from '../transport/interfaces.js';
import type { ConfigResult } from './config-result.js';
import type { DaemonStatus } from './daemon-status.js';
import type { CoreLike } from './driver.js';
import type { GroupRunnerFactory } from './local-state.js';

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly text: string;
}

export interface DaemonDeps {
  loadConfig(configDir: string, nodeName: string | undefined): Promise<ConfigResult>;
  createEndpoint(options: EndpointOptions): ProtocolEndpoint;
  createCore(options: ClusterNodeOptions): CoreLike;
  createRunner: GroupRunnerFactory;
  /**
   * The serial-line encoder for this config: each packet -> classic text with the inner auth
   * field (the only signature serial receivers check); undefined when the packet does not decode.
   */
  serialEncoder?(config: ClusterConfig): (bytes: Uint8Array) => Uint8Array | undefined;
  readInterfaces?(): Promise<Map<string, InterfaceInfo>>;
  /** Honour `realtime` (SCHED_RR for this process): the real daemon only, never a test's process. */
  readonly realtime?: boolean;
}

export interface DaemonOptions {
  readonly configDir: string;
  /** undefined: `nodeinfo` in the config dir, else uname -n (like Heartbeat). */
  readonly nodeName: string | undefined;
  readonly runDir: string;
  readonly stateDir: string;
  readonly foreground: boolean;
  /**
   * Several daemons on one host (the loopback demo): receive on this address instead of 0.0.0.0
   * and send from it, and treat it as our only own address.
   */
  readonly bindAddress?: string;
  /** Told when a shutdown starts (the supervisor must not take the exit that follows for a crash). */
  readonly onShutdown?: () => void;
  /** Told when a reload was applied (the supervisor reads the new configuration too). */
  readonly onReloaded?: () => void;
}

export interface RunningDaemon {
  /** Resolves when the daemon has finished (graceful shutdown or fatal error). */
  readonly done: Promise<number>;
  status(): DaemonStatus;
  /** Graceful shutdown; `why` (logged at crit) when it is not an operator's request. */
  shutdown(why?: string): void;
  reload(): Promise<{ ok: boolean; message: string }>;
}
