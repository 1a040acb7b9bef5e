// Once the whole of ha.cf is read: the defaults Heartbeat derives from other settings (warntime,
// initdead, deadping from deadtime; auto_failback from nice_failback), the checks that concern
// several directives or the whole file, and the finished HaCf.
import { finishApi } from './ha-cf-api.js';
import type { AutoFailback } from './resource-config.js';
import type { HaCf, HaCfSettings } from './types.js';
import { wholeFile } from './config-issues.js';
import { formatDuration } from './heartbeat-time.js';
import type { HaCfBuilder, Timed } from './ha-cf-builder.js';
import { finishFencing } from './ha-cf-fence.js';
import { finishArbitration } from './ha-cf-arbitration.js';
import { finishNotify } from './ha-cf-notify.js';
import { finishArbiter } from './ha-cf-arbiter.js';
import {
  DEFAULT_BAUD,
  DEFAULT_DEADTIME_MS,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_UDP_PORT,
  MAX_NODES,
  defaultInitdeadMs,
} from './ha-cf-defaults.js';

type Timings = Pick<HaCfSettings, 'keepaliveMs' | 'deadtimeMs' | 'warntimeMs' | 'initdeadMs' | 'deadpingMs'>;

function timings(b: HaCfBuilder): Timings {
  const deadtimeMs = b.times.get('deadtime')?.ms ?? DEFAULT_DEADTIME_MS;
  return {
    keepaliveMs: b.times.get('keepalive')?.ms ?? DEFAULT_KEEPALIVE_MS,
    deadtimeMs,
    warntimeMs: b.times.get('warntime')?.ms ?? Math.floor(deadtimeMs / 2),
    initdeadMs: b.times.get('initdead')?.ms ?? defaultInitdeadMs(deadtimeMs),
    deadpingMs: b.times.get('deadping')?.ms ?? deadtimeMs,
  };
}

/** `deadtime 10 (10000 ms)` as written, or `deadtime (default 30 s)`. */
function show(t: Timed | undefined, name: string, ms: number): string {
  return t === undefined ? `${name} (default ${formatDuration(ms)})` : `${name} ${t.text} (${ms} ms)`;
}

/** keepalive against deadtime, as Heartbeat refuses it. */
function keepaliveChecks(b: HaCfBuilder, { keepaliveMs, deadtimeMs }: Timings): void {
  const keepalive = b.times.get('keepalive');
  const deadtime = b.times.get('deadtime');
  if (keepalive !== undefined && keepaliveMs <= 0) {
    b.err(keepalive.at, `keepalive must be more than 0 (\`${keepalive.text}\` is ${keepaliveMs} ms)`);
  } else if (deadtimeMs <= 2 * keepaliveMs) {
    b.err(
      (deadtime ?? keepalive ?? { at: wholeFile(b.file) }).at,
      `${show(deadtime, 'deadtime', deadtimeMs)} must be more than twice ${show(keepalive, 'keepalive', keepaliveMs)}; ` +
        `Heartbeat refuses this too ("Dead time [${deadtimeMs}] is too small compared to keeplive [${keepaliveMs}]"): ` +
        `raise deadtime above ${2 * keepaliveMs}ms or lower keepalive below ${Math.ceil(deadtimeMs / 2)}ms`,
    );
  }
}

function warntimeChecks(b: HaCfBuilder, { keepaliveMs, deadtimeMs, warntimeMs }: Timings): void {
  const warntime = b.times.get('warntime');
  if (warntime === undefined) return;
  if (warntimeMs <= 0) {
    b.err(warntime.at, `warntime must be more than 0 (\`${warntime.text}\` is ${warntimeMs} ms)`);
  } else if (warntimeMs >= deadtimeMs) {
    b.warn(
      warntime.at,
      `${show(warntime, 'warntime', warntimeMs)} is not below ${show(b.times.get('deadtime'), 'deadtime', deadtimeMs)}, so no late-heartbeat warning can come before a node is declared dead`,
    );
  } else if (warntimeMs <= keepaliveMs) {
    b.warn(
      warntime.at,
      `${show(warntime, 'warntime', warntimeMs)} is not above keepalive (${keepaliveMs} ms): every heartbeat would be reported late`,
    );
  }
}

function initdeadChecks(b: HaCfBuilder, { deadtimeMs, initdeadMs }: Timings): void {
  const initdead = b.times.get('initdead');
  const deadtime = b.times.get('deadtime');
  if (initdeadMs < deadtimeMs) {
    b.err(
      (initdead ?? deadtime ?? { at: wholeFile(b.file) }).at,
      `${show(initdead, 'initdead', initdeadMs)} is smaller than ${show(deadtime, 'deadtime', deadtimeMs)}; Heartbeat refuses this too: ` +
        `set initdead to at least ${deadtimeMs}ms (twice deadtime is usual)`,
    );
  } else if (initdead !== undefined && initdeadMs < 10_000) {
    b.warn(
      initdead.at,
      `${show(initdead, 'initdead', initdeadMs)} may be too small: a rebooted node's network often needs more than 10 s to come up`,
    );
  }
}

function deadpingCheck(b: HaCfBuilder, { keepaliveMs, deadpingMs }: Timings): void {
  const deadping = b.times.get('deadping');
  if (deadping !== undefined && deadpingMs <= 2 * keepaliveMs) {
    const keepalive = b.times.get('keepalive');
    b.err(
      deadping.at,
      `${show(deadping, 'deadping', deadpingMs)} must be more than twice ${show(keepalive, 'keepalive', keepaliveMs)}: raise it above ${2 * keepaliveMs}ms`,
    );
  }
}

/** At least one node (unless `autojoin any`, as in Heartbeat) and one medium, not too many nodes, ping nodes not named like cluster nodes. */
function membershipChecks(b: HaCfBuilder): void {
  const fileAt = wholeFile(b.file);
  if (b.nodes.length === 0 && b.plain.autojoin !== 'any') {
    b.err(
      fileAt,
      'no nodes defined: add a `node <name>` line for every cluster member, named as `uname -n` prints it',
    );
  } else if (b.nodes.length > MAX_NODES) {
    b.err(b.nodes[MAX_NODES]?.at ?? fileAt, `too many nodes: Heartbeat allows at most ${MAX_NODES}`);
  }
  if (b.media.length === 0) {
    b.err(
      fileAt,
      'no heartbeat medium: add at least one bcast, mcast, ucast or serial line, e.g. `bcast eth0`',
    );
  }
  for (const p of b.pingTargets) {
    const clash = b.nodes.find((n) => n.name === p.name);
    if (clash !== undefined)
      b.err(p.at, `ping node '${p.name}' has the same name as the cluster node on line ${clash.at.line}`);
  }
}

function loggingCheck(b: HaCfBuilder): void {
  const { logfile, debugfile, logfacility } = b.plain;
  if (b.useLogd === undefined || b.useLogd.value) return;
  if (logfile === undefined && debugfile === undefined && logfacility === undefined) {
    b.err(
      b.useLogd.at,
      'use_logd is off and there is no logfile, debugfile or logfacility line, so nothing would be logged (Heartbeat refuses this too)',
    );
  }
}

/** auto_failback as the last auto_failback or nice_failback line left it, else Heartbeat's default 'legacy'. */
function resolveFailback(b: HaCfBuilder): AutoFailback {
  const { autoFailback } = b;
  const resolved: AutoFailback = autoFailback?.value ?? 'legacy';
  if (resolved === 'legacy') {
    const why =
      "'legacy' is deprecated: a returning home node takes its groups back through the old ip-request " +
      'exchange, and hb_standby, hb_takeover and ipfail are silently disabled; write `auto_failback on` ' +
      '(groups return to their home node) or `auto_failback off` (they stay where they run)';
    if (autoFailback?.fromNiceFailback === true) b.warn(autoFailback.at, `auto_failback is legacy: ${why}`);
    else if (autoFailback !== undefined) b.warn(autoFailback.at, `auto_failback legacy: ${why}`);
    else b.warn(wholeFile(b.file), `no auto_failback line, so Heartbeat's default 'legacy' applies: ${why}`);
  }
  return resolved;
}

export function finishHaCf(b: HaCfBuilder): HaCf {
  const times = timings(b);
  keepaliveChecks(b, times);
  warntimeChecks(b, times);
  initdeadChecks(b, times);
  deadpingCheck(b, times);
  membershipChecks(b);
  loggingCheck(b);
  const autoFailback = resolveFailback(b);
  const fencing = finishFencing(b);
  const arbitration = finishArbitration(b);
  const notify = finishNotify(b);
  return {
    file: b.file,
    nodes: b.nodes,
    ...times,
    udpPort: b.udpPort?.value ?? DEFAULT_UDP_PORT,
    baud: b.baud?.value ?? DEFAULT_BAUD,
    media: b.media,
    pingTargets: b.pingTargets,
    autoFailback,
    ...b.plain,
    stonith: b.stonith,
    fence: b.fence,
    ...fencing,
    ...arbitration,
    diskLock: b.diskLock === undefined ? undefined : { device: b.diskLock.value, at: b.diskLock.at },
    monitorLines: b.monitorLines,
    policyLines: b.policyLines,
    api: finishApi(b),
    ...notify,
    arbiter: finishArbiter(b, times.keepaliveMs),
    clients: b.clients,
    apiauth: b.apiauth,
    lines: b.lines,
    crm: b.crm,
    directives: b.directives,
  };
}
