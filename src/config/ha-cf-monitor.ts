// Service-level health checks, our extension (in ha.cf or hbts.cf): `monitor <resource> ...` checks
// one resource of a haresources group every interval, `monitor_policy <group> ...` says what
// failures do (restart in place, then move, then stop choosing that node). The handlers check each
// line's own syntax; resolve-monitors.ts ties them to haresources once every file is read.
import type { MonitorCheck } from './health-config.js';
import type { HaCfBuilder, DirectiveHandler } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import { parseHeartbeatTime } from './heartbeat-time.js';
import { parseIntegerIn } from './config-values.js';

export const DEFAULT_MONITOR_INTERVAL_MS = 10_000;
export const DEFAULT_MONITOR_TIMEOUT_MS = 20_000;

const MONITOR_EXAMPLE =
  '`monitor httpd interval=2 timeout=1 http GET http://198.18.0.10/ expect 200` (checks: status, monitor [depth=N], http GET <url> expect <code>, tcp <host>:<port>, exec <command> [args...])';
const POLICY_EXAMPLE = '`monitor_policy httpd restarts=1 window=60 migration_threshold=3`';

/** `key=value` before the check: interval, timeout (Heartbeat times) and depth (OCF_CHECK_LEVEL). */
interface MonitorOptions {
  intervalMs: number;
  timeoutMs: number;
  depth: number | undefined;
}

export const monitor: DirectiveHandler = (b, value, { at }) => {
  const words = splitWords(value);
  const resource = words[0];
  if (resource === undefined || resource.includes('=')) {
    b.err(
      at,
      `monitor needs the resource to check first, as written in haresources, e.g. ${MONITOR_EXAMPLE}`,
    );
    return;
  }
  const options: MonitorOptions = {
    intervalMs: DEFAULT_MONITOR_INTERVAL_MS,
    timeoutMs: DEFAULT_MONITOR_TIMEOUT_MS,
    depth: undefined,
  };
  let i = 1;
  const errorsBefore = b.errorCount();
  const option = (word: string): boolean => {
    const eq = word.indexOf('=');
    if (eq <= 0) return false;
    const key = word.slice(0, eq).toLowerCase();
    const text = word.slice(eq + 1);
    if (key === 'interval' || key === 'timeout') {
      const t = parseHeartbeatTime(key, text);
      if (t.kind === 'error') b.err(at, `monitor ${resource}: ${t.message}`);
      else if (t.ms <= 0) b.err(at, `monitor ${resource}: ${key} must be more than 0, got '${text}'`);
      else if (key === 'interval') options.intervalMs = t.ms;
      else options.timeoutMs = t.ms;
    } else if (key === 'depth') {
      const n = parseIntegerIn(text, 0, 1000);
      if (n === undefined)
        b.err(at, `monitor ${resource}: depth is OCF_CHECK_LEVEL, a whole number (0, 10, 20), got '${text}'`);
      else options.depth = n;
    } else {
      b.err(at, `monitor ${resource}: unknown option '${key}=' (options: interval=, timeout=, depth=)`);
    }
    return true;
  };
  while (i < words.length && option(words[i] ?? '')) i++;
  const check = parseCheck(b, resource, words.slice(i), options, at);
  if (check === undefined || b.errorCount() !== errorsBefore) return;
  if (options.depth !== undefined && check.kind !== 'agent')
    b.err(
      at,
      `monitor ${resource}: depth= is the OCF check level of the agent's own monitor, not of a ${check.kind} check`,
    );
  else
    b.monitorLines.push({
      resource,
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      check,
      at,
    });
};

function parseCheck(
  b: HaCfBuilder,
  resource: string,
  words: readonly string[],
  options: MonitorOptions,
  at: Parameters<DirectiveHandler>[2]['at'],
): MonitorCheck | undefined {
  const kind = (words[0] ?? 'status').toLowerCase();
  const rest = words.slice(1);
  const bad = (text: string): undefined => {
    b.err(at, `monitor ${resource}: ${text}, e.g. ${MONITOR_EXAMPLE}`);
    return undefined;
  };
  switch (kind) {
    case 'status':
    case 'monitor': {
      // `monitor depth=10` after the check word is accepted too.
      for (const w of rest) {
        const m = /^depth=(.*)$/i.exec(w);
        const n = m !== null ? parseIntegerIn(m[1] ?? '', 0, 1000) : undefined;
        if (n === undefined) return bad(`'${w}' after ${kind}: only depth=N may follow`);
        options.depth = n;
      }
      return { kind: 'agent', depth: options.depth ?? 0 };
    }
    case 'http': {
      const [method, url, expectWord, code, ...extra] = rest;
      if (method?.toUpperCase() !== 'GET')
        return bad('an http check is written `http GET <url> expect <code>`');
      if (url === undefined || !/^https?:\/\/[^\s/]+/.test(url))
        return bad(`'${url ?? ''}' is not an http:// or https:// URL`);
      let expect = 200;
      if (expectWord !== undefined) {
        const n = expectWord.toLowerCase() === 'expect' ? parseIntegerIn(code ?? '', 100, 599) : undefined;
        if (n === undefined || extra.length > 0)
          return bad(`after the URL write \`expect <code>\` (an HTTP status from 100 to 599)`);
        expect = n;
      }
      return { kind: 'http', url, expect };
    }
    case 'tcp': {
      const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/.exec(rest[0] ?? '');
      const port = m !== null ? parseIntegerIn(m[2] ?? '', 1, 65535) : undefined;
      if (m === null || port === undefined || rest.length !== 1)
        return bad(
          `a tcp check is written \`tcp <host>:<port>\` (IPv6: \`tcp [::1]:80\`), got '${rest.join(' ')}'`,
        );
      return { kind: 'tcp', host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
    }
    case 'exec': {
      const [file, ...args] = rest;
      if (file === undefined || !file.startsWith('/'))
        return bad(`exec takes an absolute path to run (no shell), got '${file ?? ''}'`);
      return { kind: 'exec', file, args };
    }
    default:
      return bad(`unknown check '${words[0] ?? ''}'`);
  }
}

export const monitorPolicy: DirectiveHandler = (b, value, { at }) => {
  const words = splitWords(value);
  const target = words[0];
  if (target === undefined || target.includes('=')) {
    b.err(
      at,
      `monitor_policy needs the group first (any of its resources as written in haresources), e.g. ${POLICY_EXAMPLE}`,
    );
    return;
  }
  const line = {
    target,
    restarts: undefined as number | undefined,
    windowMs: undefined as number | undefined,
    migrationThreshold: undefined as number | undefined,
    at,
  };
  const errorsBefore = b.errorCount();
  for (const w of words.slice(1)) {
    const eq = w.indexOf('=');
    const key = (eq > 0 ? w.slice(0, eq) : w).toLowerCase();
    const text = eq > 0 ? w.slice(eq + 1) : '';
    if (key === 'restarts') {
      const n = parseIntegerIn(text, 0, 1000);
      if (n === undefined)
        b.err(at, `monitor_policy ${target}: restarts takes a whole number from 0 to 1000, got '${text}'`);
      else line.restarts = n;
    } else if (key === 'migration_threshold') {
      const n = parseIntegerIn(text, 1, 1_000_000);
      if (n === undefined)
        b.err(at, `monitor_policy ${target}: migration_threshold takes a whole number from 1, got '${text}'`);
      else line.migrationThreshold = n;
    } else if (key === 'window') {
      const t = parseHeartbeatTime('window', text);
      if (t.kind === 'error') b.err(at, `monitor_policy ${target}: ${t.message}`);
      else line.windowMs = t.ms;
    } else {
      b.err(
        at,
        `monitor_policy ${target}: unknown option '${w}' (options: restarts=, window=, migration_threshold=), e.g. ${POLICY_EXAMPLE}`,
      );
    }
  }
  if (b.errorCount() === errorsBefore) b.policyLines.push(line);
};
