// The handler of every ha.cf directive in the table (ha-cf-directives.ts), and the handlers of the
// simple settings: nodes, times, failback, logging, and the directives heartbeat-ts only validates.
// HA_CF_HANDLERS is keyed by DirectiveName, so a directive added to the table without a handler
// (or a handler without a directive) does not compile.
import type { AutoFailback } from './resource-config.js';
import type { NodeName } from './types.js';
import type { DirectiveHandler } from './ha-cf-builder.js';
import type { DirectiveName } from './ha-cf-directives.js';
import { parseHeartbeatTime } from './heartbeat-time.js';
import { MAX_NAME_CHARS, parseBoolean } from './config-values.js';
import { printableShort } from './printable.js';
import { CRM_VALUES, SYSLOG_FACILITIES } from './ha-cf-defaults.js';
import { baud, bcast, multicast, serial, udpport, unicast } from './ha-cf-media.js';
import { ping, ping6, pingGroup } from './ha-cf-ping.js';
import { apiauth, clientProgram, stonith, stonithHost } from './ha-cf-programs.js';
import { diskLock, fence } from './ha-cf-fence.js';
import { monitor, monitorPolicy } from './ha-cf-monitor.js';
import { apiCert, apiKey, apiListen, apiTokenFile, metricsListen } from './ha-cf-api.js';
import { pingPolicy, quorum } from './ha-cf-arbitration.js';
import { notify } from './ha-cf-notify.js';
import { arbiter } from './ha-cf-arbiter.js';

const time: DirectiveHandler = (b, value, { name, at }) => {
  const t = parseHeartbeatTime(name, value);
  if (t.kind === 'error') b.err(at, t.message);
  else b.times.set(name, { ms: t.ms, text: value, at });
};

const node: DirectiveHandler = (b, value, { at }) => {
  if (value.length > MAX_NAME_CHARS) {
    b.err(at, `node name '${printableShort(value)}' is longer than ${MAX_NAME_CHARS} characters`);
    return;
  }
  const lower = value.toLowerCase() as NodeName;
  const earlier = b.nodes.find((n) => n.name === lower);
  if (earlier === undefined) {
    b.nodes.push({ name: lower, at });
    return;
  }
  const how = lower === value ? `'${value}'` : `'${value}' (node names are lowercased: '${lower}')`;
  b.warn(at, `node ${how} is already listed on line ${earlier.at.line}; the duplicate is ignored`);
};

const autoFailback: DirectiveHandler = (b, value, { at }) => {
  if (value.toLowerCase() === 'legacy') {
    b.autoFailback = { value: 'legacy', at };
    return;
  }
  const on = parseBoolean(value);
  if (on === undefined) {
    b.err(at, `auto_failback takes on, off or legacy, got '${value}'`);
    return;
  }
  b.autoFailback = { value: on ? 'on' : 'off', at };
};

/**
 * `nice_failback`, obsolete, mapped exactly as Heartbeat 3.0.6 maps it (config.c set_nice_failback):
 * whatever its value, it becomes `auto_failback off` when an auto_failback on/off (or an earlier
 * nice_failback) is already in effect, and `auto_failback legacy` otherwise. Heartbeat runs such a
 * file, so this is a warning that names the value that wins; a later auto_failback line still wins.
 */
const niceFailback: DirectiveHandler = (b, value, { name, at }) => {
  const on = b.bool(name, value, at);
  if (on === undefined) return;
  const before = b.autoFailback;
  const wins: AutoFailback = before !== undefined && before.value !== 'legacy' ? 'off' : 'legacy';
  b.autoFailback = { value: wins, at, fromNiceFailback: true };
  const why =
    before !== undefined && before.value !== 'legacy'
      ? `after \`auto_failback ${before.value}\` on line ${before.at.line}, Heartbeat turns any nice_failback into \`auto_failback off\``
      : `with no auto_failback on/off above it, Heartbeat reads any nice_failback as \`auto_failback legacy\``;
  b.warn(
    at,
    `nice_failback ${value} is obsolete: ${why}, so auto_failback is ${wins} from here on` +
      `; write \`auto_failback ${wins}\` (or the on/off you mean) instead of nice_failback`,
  );
};

/** `logfile` and `debugfile`. */
function logPath(setting: 'logfile' | 'debugfile'): DirectiveHandler {
  return (b, value, { name, at }) => {
    if (!value.startsWith('/'))
      b.warn(at, `${name} '${value}' is a relative path; write an absolute path such as /var/log/ha-log`);
    b.plain[setting] = value;
  };
}

const logfacility: DirectiveHandler = (b, value, { name, at }) => {
  const f = b.oneOf(name, value, at, SYSLOG_FACILITIES);
  if (f !== undefined) b.plain.logfacility = f;
};

/** A whole number in [min, max] kept as `setting`. */
function wholeNumber(min: number, max: number, setting: 'hopfudge' | 'debugLevel' | 'maxRexmitDelayMs') {
  const handler: DirectiveHandler = (b, value, { name, at }) => {
    const n = b.int(name, value, at, min, max);
    if (n !== undefined) b.plain[setting] = n;
  };
  return handler;
}

const msgfmt: DirectiveHandler = (b, value, { name, at }) => {
  const f = b.oneOf(name, value, at, ['classic', 'netstring'] as const);
  if (f !== undefined) b.plain.msgfmt = f;
};

const autojoin: DirectiveHandler = (b, value, { name, at }) => {
  const f = b.oneOf(name, value, at, ['none', 'other', 'any'] as const);
  if (f !== undefined) b.plain.autojoin = f;
};

const cluster: DirectiveHandler = (b, value) => {
  b.plain.clusterName = value;
};

const watchdog: DirectiveHandler = (b, value, { at }) => {
  if (!value.startsWith('/')) b.err(at, `watchdog takes a device path such as /dev/watchdog, got '${value}'`);
  else b.plain.watchdog = value;
};

const useLogd: DirectiveHandler = (b, value, { name, at }) => {
  const on = b.bool(name, value, at);
  if (on !== undefined) b.useLogd = { value: on, at };
};

/** `crm` and `pacemaker`: Pacemaker mode, which heartbeat-ts does not implement (resolve-config.ts). */
const crm: DirectiveHandler = (b, value, { name, at }) => {
  const on = parseBoolean(value);
  if (on === undefined && !CRM_VALUES.includes(value.toLowerCase())) {
    b.err(at, `${name} takes on, off, respawn, minimal, manual, ccm-only or valgrind, got '${value}'`);
    return;
  }
  b.crm = on === false ? undefined : { value, at };
};

// Directives heartbeat-ts does not act on: their values are only checked, so a typo is still caught.
const aBoolean: DirectiveHandler = (b, value, { name, at }) => void b.bool(name, value, at);
const aNumber =
  (min: number, max: number): DirectiveHandler =>
  (b, value, { name, at }) =>
    void b.int(name, value, at, min, max);
const oneOf =
  (allowed: readonly string[]): DirectiveHandler =>
  (b, value, { name, at }) =>
    void b.oneOf(name, value, at, allowed);
const anything: DirectiveHandler = () => undefined;
const absoluteDir: DirectiveHandler = (b, value, { name, at }) => {
  if (!value.startsWith('/')) b.err(at, `${name} takes an absolute directory, got '${value}'`);
};
const env: DirectiveHandler = (b, value, { at }) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) b.err(at, `env takes NAME=value, got '${value}'`);
};

export const HA_CF_HANDLERS: { readonly [N in DirectiveName]: DirectiveHandler } = {
  node,
  keepalive: time,
  deadtime: time,
  warntime: time,
  initdead: time,
  deadping: time,
  udpport,
  baud,
  bcast,
  udp: bcast,
  mcast: multicast('mcast'),
  mcast6: multicast('mcast6'),
  ucast: unicast('ucast'),
  ucast6: unicast('ucast6'),
  serial,
  ping,
  ping6,
  ping_group: pingGroup,
  hopfudge: wholeNumber(0, 255, 'hopfudge'),
  auto_failback: autoFailback,
  nice_failback: niceFailback,
  stonith,
  stonith_host: stonithHost,
  logfile: logPath('logfile'),
  debugfile: logPath('debugfile'),
  logfacility,
  debug: wholeNumber(0, 255, 'debugLevel'),
  max_rexmit_delay: wholeNumber(1, 3_600_000, 'maxRexmitDelayMs'),
  msgfmt,
  autojoin,
  cluster,
  watchdog,
  respawn: clientProgram('respawn'),
  failfast: clientProgram('failfast'),
  apiauth,
  use_logd: useLogd,
  conn_logd_time: time,
  syslogmsgfmt: aBoolean,
  log_badpack: aBoolean,
  realtime: aBoolean,
  rtprio: aNumber(1, 99),
  memreserve: aNumber(0, 1_000_000),
  coredumps: aBoolean,
  coreroot: absoluteDir,
  hbgenmethod: oneOf(['file', 'time']),
  uuidfrom: oneOf(['file', 'nodename']),
  compression: anything,
  compression_threshold: aNumber(1, 1_000_000),
  traditional_compression: aBoolean,
  env,
  crm,
  pacemaker: crm,
  crm_daemon_dir: absoluteDir,
  crmd_spawns_pengine: aBoolean,
  record_config_changes: aBoolean,
  record_pengine_inputs: aBoolean,
  enable_config_writes: aBoolean,
  use_apphbd: aBoolean,
  quorum_server: anything,
  fence,
  fence_delay: time,
  fence_timeout: time,
  disk_lock: diskLock,
  monitor,
  monitor_policy: monitorPolicy,
  api_listen: apiListen,
  api_token_file: apiTokenFile,
  api_cert: apiCert,
  api_key: apiKey,
  metrics_listen: metricsListen,
  quorum,
  ping_policy: pingPolicy,
  notify,
  notify_timeout: time,
  arbiter,
};
