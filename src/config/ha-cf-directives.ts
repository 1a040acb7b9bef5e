// The table of every ha.cf directive Heartbeat 3.0.6 accepts: how its line is split, its syntax
// and default (for messages and docs), and whether heartbeat-ts acts on it yet. Directives that are
// parsed but not acted on are reported by `hbts check` as warnings, never silently ignored; when a
// part of heartbeat-ts starts using one (ping nodes, STONITH...), flip its `acted` flag here.
// The parser (parse-ha-cf.ts) is driven by this table: a line's name picks its spec here and its
// handler in ha-cf-handlers.ts, whose table must name every directive below (the compiler checks).
// Our extensions (fencing, ...) are in the table too, marked `extension`: real Heartbeat refuses
// them, so they may also go in hbts.cf beside ha.cf, which holds nothing else.

/**
 * How a directive's line is read: `line` gets the unsplit rest of the line; the others are split on
 * space, tab and comma into values, of which a `list` keeps them all, while `one` and `time` (a
 * Heartbeat time) hold a single value, applied one after another when several are written.
 */
export type ValueShape = 'one' | 'time' | 'list' | 'line';

export interface DirectiveSpec {
  readonly name: string;
  readonly values: ValueShape;
  /** heartbeat-ts uses the value. False: parsed and validated, then reported as not acted on. */
  readonly acted: boolean;
  readonly syntax: string;
  readonly defaultText: string;
  /** Values for which "not acted on" is no news (heartbeat-ts behaves that way anyway). */
  readonly quietWhen?: (value: string) => boolean;
  /** A heartbeat-ts extension: real Heartbeat refuses it; allowed in hbts.cf (and ha.cf, warned). */
  readonly extension?: true;
}

/** `respawn <user> /path/to/ipfail [args]`: Heartbeat's ipfail client, whose job the daemon does. */
export function isIpfailLine(value: string): boolean {
  const program = value.trim().split(/[ \t]+/)[1] ?? '';
  return /(^|\/)ipfail$/.test(program);
}

/** A spec that keeps its name as a literal type, so DirectiveName lists every directive. */
type Spec<N extends string> = DirectiveSpec & { readonly name: N };

function d<N extends string>(
  name: N,
  values: ValueShape,
  acted: boolean,
  syntax: string,
  defaultText: string,
  quietWhen?: (value: string) => boolean,
): Spec<N> {
  return quietWhen === undefined
    ? { name, values, acted, syntax, defaultText }
    : { name, values, acted, syntax, defaultText, quietWhen };
}

/** A heartbeat-ts extension directive. */
function x<N extends string>(
  name: N,
  values: ValueShape,
  acted: boolean,
  syntax: string,
  defaultText: string,
): Spec<N> {
  return { name, values, acted, syntax, defaultText, extension: true };
}

export const HA_CF_DIRECTIVES = [
  d('node', 'list', true, 'name...', 'none: at least this node is required'),
  d('keepalive', 'time', true, 'time', '1 (1000 ms)'),
  d('deadtime', 'time', true, 'time', '30 (30000 ms)'),
  d('warntime', 'time', true, 'time', 'deadtime / 2'),
  d('initdead', 'time', true, 'time', 'deadtime if > 10 s; 12 s if deadtime < 6 s; else 2 x deadtime'),
  d('deadping', 'time', true, 'time', 'deadtime'),
  d('udpport', 'one', true, 'port (1-65535)', '694'),
  d('baud', 'one', true, '9600|19200|38400|57600|115200|230400|460800', '19200'),
  d('bcast', 'list', true, 'interface...', 'none'),
  d('udp', 'list', true, 'interface... (old alias of bcast)', 'none'),
  d('mcast', 'line', true, 'interface group port ttl(0-4) loop(0|1)', 'none'),
  d('mcast6', 'line', true, 'interface group port hops loop(0|1)', 'none'),
  d('ucast', 'line', true, 'interface peer', 'none'),
  d('ucast6', 'line', true, 'interface peer6', 'none'),
  d('serial', 'list', true, 'device...', 'none'),
  d('ping', 'list', true, 'address...', 'none'),
  d('ping6', 'list', true, 'address6...', 'none'),
  d('ping_group', 'line', true, 'name address...', 'none'),
  d('hopfudge', 'one', true, '0-255', '1'),
  d('auto_failback', 'one', true, 'on|off|legacy (or a boolean)', 'legacy'),
  d('nice_failback', 'one', true, 'boolean (obsolete: on = auto_failback off)', 'none'),
  d('stonith', 'line', true, 'type configfile', 'none'),
  d('stonith_host', 'line', true, 'host|* type params...', 'none'),
  d('logfile', 'one', true, 'path', 'none'),
  d('debugfile', 'one', true, 'path', 'none'),
  d('logfacility', 'one', true, 'syslog facility or none', 'none'),
  d('debug', 'one', true, '0-255', '0'),
  d('max_rexmit_delay', 'one', true, 'milliseconds (integer)', '250'),
  d('msgfmt', 'one', true, 'classic|netstring', 'classic'),
  // Acted on in cluster/autojoin.ts: a node on no node line may join (other, any).
  d('autojoin', 'one', true, 'none|other|any', 'none'),
  d('cluster', 'one', true, 'name', 'linux-ha'),
  d('watchdog', 'one', true, 'device', 'none'),
  // Run and respawned by daemon/respawn-clients.ts; `.../ipfail` is done inside the daemon instead.
  d('respawn', 'line', true, 'user /absolute/path [args...]', 'none'),
  d('failfast', 'line', false, 'user /absolute/path [args...]', 'none'),
  d('apiauth', 'line', false, 'client [uid=user,...] [gid=group,...]', 'built-in table'),
  d('use_logd', 'one', false, 'boolean', 'yes when no logfile, debugfile or logfacility'),
  d('conn_logd_time', 'time', false, 'time', '60'),
  d('syslogmsgfmt', 'one', false, 'boolean', 'true'),
  d('log_badpack', 'one', false, 'boolean', 'true'),
  d('realtime', 'one', false, 'boolean', 'true'),
  d('rtprio', 'one', false, '1-99', 'middle of the SCHED_FIFO range'),
  d('memreserve', 'one', false, 'KiB', '6500'),
  d('coredumps', 'one', false, 'boolean', 'true'),
  d('coreroot', 'one', false, 'directory', 'none'),
  d('hbgenmethod', 'one', false, 'file|time', 'file'),
  d('uuidfrom', 'one', false, 'file|nodename', 'file'),
  d('compression', 'one', false, 'zlib|bz2', 'zlib'),
  d('compression_threshold', 'one', false, 'KiB', '2'),
  d('traditional_compression', 'one', false, 'boolean', 'no'),
  d('env', 'list', false, 'NAME=value', 'none'),
  // crm/pacemaker on get their own warning (resolve-config.ts crmChecks), not the generic one.
  d('crm', 'one', false, 'on|off|respawn|minimal|manual|ccm-only|valgrind (or a boolean)', 'off', () => true),
  d('pacemaker', 'one', false, 'same as crm', 'off', () => true),
  d('crm_daemon_dir', 'one', false, 'directory', 'none'),
  d('crmd_spawns_pengine', 'one', false, 'boolean', 'none'),
  d('record_config_changes', 'one', false, 'boolean', 'none'),
  d('record_pengine_inputs', 'one', false, 'boolean', 'none'),
  d('enable_config_writes', 'one', false, 'boolean', 'none'),
  d('use_apphbd', 'one', false, 'boolean', 'none'),
  d('quorum_server', 'one', false, 'host', 'none'),
  x('fence', 'line', true, 'node agent key=value... | node sbd', 'none'),
  x('fence_delay', 'time', true, 'time', '5 (5000 ms)'),
  x('fence_timeout', 'time', true, 'time', '60 (60000 ms)'),
  // The daemon watches its slot there (daemon/disk-lock.ts); `fence <node> sbd` writes there.
  x('disk_lock', 'one', true, '/dev/device', 'none'),
  // Service-level health checks (cluster/health.ts decides, daemon/monitor-runner.ts checks).
  x(
    'monitor',
    'line',
    true,
    'resource [interval=time] [timeout=time] [status|monitor [depth=N]|http GET url expect code|tcp host:port|exec command...]',
    'none',
  ),
  x(
    'monitor_policy',
    'line',
    true,
    'group [restarts=N] [window=time] [migration_threshold=N]',
    'restarts=1 window=60 migration_threshold=3',
  ),
  // The HTTP API, metrics and dashboard (daemon/api-*.ts), loaded only when configured.
  x('api_listen', 'one', true, 'address:port', 'none (no API)'),
  x('api_token_file', 'one', true, '/path/to/token (mode 600)', 'none'),
  x('api_cert', 'one', true, '/path/to/cert.pem', 'none (plain HTTP)'),
  x('api_key', 'one', true, '/path/to/key.pem', 'none'),
  x('metrics_listen', 'one', true, 'address:port', 'none (/metrics on api_listen)'),
  // Arbitration (cluster/quorum.ts, cluster/ping-nodes.ts).
  x('quorum', 'one', true, 'on|off (or a boolean)', 'on for 3 or more nodes, off for 2'),
  x('ping_policy', 'one', true, 'off|ipfail', 'ipfail with a `respawn ... /ipfail` line, else off'),
  // Run once per cluster event, facts in HBTS_* variables (daemon/notify-hooks.ts).
  x('notify', 'line', true, '/absolute/path [args...]', 'none'),
  x('notify_timeout', 'time', true, 'time', '30 (30000 ms)'),
  // A lease every group needs (cluster/arbiter.ts, arbiter/etcd-arbiter.ts).
  x(
    'arbiter',
    'line',
    true,
    'etcd endpoint[,endpoint...] [prefix=/path] [ttl=time] [cacert= cert= key=]',
    'none',
  ),
] as const;

/** The name of a directive in the table. */
export type DirectiveName = (typeof HA_CF_DIRECTIVES)[number]['name'];
export type KnownDirective = Spec<DirectiveName>;

/** Names Heartbeat 3.0.6 documents but does not accept in the Debian build. */
export const REFUSED_DIRECTIVES: ReadonlyMap<string, string> = new Map([
  ['hbaping', 'the hbaping plugin is not shipped with Heartbeat 3.0.6, which refuses this directive too'],
  ['normalpoll', 'normalpoll is compiled out of Heartbeat 3.0.6, which refuses this directive too'],
]);

const byName = new Map<string, KnownDirective>(HA_CF_DIRECTIVES.map((spec) => [spec.name, spec]));

export function directiveSpec(name: string): KnownDirective | undefined {
  return byName.get(name);
}

export const DIRECTIVE_NAMES: readonly string[] = HA_CF_DIRECTIVES.map((s) => s.name);

/** Our extensions: the only directives hbts.cf may hold. */
export const EXTENSION_NAMES: readonly string[] = HA_CF_DIRECTIVES.filter(
  (s: DirectiveSpec) => s.extension === true,
).map((s) => s.name);
