// The table of every ha.cf directive Heartbeat 3.0.6 accepts: how its line is split, its syntax
// and default (for messages and docs), and whether heartbeat-ts acts on it yet. Directives that are
// parsed but not acted on are reported by `hbts check` as warnings, never silently ignored; when a
// part of heartbeat-ts starts using one (ping nodes, STONITH...), flip its `acted` flag here.

export interface DirectiveSpec {
  readonly name: string;
  /** Whole-line directives get the unsplit rest of the line; the others are split on space, tab, comma. */
  readonly wholeLine: boolean;
  /** heartbeat-ts uses the value. False: parsed and validated, then reported as not acted on. */
  readonly acted: boolean;
  readonly syntax: string;
  readonly defaultText: string;
  /** Values for which "not acted on" is no news (heartbeat-ts behaves that way anyway). */
  readonly quietWhen?: (value: string) => boolean;
}

const off = (v: string): boolean => /^(off|false|no|n|0)$/i.test(v);

function d(
  name: string,
  wholeLine: boolean,
  acted: boolean,
  syntax: string,
  defaultText: string,
  quietWhen?: (value: string) => boolean,
): DirectiveSpec {
  return quietWhen === undefined
    ? { name, wholeLine, acted, syntax, defaultText }
    : { name, wholeLine, acted, syntax, defaultText, quietWhen };
}

export const HA_CF_DIRECTIVES: readonly DirectiveSpec[] = [
  d('node', false, true, 'name...', 'none: at least this node is required'),
  d('keepalive', false, true, 'time', '1 (1000 ms)'),
  d('deadtime', false, true, 'time', '30 (30000 ms)'),
  d('warntime', false, true, 'time', 'deadtime / 2'),
  d('initdead', false, true, 'time', 'deadtime if > 10 s; 12 s if deadtime < 6 s; else 2 x deadtime'),
  d('deadping', false, false, 'time', 'deadtime'),
  d('udpport', false, true, 'port (1-65535)', '694'),
  d('baud', false, true, '9600|19200|38400|57600|115200|230400|460800', '19200'),
  d('bcast', false, true, 'interface...', 'none'),
  d('udp', false, true, 'interface... (old alias of bcast)', 'none'),
  d('mcast', true, true, 'interface group port ttl(0-4) loop(0|1)', 'none'),
  d('mcast6', true, true, 'interface group port hops loop(0|1)', 'none'),
  d('ucast', true, true, 'interface peer', 'none'),
  d('ucast6', true, true, 'interface peer6', 'none'),
  d('serial', false, true, 'device...', 'none'),
  d('ping', false, false, 'address...', 'none'),
  d('ping6', false, false, 'address6...', 'none'),
  d('ping_group', true, false, 'name address...', 'none'),
  d('hopfudge', false, true, '0-255', '1'),
  d('auto_failback', false, true, 'on|off|legacy (or a boolean)', 'legacy'),
  d('nice_failback', false, true, 'boolean (obsolete: on = auto_failback off)', 'none'),
  d('stonith', true, false, 'type configfile', 'none'),
  d('stonith_host', true, false, 'host|* type params...', 'none'),
  d('logfile', false, true, 'path', 'none'),
  d('debugfile', false, true, 'path', 'none'),
  d('logfacility', false, true, 'syslog facility or none', 'none'),
  d('debug', false, true, '0-255', '0'),
  d('max_rexmit_delay', false, true, 'milliseconds (integer)', '250'),
  d('msgfmt', false, true, 'classic|netstring', 'classic'),
  d('autojoin', false, false, 'none|other|any', 'none', (v) => v.toLowerCase() === 'none'),
  d('cluster', false, true, 'name', 'linux-ha'),
  d('watchdog', false, false, 'device', 'none'),
  d('respawn', true, false, 'user /absolute/path [args...]', 'none'),
  d('failfast', true, false, 'user /absolute/path [args...]', 'none'),
  d('apiauth', true, false, 'client [uid=user,...] [gid=group,...]', 'built-in table'),
  d('use_logd', false, false, 'boolean', 'yes when no logfile, debugfile or logfacility'),
  d('conn_logd_time', false, false, 'time', '60'),
  d('syslogmsgfmt', false, false, 'boolean', 'true'),
  d('log_badpack', false, false, 'boolean', 'true'),
  d('realtime', false, false, 'boolean', 'true'),
  d('rtprio', false, false, '1-99', 'middle of the SCHED_FIFO range'),
  d('memreserve', false, false, 'KiB', '6500'),
  d('coredumps', false, false, 'boolean', 'true'),
  d('coreroot', false, false, 'directory', 'none'),
  d('hbgenmethod', false, false, 'file|time', 'file'),
  d('uuidfrom', false, false, 'file|nodename', 'file'),
  d('compression', false, false, 'zlib|bz2', 'zlib'),
  d('compression_threshold', false, false, 'KiB', '2'),
  d('traditional_compression', false, false, 'boolean', 'no'),
  d('env', false, false, 'NAME=value', 'none'),
  d('crm', false, false, 'on|off|respawn|minimal|manual|ccm-only|valgrind (or a boolean)', 'off', off),
  d('pacemaker', false, false, 'same as crm', 'off', off),
  d('crm_daemon_dir', false, false, 'directory', 'none'),
  d('crmd_spawns_pengine', false, false, 'boolean', 'none'),
  d('record_config_changes', false, false, 'boolean', 'none'),
  d('record_pengine_inputs', false, false, 'boolean', 'none'),
  d('enable_config_writes', false, false, 'boolean', 'none'),
  d('use_apphbd', false, false, 'boolean', 'none'),
  d('quorum_server', false, false, 'host', 'none'),
];

/** Names Heartbeat 3.0.6 documents but does not accept in the Debian build. */
export const REFUSED_DIRECTIVES: ReadonlyMap<string, string> = new Map([
  ['hbaping', 'the hbaping plugin is not shipped with Heartbeat 3.0.6, which refuses this directive too'],
  ['normalpoll', 'normalpoll is compiled out of Heartbeat 3.0.6, which refuses this directive too'],
]);

const byName = new Map(HA_CF_DIRECTIVES.map((spec) => [spec.name, spec]));

export function directiveSpec(name: string): DirectiveSpec | undefined {
  return byName.get(name);
}

export const DIRECTIVE_NAMES: readonly string[] = HA_CF_DIRECTIVES.map((s) => s.name);
