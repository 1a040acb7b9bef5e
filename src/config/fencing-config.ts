// Fencing as configured: Heartbeat's `stonith`/`stonith_host` lines (parsed only) and our `fence`,
// `fence_delay`, `fence_timeout`, `disk_lock` and `arbiter` lines (ha-cf-fence.ts, ha-cf-arbiter.ts).
import type { ArbiterConfig } from './arbitration-config.js';
import type { NodeName } from './names.js';
import type { SourceLocation } from './source-location.js';

export interface StonithDevice {
  readonly kind: 'stonith' | 'stonith_host';
  readonly host: string; // '*' or a node name, for stonith_host
  readonly type: string;
  readonly params: readonly string[];
  readonly at: SourceLocation;
}

/**
 * One way to fence a node, from a `fence` line (a heartbeat-ts extension, in ha.cf or hbts.cf).
 * A node may have several, tried in order.
 */
export type FenceMethod =
  | {
      readonly kind: 'fence-agent';
      readonly target: NodeName;
      /** A fence-agents name (looked up in /usr/sbin, then PATH) or an absolute path. */
      readonly agent: string;
      /** `key=value` options in the order written; `password_file=` is read when the agent runs. */
      readonly options: readonly (readonly [string, string])[];
      readonly at: SourceLocation;
    }
  /** `fence <node> sbd`: a poison pill in the node's slot on the disk_lock device. */
  | { readonly kind: 'sbd'; readonly target: NodeName; readonly at: SourceLocation };

/**
 * Fencing settings (our extension, hbts.cf or ha.cf) as parsed. Always present in HaCf; optional
 * in ClusterConfig, whose simulated and hand-built forms may leave them out (no fencing).
 */
export interface FencingSettings {
  /** `fence <node> <agent> key=value...` and `fence <node> sbd` lines, ha.cf then hbts.cf order. */
  readonly fence: readonly FenceMethod[];
  /** `fence_delay`: how long the node that does not fence first waits (default 5 s). */
  readonly fenceDelayMs: number;
  /** `fence_timeout`: the limit for one fence method, its call and confirmation (default 60 s). */
  readonly fenceTimeoutMs: number;
  /** `disk_lock <device>`: the SBD-compatible shared disk, if any. */
  readonly diskLock: { readonly device: string; readonly at: SourceLocation } | undefined;
  /** `arbiter etcd ...`, if any. */
  readonly arbiter: ArbiterConfig | undefined;
}
