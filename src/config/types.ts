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

/** A `respawn` or `failfast` client program from ha.cf (parsed; not run by heartbeat-ts yet). */
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

export interface NodeEntry {
  readonly name: NodeName;
  readonly at: SourceLocation;
}

/** ha.cf as parsed: its settings, plus where things were written for the cross-file checks. */
export interface HaCf extends HaCfSettings, HaCfProgramSettings, FencingSettings {
  readonly file: string;
  readonly nodes: readonly NodeEntry[];
  /** Where a directive was last given (absent: defaulted). */
  readonly lines: ReadonlyMap<string, SourceLocation>;
  /** The `crm`/`pacemaker` value when it turns Pacemaker mode on. */
  readonly crm: { readonly value: string; readonly at: SourceLocation } | undefined;
}

export interface ClusterConfig extends HaCfSettings, Partial<HaCfProgramSettings> {
  readonly configDir: string;
  /** Normal cluster nodes in ha.cf order, lowercased, unique. */
  readonly nodes: readonly NodeName[];
  readonly auth: AuthConfig;
  readonly resourceGroups: readonly ResourceGroup[];
  /** The node this config was resolved for (lowercased; --node-name, nodeinfo or uname -n). */
  readonly localNode?: NodeName;
  /** `fence` lines (hbts.cf or ha.cf), in order. */
  readonly fence?: readonly FenceMethod[];
  /** `fence_delay`: how long the node that does not fence first waits (default 5 s). */
  readonly fenceDelayMs?: number;
  /** `fence_timeout`: one fence call's limit (default 60 s). */
  readonly fenceTimeoutMs?: number;
  /** `disk_lock <device>`: an SBD-compatible shared disk. */
  readonly diskLock?: { readonly device: string; readonly at: SourceLocation } | undefined;
  /** `arbiter etcd ...`: a lease arbiter every group needs (absent: none). */
  readonly arbiter?: ArbiterConfig | undefined;
}
