// Service-level health checks (our extension): `monitor` and `monitor_policy` lines as parsed
// (MonitorLines) and as resolved against haresources by resolve-monitors.ts.
import type { GroupId } from './names.js';
import type { SourceLocation } from './source-location.js';

/**
 * How a resource's health is checked (`monitor` lines, our extension): the agent's own
 * status/monitor operation, or a built-in probe.
 */
export type MonitorCheck =
  /** resource.d/LSB `status`, OCF `monitor` with OCF_CHECK_LEVEL=depth, built-in IP: address present. */
  | { readonly kind: 'agent'; readonly depth: number }
  | { readonly kind: 'http'; readonly url: string; readonly expect: number }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  /** Exit 0 = healthy; spawned without a shell. */
  | { readonly kind: 'exec'; readonly file: string; readonly args: readonly string[] };

/** One `monitor` line, resolved against haresources. */
export interface ResourceMonitor {
  readonly group: GroupId;
  /** Position of the resource in its group (0 = first). */
  readonly resourceIndex: number;
  /** The resource as written in haresources. */
  readonly resource: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly check: MonitorCheck;
  readonly at: SourceLocation;
}

/** What a failed check does to its group (`monitor_policy` line, or the defaults). */
export interface HealthPolicy {
  readonly group: GroupId;
  /** Restarts in place allowed within `windowMs`; one more failure moves the group. */
  readonly restarts: number;
  readonly windowMs: number;
  /** Failures on one node after which that node is not chosen again until `hbts cleanup`. */
  readonly migrationThreshold: number;
}

/** Health monitoring as written (parsed; resolved against haresources in resolve-config.ts). */
export interface MonitorLines {
  readonly monitorLines: readonly {
    readonly resource: string;
    readonly intervalMs: number;
    readonly timeoutMs: number;
    readonly check: MonitorCheck;
    readonly at: SourceLocation;
  }[];
  readonly policyLines: readonly {
    readonly target: string;
    readonly restarts: number | undefined;
    readonly windowMs: number | undefined;
    readonly migrationThreshold: number | undefined;
    readonly at: SourceLocation;
  }[];
}
