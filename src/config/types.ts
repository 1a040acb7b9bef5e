// The one typed, validated cluster configuration, resolved from ha.cf + authkeys + haresources.
// Everything downstream (core, daemon, CLI) reads this, never the files.

/** A cluster node name, always lowercased (Heartbeat lowercases names in config and on the wire). */
export type NodeName = string & { readonly __brand: 'NodeName' };
/** A resource group is addressed by its first resource, exactly as written in haresources. */
export type GroupId = string & { readonly __brand: 'GroupId' };
/** Stable name of one medium: `bcast:eth0`, `ucast:eth0:198.18.0.2`, `mcast:eth0:239.0.0.1:694`, `serial:/dev/ttyS0`. */
export type MediumId = string & { readonly __brand: 'MediumId' };

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** A problem found in a config file. `line` is 0 when it concerns the whole file (missing, permissions). */
export interface ConfigIssue extends SourceLocation {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export type Medium =
  | {
      readonly kind: 'bcast';
      readonly id: MediumId;
      readonly iface: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ucast';
      readonly id: MediumId;
      readonly iface: string;
      readonly peer: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'mcast';
      readonly id: MediumId;
      readonly iface: string;
      readonly group: string;
      readonly port: number;
      readonly ttl: number;
      readonly loop: boolean;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'mcast6';
      readonly id: MediumId;
      readonly iface: string;
      readonly group: string;
      readonly port: number;
      readonly hops: number;
      readonly loop: boolean;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ucast6';
      readonly id: MediumId;
      readonly iface: string;
      readonly peer: string;
      readonly port: number;
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'serial';
      readonly id: MediumId;
      readonly device: string;
      readonly baud: number;
      readonly at: SourceLocation;
    };

export type PingTarget =
  | {
      readonly kind: 'ping';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ping6';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    }
  | {
      readonly kind: 'ping_group';
      readonly name: string;
      readonly addresses: readonly string[];
      readonly at: SourceLocation;
    };

export type AuthMethod = 'crc' | 'md5' | 'sha1' | 'sha256' | 'sha512';

export interface AuthKey {
  readonly index: number; // 0..15
  readonly method: AuthMethod;
  /** Raw secret bytes as written (latin1); empty for crc. */
  readonly secret: string;
}

export interface AuthConfig {
  readonly file: string;
  /** Index named by the `auth N` line: the key that signs what we send. */
  readonly activeIndex: number;
  readonly keys: ReadonlyMap<number, AuthKey>;
}

/** One resource of a group, as written (`IPaddr::198.18.0.100/24/eth0`, `apache`, `198.18.0.100`). */
export interface ResourceSpec {
  /** Exactly as written in haresources; the group id is the first one's `raw`. */
  readonly raw: string;
  /** Script/agent name: `IPaddr` for bare addresses, else the part before the first `::`. */
  readonly agent: string;
  /** Arguments: the `::`-separated parts after the agent; for a bare address, the address string. */
  readonly args: readonly string[];
}

export interface ResourceGroup {
  readonly id: GroupId;
  /** Preferred ("home") node: first token of the haresources line. */
  readonly homeNode: NodeName;
  /** Start order left to right; stop order is the reverse. */
  readonly resources: readonly ResourceSpec[];
  readonly at: SourceLocation;
}

export type AutoFailback = 'on' | 'off' | 'legacy';

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

/** A `respawn` or `failfast` client program from ha.cf (respawn: run by the daemon; failfast: parsed only). */
export interface ClientProgram {
  readonly kind: 'respawn' | 'failfast';
  readonly user: string;
  readonly path: string;
  readonly args: readonly string[];
  readonly at: SourceLocation;
}

/** An `apiauth client uid=... gid=...` line from ha.cf (parsed; not enforced by heartbeat-ts yet). */
export interface ApiAuthEntry {
  readonly client: string;
  readonly uids: readonly string[];
  readonly gids: readonly string[];
  readonly at: SourceLocation;
}

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

/**
 * ha.cf settings heartbeat-ts parses but does not act on yet. Always present in HaCf; optional in
 * ClusterConfig, which simulated and hand-built configs create without them.
 */
export interface HaCfProgramSettings {
  /** `respawn`/`failfast` clients in ha.cf order. */
  readonly clients: readonly ClientProgram[];
  /** `apiauth` lines in ha.cf order. */
  readonly apiauth: readonly ApiAuthEntry[];
  /** `watchdog` device, if any. */
  readonly watchdog?: string;
}

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

/**
 * `arbiter etcd ...` (our extension): a group is held only while its holder owns a key for it
 * under an etcd lease (src/cluster/arbiter.ts, src/arbiter/etcd-arbiter.ts).
 */
export interface ArbiterConfig {
  readonly kind: 'etcd';
  /** `host:port` or `http(s)://host:port`, in the order written. */
  readonly endpoints: readonly string[];
  /** Keys live under `<prefix>/group/<group id>` (default `/hbts/<cluster name>`). */
  readonly prefix: string;
  /** The lease's time to live; a holder releases at ttl/2 without a keepalive answer. */
  readonly ttlMs: number;
  readonly tls: { readonly cacert: string; readonly cert?: string; readonly key?: string } | undefined;
  readonly at: SourceLocation;
}

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

/** `api_listen`/`metrics_listen`: where to listen (host as written, brackets of IPv6 removed). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly at: SourceLocation;
}

/** The HTTP API, metrics and dashboard (our extension); see config/ha-cf-api.ts. */
export interface ApiSettings {
  /** `api_listen`: the API, the dashboard and (without metrics_listen) /metrics, all behind the token. */
  readonly listen: ListenAddress | undefined;
  /** `api_token_file`: the bearer token (mode 600, read at start). */
  readonly tokenFile: string | undefined;
  /** `api_cert` + `api_key`: TLS for api_listen. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** `metrics_listen`: /metrics alone, without the token. */
  readonly metricsListen: ListenAddress | undefined;
}

/**
 * Arbitration settings (our extensions `quorum` and `ping_policy`, in hbts.cf or ha.cf) as
 * resolved. Always present in HaCf; optional in ClusterConfig, whose simulated and hand-built forms
 * may leave them out (then: no quorum, ping nodes only watched).
 */
export interface ArbitrationSettings {
  /** A partition without a majority of the `node` lines releases everything and takes nothing. */
  readonly quorum: boolean;
  /**
   * `ipfail`: groups go to the nodes that reach the most ping nodes (Heartbeat's ipfail client,
   * done inside the daemon); `off`: ping nodes are watched and shown, nothing moves for them.
   */
  readonly pingPolicy: 'off' | 'ipfail';
}

/** A `notify /path [args...]` line (our extension): a program run once per cluster event. */
export interface NotifyHook {
  readonly path: string;
  readonly args: readonly string[];
  readonly at: SourceLocation;
}

/** Notify hooks (our extension, hbts.cf or ha.cf): this node's own; a reload applies them. */
export interface NotifySettings {
  /** `notify` lines in order (ha.cf then hbts.cf); every event runs each of them. */
  readonly notify: readonly NotifyHook[];
  /** `notify_timeout`: one hook run's limit before it is killed (default 30 s). */
  readonly notifyTimeoutMs: number;
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
