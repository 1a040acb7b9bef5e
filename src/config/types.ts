// The one typed, validated cluster configuration, resolved from ha.cf + authkeys + haresources.
// Everything downstream (core, daemon, CLI) reads this, never the files. Its parts are declared by
// concept beside it: names.ts, source-location.ts, media-config.ts, auth-config.ts,
// resource-config.ts, health-config.ts, fencing-config.ts, arbitration-config.ts,
// program-config.ts, notify-config.ts, api-config.ts.
import type { ApiSettings } from './api-config.js';
import type { ArbiterConfig, ArbitrationSettings } from './arbitration-config.js';
import type { AuthConfig } from './auth-config.js';
import type { FenceMethod, FencingSettings, StonithDevice } from './fencing-config.js';
import type { HealthPolicy, MonitorLines, ResourceMonitor } from './health-config.js';
import type { Medium, PingTarget } from './media-config.js';
import type { NodeName } from './names.js';
import type { NotifySettings } from './notify-config.js';
import type { HaCfProgramSettings } from './program-config.js';
import type { AutoFailback, ResourceGroup } from './resource-config.js';
import type { SourceLocation } from './source-location.js';

// The names are used in some 150 files across every layer: they stay importable from here.
export type { GroupId, MediumId, NodeName } from './names.js';
// Imported from here by src/protocol, src/cluster and src/daemon (the concept files are their home).
export type { AuthConfig, AuthKey, AuthMethod } from './auth-config.js';
export type { Medium, PingTarget } from './media-config.js';
export type { NotifyHook } from './notify-config.js';
export type { ClientProgram } from './program-config.js';
export type { ResourceGroup, ResourceSpec } from './resource-config.js';
export type { ResourceMonitor } from './health-config.js';

/**
 * The ha.cf settings that reach ClusterConfig as parsed: declared once here, for both the parsed
 * file (HaCf) and the resolved config, so resolve-config.ts passes them on without naming them.
 * hbts.cf, our extensions' file beside ha.cf, is read after ha.cf into the same HaCf.
 */
export interface HaCfSettings {
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  readonly warntimeMs: number;
  readonly initdeadMs: number;
  readonly deadpingMs: number;
  readonly udpPort: number;
  readonly baud: number;
  readonly media: readonly Medium[];
  readonly pingTargets: readonly PingTarget[];
  readonly autoFailback: AutoFailback;
  readonly hopfudge: number;
  readonly maxRexmitDelayMs: number;
  /** `msgfmt classic` (default) adds the inner `auth` field to every message; `netstring` omits it. */
  readonly msgfmt: 'classic' | 'netstring';
  readonly autojoin: 'none' | 'other' | 'any';
  readonly clusterName: string;
  readonly logfile: string | undefined;
  readonly debugfile: string | undefined;
  readonly logfacility: string | undefined;
  readonly debugLevel: number;
  readonly stonith: readonly StonithDevice[];
  /**
   * Every ha.cf directive as written (name -> values in file order; whole-line ones: the whole
   * rest), for `HA_<directive>` in resource script environments and `hbparameter`-style lookups.
   */
  readonly directives: ReadonlyMap<string, readonly string[]>;
}

export interface NodeEntry {
  readonly name: NodeName;
  readonly at: SourceLocation;
}

/** ha.cf as parsed: its settings, plus where things were written for the cross-file checks. */
export interface HaCf
  extends
    HaCfSettings,
    HaCfProgramSettings,
    FencingSettings,
    MonitorLines,
    ArbitrationSettings,
    NotifySettings {
  readonly file: string;
  /** `api_listen` and friends; undefined: no API, no metrics listener. */
  readonly api: ApiSettings | undefined;
  readonly nodes: readonly NodeEntry[];
  /** Where a directive was last given (absent: defaulted). */
  readonly lines: ReadonlyMap<string, SourceLocation>;
  /** The `crm`/`pacemaker` value when it turns Pacemaker mode on. */
  readonly crm: { readonly value: string; readonly at: SourceLocation } | undefined;
}

export interface ClusterConfig
  extends HaCfSettings, Partial<HaCfProgramSettings>, Partial<ArbitrationSettings>, Partial<NotifySettings> {
  readonly configDir: string;
  /** Normal cluster nodes in ha.cf order, lowercased, unique. */
  readonly nodes: readonly NodeName[];
  readonly auth: AuthConfig;
  readonly resourceGroups: readonly ResourceGroup[];
  /** The node this config was resolved for (lowercased; --node-name, nodeinfo or uname -n). */
  readonly localNode?: NodeName;
  /**
   * ha.cf autojoin: nodes that joined in an earlier run and were remembered in the state dir (the
   * daemon adds them; they are in `nodes` too, after the node lines). Absent: none.
   */
  readonly joinedNodes?: readonly NodeName[];
  /** `fence` lines (hbts.cf or ha.cf), in order. */
  readonly fence?: readonly FenceMethod[];
  /** `fence_delay`: how long the node that does not fence first waits (default 5 s). */
  readonly fenceDelayMs?: number;
  /** `fence_timeout`: one fence call's limit (default 60 s). */
  readonly fenceTimeoutMs?: number;
  /** `disk_lock <device>`: an SBD-compatible shared disk. */
  readonly diskLock?: { readonly device: string; readonly at: SourceLocation } | undefined;
  /** `monitor` lines (hbts.cf or ha.cf): service-level health checks. */
  readonly monitors?: readonly ResourceMonitor[];
  /** `monitor_policy` lines, one per group at most; other groups use DEFAULT_HEALTH_POLICY. */
  readonly healthPolicies?: readonly HealthPolicy[];
  /** `api_listen` and friends (HTTP API, metrics, dashboard); undefined: off. */
  readonly api?: ApiSettings | undefined;
  /** `arbiter etcd ...`: a lease arbiter every group needs (absent: none). */
  readonly arbiter?: ArbiterConfig | undefined;
}
