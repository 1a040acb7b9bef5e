// ha.cf: directive records -> typed settings with Heartbeat 3.0.6's defaults, plus every problem as
// a ConfigIssue. Directives take effect in file order as in Heartbeat (a medium uses the udpport and
// baud in effect on its line). Checks that need the other files or the local node name live in
// resolve-config.ts.
import type {
  ApiAuthEntry,
  AutoFailback,
  ClientProgram,
  ConfigIssue,
  Medium,
  MediumId,
  NodeName,
  PingTarget,
  SourceLocation,
  StonithDevice,
} from './types.js';
import { errorAt, warningAt, wholeFile } from './config-issues.js';
import { haCfLines, splitWords, type DirectiveLine } from './ha-cf-lines.js';
import { DIRECTIVE_NAMES, REFUSED_DIRECTIVES, directiveSpec } from './ha-cf-directives.js';
import { closestName } from './did-you-mean.js';
import { formatDuration, parseHeartbeatTime } from './heartbeat-time.js';
import { printableShort } from './printable.js';
import {
  BOOLEAN_HELP,
  MAX_NAME_CHARS,
  interfaceNameProblem,
  isHostName,
  isIPv4,
  isIPv4Multicast,
  isIPv6,
  isIPv6Multicast,
  parseBoolean,
  parseIntegerIn,
} from './config-values.js';

export const DEFAULT_KEEPALIVE_MS = 1000;
export const DEFAULT_DEADTIME_MS = 30_000;
export const DEFAULT_UDP_PORT = 694;
export const DEFAULT_BAUD = 19_200;
export const DEFAULT_HOPFUDGE = 1;
export const DEFAULT_MAX_REXMIT_DELAY_MS = 250;
export const MAX_NODES = 100;
export const BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200, 230400, 460800];
export const SYSLOG_FACILITIES: readonly string[] = [
  'auth',
  'authpriv',
  'cron',
  'daemon',
  'ftp',
  'kern',
  'lpr',
  'mail',
  'news',
  'syslog',
  'user',
  'uucp',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
  'none',
];
const CRM_VALUES = ['respawn', 'minimal', 'manual', 'ccm-only', 'valgrind'];

/** Heartbeat's derived initdead: deadtime if over 10 s, 12 s if under 6 s, else twice deadtime. */
export function defaultInitdeadMs(deadtimeMs: number): number {
  if (deadtimeMs > 10_000) return deadtimeMs;
  if (deadtimeMs < 6_000) return 12_000;
  return 2 * deadtimeMs;
}

export interface NodeEntry {
  readonly name: NodeName;
  readonly at: SourceLocation;
}

export interface HaCf {
  readonly file: string;
  readonly nodes: readonly NodeEntry[];
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
  readonly msgfmt: 'classic' | 'netstring';
  readonly autojoin: 'none' | 'other' | 'any';
  readonly clusterName: string;
  readonly logfile: string | undefined;
  readonly debugfile: string | undefined;
  readonly logfacility: string | undefined;
  readonly debugLevel: number;
  readonly stonith: readonly StonithDevice[];
  readonly watchdog: string | undefined;
  readonly clients: readonly ClientProgram[];
  readonly apiauth: readonly ApiAuthEntry[];
  /** Where a directive was last given (absent: defaulted). */
  readonly lines: ReadonlyMap<string, SourceLocation>;
  /** The `crm`/`pacemaker` value when it turns Pacemaker mode on. */
  readonly crm: { readonly value: string; readonly at: SourceLocation } | undefined;
  /** Every directive as written, name -> values in file order (whole-line ones: the whole rest). */
  readonly directives: ReadonlyMap<string, readonly string[]>;
}

export interface HaCfParse {
  readonly haCf: HaCf;
  readonly issues: readonly ConfigIssue[];
}

const TIME_DIRECTIVES = ['keepalive', 'deadtime', 'warntime', 'initdead', 'deadping', 'conn_logd_time'];
/** Split directives that take a list; every other split directive holds one value. */
const LIST_DIRECTIVES = ['node', 'bcast', 'udp', 'serial', 'ping', 'ping6', 'env'];

interface Timed {
  readonly ms: number;
  readonly text: string;
  readonly at: SourceLocation;
}

export function parseHaCf(text: string, file = 'ha.cf'): HaCfParse {
  const lexed = haCfLines(text, file);
  const issues: ConfigIssue[] = [...lexed.issues];
  const err = (at: SourceLocation, message: string): void => void issues.push(errorAt(at, message));
  const warn = (at: SourceLocation, message: string): void => void issues.push(warningAt(at, message));

  const directives = new Map<string, string[]>();
  const lines = new Map<string, SourceLocation>();
  const nodes: NodeEntry[] = [];
  const media: Medium[] = [];
  const mediumLines = new Map<MediumId, SourceLocation>();
  const pingTargets: PingTarget[] = [];
  const stonith: StonithDevice[] = [];
  const clients: ClientProgram[] = [];
  const apiauth: ApiAuthEntry[] = [];
  const times = new Map<string, Timed>();
  let udpPort: { value: number; at: SourceLocation } | undefined;
  let baud: { value: number; at: SourceLocation } | undefined;
  let firstUdpMedium: Medium | undefined;
  let firstSerial: Medium | undefined;
  let autoFailback: { value: AutoFailback; at: SourceLocation } | undefined;
  let niceFailback: { value: boolean; at: SourceLocation } | undefined;
  let hopfudge = DEFAULT_HOPFUDGE;
  let maxRexmitDelayMs = DEFAULT_MAX_REXMIT_DELAY_MS;
  let msgfmt: 'classic' | 'netstring' = 'classic';
  let autojoin: 'none' | 'other' | 'any' = 'none';
  let clusterName = 'linux-ha';
  let logfile: string | undefined;
  let debugfile: string | undefined;
  let logfacility: string | undefined;
  let debugLevel = 0;
  let watchdog: string | undefined;
  let useLogd: { value: boolean; at: SourceLocation } | undefined;
  let crm: { value: string; at: SourceLocation } | undefined;

  const addMedium = (m: Medium): void => {
    const earlier = mediumLines.get(m.id);
    if (earlier !== undefined) {
      warn(m.at, `medium ${m.id} is already defined on line ${earlier.line}; this duplicate is ignored`);
      return;
    }
    mediumLines.set(m.id, m.at);
    media.push(m);
    if ((m.kind === 'bcast' || m.kind === 'ucast' || m.kind === 'ucast6') && firstUdpMedium === undefined) {
      firstUdpMedium = m;
    }
    if (m.kind === 'serial' && firstSerial === undefined) firstSerial = m;
  };
  const currentPort = (): number => udpPort?.value ?? DEFAULT_UDP_PORT;
  const checkIface = (iface: string, at: SourceLocation): boolean => {
    const problem = interfaceNameProblem(iface);
    if (problem !== undefined) err(at, problem);
    return problem === undefined;
  };
  const bool = (name: string, value: string, at: SourceLocation): boolean | undefined => {
    const b = parseBoolean(value);
    if (b === undefined) err(at, `${name} takes a boolean (${BOOLEAN_HELP}), got '${value}'`);
    return b;
  };
  const int = (
    name: string,
    value: string,
    at: SourceLocation,
    min: number,
    max: number,
  ): number | undefined => {
    const n = parseIntegerIn(value, min, max);
    if (n === undefined) err(at, `${name} takes a whole number from ${min} to ${max}, got '${value}'`);
    return n;
  };
  const oneOf = <T extends string>(
    name: string,
    value: string,
    at: SourceLocation,
    allowed: readonly T[],
  ): T | undefined => {
    const found = allowed.find((a) => a === value.toLowerCase());
    if (found === undefined) {
      err(at, `${name} takes one of ${allowed.join(', ')}, got '${value}'`);
    }
    return found;
  };

  // One value of a split directive, or the whole rest of a whole-line directive.
  const apply = (name: string, value: string, at: SourceLocation, line: DirectiveLine): void => {
    if (TIME_DIRECTIVES.includes(name)) {
      const t = parseHeartbeatTime(name, value);
      if (t.kind === 'error') err(at, t.message);
      else times.set(name, { ms: t.ms, text: value, at });
      return;
    }
    switch (name) {
      case 'node': {
        if (value.length > MAX_NAME_CHARS) {
          err(at, `node name '${printableShort(value)}' is longer than ${MAX_NAME_CHARS} characters`);
          return;
        }
        const lower = value.toLowerCase() as NodeName;
        const earlier = nodes.find((n) => n.name === lower);
        if (earlier !== undefined) {
          const how = lower === value ? `'${value}'` : `'${value}' (node names are lowercased: '${lower}')`;
          warn(at, `node ${how} is already listed on line ${earlier.at.line}; the duplicate is ignored`);
        } else {
          nodes.push({ name: lower, at });
        }
        return;
      }
      case 'udpport': {
        const port = int(name, value, at, 1, 65535);
        if (port === undefined) return;
        if (firstUdpMedium !== undefined) {
          err(
            at,
            `udpport ${port} comes after the ${firstUdpMedium.kind} medium on line ${firstUdpMedium.at.line}, which Heartbeat ` +
              `has already set up on port ${currentPort()} and silently keeps there; move udpport above line ${firstUdpMedium.at.line}`,
          );
        }
        udpPort = { value: port, at };
        return;
      }
      case 'baud': {
        const rate = parseIntegerIn(value, 1, 10_000_000);
        if (rate === undefined || !BAUD_RATES.includes(rate)) {
          err(at, `baud takes one of ${BAUD_RATES.join(', ')}, got '${value}'`);
          return;
        }
        if (baud !== undefined) {
          err(
            at,
            `baud may be set only once (Heartbeat refuses a second one); it is already set on line ${baud.at.line}`,
          );
          return;
        }
        if (firstSerial !== undefined) {
          err(
            at,
            `baud ${rate} comes after the serial medium on line ${firstSerial.at.line}, which Heartbeat has already opened at ` +
              `${DEFAULT_BAUD} baud; move baud above line ${firstSerial.at.line}`,
          );
        }
        baud = { value: rate, at };
        return;
      }
      case 'udp':
      case 'bcast': {
        if (!checkIface(value, at)) return;
        addMedium({ kind: 'bcast', id: `bcast:${value}` as MediumId, iface: value, port: currentPort(), at });
        return;
      }
      case 'serial': {
        if (!value.startsWith('/')) {
          err(at, `serial takes a device path such as /dev/ttyS0, got '${value}'`);
          return;
        }
        addMedium({
          kind: 'serial',
          id: `serial:${value}` as MediumId,
          device: value,
          baud: baud?.value ?? DEFAULT_BAUD,
          at,
        });
        return;
      }
      case 'mcast':
      case 'mcast6':
        parseMulticast(name, value, at);
        return;
      case 'ucast':
      case 'ucast6':
        parseUnicast(name, value, at, line);
        return;
      case 'ping': {
        if (isIPv6(value)) {
          err(at, `'${value}' is an IPv6 address: write \`ping6 ${value}\``);
          return;
        }
        if (!isIPv4(value) && !isHostName(value)) {
          err(at, `ping takes IPv4 addresses or host names, got '${value}'`);
          return;
        }
        addPing({ kind: 'ping', name: value.toLowerCase(), addresses: [value], at });
        return;
      }
      case 'ping6': {
        if (!isIPv6(value)) {
          err(at, `ping6 takes IPv6 addresses, got '${value}'`);
          return;
        }
        addPing({ kind: 'ping6', name: value.toLowerCase(), addresses: [value], at });
        return;
      }
      case 'ping_group': {
        const words = splitWords(value);
        const [groupName, ...members] = words;
        if (groupName === undefined || members.length === 0) {
          err(
            at,
            'ping_group needs a name and at least one address, e.g. `ping_group routers 198.18.0.1 198.18.0.254`',
          );
          return;
        }
        const bad = members.find((a) => !isIPv4(a) && !isHostName(a));
        if (bad !== undefined) {
          err(at, `ping_group ${groupName}: '${bad}' is not an IPv4 address or host name`);
          return;
        }
        addPing({ kind: 'ping_group', name: groupName.toLowerCase(), addresses: members, at });
        return;
      }
      case 'hopfudge': {
        const n = int(name, value, at, 0, 255);
        if (n !== undefined) hopfudge = n;
        return;
      }
      case 'auto_failback': {
        const lower = value.toLowerCase();
        if (lower === 'legacy') {
          autoFailback = { value: 'legacy', at };
          return;
        }
        const b = parseBoolean(value);
        if (b === undefined) {
          err(at, `auto_failback takes on, off or legacy, got '${value}'`);
          return;
        }
        autoFailback = { value: b ? 'on' : 'off', at };
        return;
      }
      case 'nice_failback': {
        const b = bool(name, value, at);
        if (b === undefined) return;
        niceFailback = { value: b, at };
        warn(
          at,
          `nice_failback is obsolete: write \`auto_failback ${b ? 'off' : 'on'}\` instead (Heartbeat maps it the same way)`,
        );
        return;
      }
      case 'stonith': {
        const [type, configFile, ...extra] = splitWords(value);
        if (type === undefined || configFile === undefined) {
          err(
            at,
            'stonith needs a device type and its configuration file, e.g. `stonith baytech /etc/ha.d/conf/stonith.baytech`',
          );
          return;
        }
        if (extra.length > 0) warn(at, `stonith takes two values; '${extra.join(' ')}' is ignored`);
        stonith.push({ kind: 'stonith', host: '*', type, params: [configFile], at });
        return;
      }
      case 'stonith_host': {
        const [host, type, ...params] = splitWords(value);
        if (host === undefined || type === undefined) {
          err(
            at,
            'stonith_host needs a host (or *), a device type and its parameters, e.g. `stonith_host * external/ipmi node2 198.18.0.50 admin secret`',
          );
          return;
        }
        stonith.push({
          kind: 'stonith_host',
          host: host === '*' ? '*' : host.toLowerCase(),
          type,
          params,
          at,
        });
        return;
      }
      case 'logfile':
      case 'debugfile': {
        if (!value.startsWith('/'))
          warn(at, `${name} '${value}' is a relative path; write an absolute path such as /var/log/ha-log`);
        if (name === 'logfile') logfile = value;
        else debugfile = value;
        return;
      }
      case 'logfacility': {
        const f = oneOf(name, value, at, SYSLOG_FACILITIES);
        if (f !== undefined) logfacility = f;
        return;
      }
      case 'debug': {
        const n = int(name, value, at, 0, 255);
        if (n !== undefined) debugLevel = n;
        return;
      }
      case 'max_rexmit_delay': {
        const n = int(name, value, at, 1, 3_600_000);
        if (n !== undefined) maxRexmitDelayMs = n;
        return;
      }
      case 'msgfmt': {
        const f = oneOf(name, value, at, ['classic', 'netstring'] as const);
        if (f !== undefined) msgfmt = f;
        return;
      }
      case 'autojoin': {
        const f = oneOf(name, value, at, ['none', 'other', 'any'] as const);
        if (f !== undefined) autojoin = f;
        return;
      }
      case 'cluster':
        clusterName = value;
        return;
      case 'watchdog':
        if (!value.startsWith('/'))
          err(at, `watchdog takes a device path such as /dev/watchdog, got '${value}'`);
        else watchdog = value;
        return;
      case 'respawn':
      case 'failfast': {
        const [user, path, ...args] = splitWords(value);
        if (user === undefined || path === undefined) {
          err(
            at,
            `${name} needs a user and an absolute program path, e.g. \`${name} hacluster /usr/lib/heartbeat/ipfail\``,
          );
          return;
        }
        if (!path.startsWith('/')) {
          err(at, `${name}: the program must be an absolute path, got '${path}'`);
          return;
        }
        clients.push({ kind: name, user, path, args, at });
        return;
      }
      case 'apiauth': {
        const [client, ...rest] = splitWords(value);
        if (client === undefined) {
          err(at, 'apiauth needs a client name, e.g. `apiauth ipfail uid=hacluster`');
          return;
        }
        const uids: string[] = [];
        const gids: string[] = [];
        for (const word of rest) {
          const m = /^(uid|gid)=(.*)$/.exec(word);
          if (m === null || m[2] === '') {
            err(at, `apiauth ${client}: expected uid=user[,user...] or gid=group[,group...], got '${word}'`);
            return;
          }
          (m[1] === 'uid' ? uids : gids).push(...(m[2] ?? '').split(',').filter((x) => x !== ''));
        }
        apiauth.push({ client, uids, gids, at });
        return;
      }
      case 'use_logd': {
        const b = bool(name, value, at);
        if (b !== undefined) useLogd = { value: b, at };
        return;
      }
      case 'syslogmsgfmt':
      case 'log_badpack':
      case 'realtime':
      case 'coredumps':
      case 'traditional_compression':
      case 'crmd_spawns_pengine':
      case 'record_config_changes':
      case 'record_pengine_inputs':
      case 'enable_config_writes':
      case 'use_apphbd':
        bool(name, value, at);
        return;
      case 'rtprio':
        int(name, value, at, 1, 99);
        return;
      case 'memreserve':
        int(name, value, at, 0, 1_000_000);
        return;
      case 'compression_threshold':
        int(name, value, at, 1, 1_000_000);
        return;
      case 'hbgenmethod':
        oneOf(name, value, at, ['file', 'time']);
        return;
      case 'uuidfrom':
        oneOf(name, value, at, ['file', 'nodename']);
        return;
      case 'compression':
      case 'quorum_server':
        return;
      case 'coreroot':
      case 'crm_daemon_dir':
        if (!value.startsWith('/')) err(at, `${name} takes an absolute directory, got '${value}'`);
        return;
      case 'env':
        if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) err(at, `env takes NAME=value, got '${value}'`);
        return;
      case 'crm':
      case 'pacemaker': {
        const lower = value.toLowerCase();
        const b = parseBoolean(value);
        if (b === undefined && !CRM_VALUES.includes(lower)) {
          err(at, `${name} takes on, off, respawn, minimal, manual, ccm-only or valgrind, got '${value}'`);
          return;
        }
        crm = b === false ? undefined : { value, at };
        return;
      }
      default:
        // Every name in the directive table is handled above; reaching here is a programming error.
        throw new Error(`ha.cf directive '${name}' has no handler`);
    }
  };

  const addPing = (p: PingTarget): void => {
    const earlier = pingTargets.find((t) => t.name === p.name);
    if (earlier !== undefined) {
      warn(
        p.at,
        `ping node '${p.name}' is already defined on line ${earlier.at.line}; this duplicate is ignored`,
      );
      return;
    }
    pingTargets.push(p);
  };

  const parseMulticast = (name: 'mcast' | 'mcast6', value: string, at: SourceLocation): void => {
    const words = splitWords(value);
    const v6 = name === 'mcast6';
    const example = v6 ? '`mcast6 eth0 ff05::694 694 1 0`' : '`mcast eth0 239.0.0.1 694 1 0`';
    if (words.length < 5) {
      err(
        at,
        `${name} needs 5 values: interface group port ${v6 ? 'hops' : 'ttl'} loop, e.g. ${example}; got ${words.length}`,
      );
      return;
    }
    const [iface = '', group = '', portText = '', ttlText = '', loopText = '', ...extra] = words;
    if (!checkIface(iface, at)) return;
    if (v6 ? !isIPv6Multicast(group) : !isIPv4Multicast(group)) {
      err(
        at,
        v6
          ? `${name} group '${group}' is not an IPv6 multicast address (ff00::/8)`
          : `${name} group '${group}' is not a class D multicast address (224.0.0.0 - 239.255.255.255)`,
      );
      return;
    }
    const port = parseIntegerIn(portText, 1, 65535);
    if (port === undefined) {
      err(at, `${name} port must be a whole number from 1 to 65535, got '${portText}'`);
      return;
    }
    const ttl = parseIntegerIn(ttlText, 0, v6 ? 255 : 4);
    if (ttl === undefined) {
      err(
        at,
        v6
          ? `${name} hops must be a whole number from 0 to 255, got '${ttlText}'`
          : `${name} ttl must be from 0 to 4 (Heartbeat 3.0.6 refuses more, whatever its man page says), got '${ttlText}'`,
      );
      return;
    }
    if (loopText !== '0' && loopText !== '1') {
      err(at, `${name} loop must be 0 or 1, got '${loopText}'`);
      return;
    }
    if (extra.length > 0) warn(at, `${name} takes 5 values; '${extra.join(' ')}' is ignored`);
    const loop = loopText === '1';
    if (v6) {
      addMedium({
        kind: 'mcast6',
        id: `mcast6:${iface}:${group}:${port}` as MediumId,
        iface,
        group,
        port,
        hops: ttl,
        loop,
        at,
      });
    } else {
      addMedium({
        kind: 'mcast',
        id: `mcast:${iface}:${group}:${port}` as MediumId,
        iface,
        group,
        port,
        ttl,
        loop,
        at,
      });
    }
  };

  const parseUnicast = (
    name: 'ucast' | 'ucast6',
    value: string,
    at: SourceLocation,
    line: DirectiveLine,
  ): void => {
    const words = splitWords(value);
    const [iface, peer, ...extra] = words;
    const v6 = name === 'ucast6';
    if (iface === undefined || peer === undefined) {
      const comma = line.rest.includes(',') ? ' (ucast lines are split on spaces only, not commas)' : '';
      err(
        at,
        `${name} needs an interface and a peer address, e.g. \`${name} eth0 ${v6 ? 'fd00::2' : '198.18.0.2'}\`${comma}`,
      );
      return;
    }
    if (!checkIface(iface, at)) return;
    if (v6) {
      if (!isIPv6(peer)) {
        err(at, `ucast6 peer '${peer}' is not an IPv6 address`);
        return;
      }
    } else if (isIPv6(peer)) {
      err(at, `'${peer}' is an IPv6 address: write \`ucast6 ${iface} ${peer}\``);
      return;
    } else if (!isIPv4(peer) && (!isHostName(peer) || /^[\d.]+$/.test(peer))) {
      err(at, `ucast peer '${peer}' is not an IPv4 address or host name`);
      return;
    }
    if (extra.length > 0) {
      warn(
        at,
        `${name} takes one peer per line; '${extra.join(' ')}' is ignored (Heartbeat ignores it too): write one ${name} line per peer`,
      );
    }
    const kind = v6 ? 'ucast6' : 'ucast';
    addMedium({ kind, id: `${kind}:${iface}:${peer}` as MediumId, iface, peer, port: currentPort(), at });
  };

  for (const line of lexed.lines) {
    const { name, at } = line;
    const spec = directiveSpec(name);
    if (spec === undefined) {
      reportUnknown(line, err);
      continue;
    }
    const written = spec.wholeLine ? (line.rest === '' ? [] : [line.rest]) : line.values;
    directives.set(name, [...(directives.get(name) ?? []), ...written]);
    if (written.length === 0) {
      warn(at, `'${name}' has no value; Heartbeat ignores this line (syntax: ${name} ${spec.syntax})`);
      continue;
    }
    const earlier = lines.get(name);
    lines.set(name, at);
    if (!spec.acted && !(spec.quietWhen?.(written[written.length - 1] ?? '') ?? false)) {
      warn(at, `'${name}' is parsed, not acted on by heartbeat-ts yet`);
    }
    if (name === 'udp')
      warn(
        at,
        "'udp' is an old alias of 'bcast' (Heartbeat replaces it too): write `bcast " +
          written.join(' ') +
          '`',
      );
    const scalar = !spec.wholeLine && !LIST_DIRECTIVES.includes(name);
    if (scalar && written.length > 1) {
      const unit = written[1] ?? '';
      if (TIME_DIRECTIVES.includes(name) && /^(ms|msec|us|usec|s|sec)$/i.test(unit)) {
        err(
          at,
          `the unit must be glued to the number: write \`${name} ${written[0] ?? ''}${unit.toLowerCase().startsWith('s') ? '' : unit}\``,
        );
        continue;
      }
      const fraction =
        line.rest.includes(',') && written.length === 2 && written.every((w) => /^\d+$/.test(w))
          ? `; commas separate values in ha.cf, for a fraction write \`${name} ${written.join('.')}\``
          : '';
      warn(
        at,
        `${name} has ${written.length} values (${written.join(', ')}); Heartbeat applies them one after another, so ` +
          `'${written[written.length - 1] ?? ''}' wins${fraction}`,
      );
    }
    const errorsBefore = issues.filter((i) => i.severity === 'error').length;
    for (const value of written) apply(name, value, at, line);
    const applied = issues.filter((i) => i.severity === 'error').length === errorsBefore;
    if (scalar && written.length === 1 && earlier !== undefined && name !== 'baud' && applied) {
      warn(
        at,
        `${name} is set again here; the value on line ${earlier.line} is overridden (the last one wins, as in Heartbeat)`,
      );
    }
  }

  // Derived defaults, computed as Heartbeat does once the whole file is read.
  const keepalive = times.get('keepalive');
  const deadtime = times.get('deadtime');
  const warntime = times.get('warntime');
  const initdead = times.get('initdead');
  const deadping = times.get('deadping');
  const keepaliveMs = keepalive?.ms ?? DEFAULT_KEEPALIVE_MS;
  const deadtimeMs = deadtime?.ms ?? DEFAULT_DEADTIME_MS;
  const warntimeMs = warntime?.ms ?? Math.floor(deadtimeMs / 2);
  const initdeadMs = initdead?.ms ?? defaultInitdeadMs(deadtimeMs);
  const deadpingMs = deadping?.ms ?? deadtimeMs;
  const fileAt = wholeFile(file);
  const show = (t: Timed | undefined, name: string, ms: number): string =>
    t === undefined ? `${name} (default ${formatDuration(ms)})` : `${name} ${t.text} (${ms} ms)`;

  if (keepalive !== undefined && keepaliveMs <= 0) {
    err(keepalive.at, `keepalive must be more than 0 (\`${keepalive.text}\` is ${keepaliveMs} ms)`);
  } else if (deadtimeMs <= 2 * keepaliveMs) {
    err(
      (deadtime ?? keepalive ?? { at: fileAt }).at,
      `${show(deadtime, 'deadtime', deadtimeMs)} must be more than twice ${show(keepalive, 'keepalive', keepaliveMs)}; ` +
        `Heartbeat refuses this too ("Dead time [${deadtimeMs}] is too small compared to keeplive [${keepaliveMs}]"): ` +
        `raise deadtime above ${2 * keepaliveMs}ms or lower keepalive below ${Math.ceil(deadtimeMs / 2)}ms`,
    );
  }
  if (warntime !== undefined && warntimeMs <= 0) {
    err(warntime.at, `warntime must be more than 0 (\`${warntime.text}\` is ${warntimeMs} ms)`);
  } else if (warntime !== undefined && warntimeMs >= deadtimeMs) {
    warn(
      warntime.at,
      `${show(warntime, 'warntime', warntimeMs)} is not below ${show(deadtime, 'deadtime', deadtimeMs)}, so no late-heartbeat warning can come before a node is declared dead`,
    );
  } else if (warntime !== undefined && warntimeMs <= keepaliveMs) {
    warn(
      warntime.at,
      `${show(warntime, 'warntime', warntimeMs)} is not above keepalive (${keepaliveMs} ms): every heartbeat would be reported late`,
    );
  }
  if (initdeadMs < deadtimeMs) {
    err(
      (initdead ?? deadtime ?? { at: fileAt }).at,
      `${show(initdead, 'initdead', initdeadMs)} is smaller than ${show(deadtime, 'deadtime', deadtimeMs)}; Heartbeat refuses this too: ` +
        `set initdead to at least ${deadtimeMs}ms (twice deadtime is usual)`,
    );
  } else if (initdead !== undefined && initdeadMs < 10_000) {
    warn(
      initdead.at,
      `${show(initdead, 'initdead', initdeadMs)} may be too small: a rebooted node's network often needs more than 10 s to come up`,
    );
  }
  if (deadping !== undefined && deadpingMs <= 2 * keepaliveMs) {
    err(
      deadping.at,
      `${show(deadping, 'deadping', deadpingMs)} must be more than twice ${show(keepalive, 'keepalive', keepaliveMs)}: raise it above ${2 * keepaliveMs}ms`,
    );
  }
  if (nodes.length === 0) {
    err(
      fileAt,
      'no nodes defined: add a `node <name>` line for every cluster member, named as `uname -n` prints it',
    );
  } else if (nodes.length > MAX_NODES) {
    err(nodes[MAX_NODES]?.at ?? fileAt, `too many nodes: Heartbeat allows at most ${MAX_NODES}`);
  }
  if (media.length === 0) {
    err(
      fileAt,
      'no heartbeat medium: add at least one bcast, mcast, ucast or serial line, e.g. `bcast eth0`',
    );
  }
  for (const p of pingTargets) {
    const clash = nodes.find((n) => n.name === p.name);
    if (clash !== undefined)
      err(p.at, `ping node '${p.name}' has the same name as the cluster node on line ${clash.at.line}`);
  }
  if (
    useLogd !== undefined &&
    !useLogd.value &&
    logfile === undefined &&
    debugfile === undefined &&
    logfacility === undefined
  ) {
    err(
      useLogd.at,
      'use_logd is off and there is no logfile, debugfile or logfacility line, so nothing would be logged (Heartbeat refuses this too)',
    );
  }
  let resolvedFailback: AutoFailback = autoFailback?.value ?? 'legacy';
  if (autoFailback === undefined && niceFailback !== undefined)
    resolvedFailback = niceFailback.value ? 'off' : 'legacy';
  if (autoFailback !== undefined && niceFailback !== undefined) {
    err(
      niceFailback.at,
      `nice_failback conflicts with auto_failback on line ${autoFailback.at.line}; remove nice_failback`,
    );
  }
  if (resolvedFailback === 'legacy') {
    const why =
      "'legacy' is deprecated: a returning home node takes its groups back through the old ip-request " +
      'exchange, and hb_standby, hb_takeover and ipfail are silently disabled; write `auto_failback on` ' +
      '(groups return to their home node) or `auto_failback off` (they stay where they run)';
    if (autoFailback !== undefined) warn(autoFailback.at, `auto_failback legacy: ${why}`);
    else warn(fileAt, `no auto_failback line, so Heartbeat's default 'legacy' applies: ${why}`);
  }

  const haCf: HaCf = {
    file,
    nodes,
    keepaliveMs,
    deadtimeMs,
    warntimeMs,
    initdeadMs,
    deadpingMs,
    udpPort: udpPort?.value ?? DEFAULT_UDP_PORT,
    baud: baud?.value ?? DEFAULT_BAUD,
    media,
    pingTargets,
    autoFailback: resolvedFailback,
    hopfudge,
    maxRexmitDelayMs,
    msgfmt,
    autojoin,
    clusterName,
    logfile,
    debugfile,
    logfacility,
    debugLevel,
    stonith,
    watchdog,
    clients,
    apiauth,
    lines,
    crm,
    directives,
  };
  return { haCf, issues };
}

function reportUnknown(line: DirectiveLine, err: (at: SourceLocation, message: string) => void): void {
  const { name, at } = line;
  const refused = REFUSED_DIRECTIVES.get(name);
  if (refused !== undefined) {
    err(at, `'${name}' is not supported: ${refused}`);
    return;
  }
  const sameButCase = DIRECTIVE_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  if (sameButCase !== undefined) {
    err(at, `unknown directive '${name}': directive names are case-sensitive, write '${sameButCase}'`);
    return;
  }
  const comma = name.indexOf(',');
  if (comma > 0 && directiveSpec(name.slice(0, comma)) !== undefined) {
    err(at, `unknown directive '${name}': put a space between '${name.slice(0, comma)}' and its values`);
    return;
  }
  const suggestion = closestName(name, DIRECTIVE_NAMES);
  err(
    at,
    `unknown directive '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''} (Heartbeat refuses to start on it too)`,
  );
}
