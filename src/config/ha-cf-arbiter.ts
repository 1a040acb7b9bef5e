// The lease arbiter, our extension (in ha.cf or hbts.cf):
//   arbiter etcd <endpoint>[,<endpoint>...] [prefix=/hbts/<cluster>] [ttl=<time>] [cacert=... cert=... key=...]
// A group is held only while its holder owns a key for it under an etcd lease (daemon side:
// src/arbiter/etcd-arbiter.ts; core side: src/cluster/arbiter.ts). The handler checks the line;
// finishArbiter fills in what depends on the whole file (the default prefix names the cluster).
import type { ArbiterConfig } from './arbitration-config.js';
import type { SourceLocation } from './source-location.js';
import type { DirectiveHandler, HaCfBuilder } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import { parseHeartbeatTime } from './heartbeat-time.js';

export const DEFAULT_ARBITER_TTL_MS = 10_000;
/** etcd grants leases in whole seconds and refuses (raises) anything under its minimum TTL. */
const MIN_ARBITER_TTL_MS = 2_000;

const EXAMPLE = '`arbiter etcd 198.18.0.10:2379,198.18.0.11:2379 ttl=10`';

/** `host:port`, `http://host:port` or `https://host:port`; the port is required (etcd: 2379). */
export function endpointProblem(e: string): string | undefined {
  const m = /^(?:(https?):\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(e);
  if (m === null)
    return `'${e}' is not an etcd endpoint: write host:port or http(s)://host:port (etcd's client port is usually 2379)`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `endpoint '${e}': port ${port} is not 1-65535`;
  return undefined;
}

const OPTIONS = ['prefix', 'ttl', 'cacert', 'cert', 'key'] as const;
type OptionName = (typeof OPTIONS)[number];

export const arbiter: DirectiveHandler = (b, value, { at }) => {
  const [kind, endpointList, ...rest] = splitWords(value);
  if (kind === undefined || endpointList === undefined) {
    b.err(at, `arbiter needs a kind and its endpoints, e.g. ${EXAMPLE}`);
    return;
  }
  if (kind !== 'etcd') {
    b.err(at, `arbiter '${kind}' is not known: the only arbiter is etcd, e.g. ${EXAMPLE}`);
    return;
  }
  if (b.arbiter !== undefined) {
    b.err(at, `arbiter is already given on line ${b.arbiter.at.line}: write one arbiter line`);
    return;
  }
  const endpoints = endpointList.split(',').filter((e) => e.length > 0);
  for (const e of endpoints) {
    const problem = endpointProblem(e);
    if (problem !== undefined) {
      b.err(at, `arbiter etcd: ${problem}`);
      return;
    }
  }
  const options = new Map<OptionName, string>();
  for (const word of rest) {
    const eq = word.indexOf('=');
    const key = eq > 0 ? word.slice(0, eq) : word;
    const v = eq > 0 ? word.slice(eq + 1) : '';
    if (!(OPTIONS as readonly string[]).includes(key)) {
      b.err(
        at,
        `arbiter etcd: unknown option '${word}' (options: ${OPTIONS.map((o) => `${o}=`).join(', ')})`,
      );
      return;
    }
    if (v === '') {
      b.err(at, `arbiter etcd: option '${key}' has no value: write ${key}=VALUE`);
      return;
    }
    if (options.has(key as OptionName)) {
      b.err(at, `arbiter etcd: option '${key}' is given twice`);
      return;
    }
    options.set(key as OptionName, v);
  }
  const ttlMs = arbiterTtl(b, options.get('ttl'), at);
  if (ttlMs === undefined) return;
  const prefix = options.get('prefix');
  if (prefix !== undefined && (!prefix.startsWith('/') || prefix.endsWith('/') || /\s/.test(prefix))) {
    b.err(
      at,
      `arbiter etcd: prefix must start with / and not end with one, e.g. prefix=/hbts/web, got '${prefix}'`,
    );
    return;
  }
  const tls = arbiterTls(b, options, at);
  if (tls === false) return;
  b.arbiter = { endpoints, prefix, ttlMs, tls, at };
};

function arbiterTtl(b: HaCfBuilder, text: string | undefined, at: SourceLocation): number | undefined {
  if (text === undefined) return DEFAULT_ARBITER_TTL_MS;
  const t = parseHeartbeatTime('ttl=', text);
  if (t.kind === 'error') {
    b.err(at, `arbiter etcd: ${t.message}`);
    return undefined;
  }
  if (t.ms < MIN_ARBITER_TTL_MS || t.ms % 1000 !== 0) {
    b.err(
      at,
      `arbiter etcd: ttl=${text} is ${t.ms} ms; etcd leases last whole seconds, at least 2: write e.g. ttl=2 or ttl=10`,
    );
    return undefined;
  }
  return t.ms;
}

/** TLS files: absolute paths; cert and key together. false: an error was reported. */
function arbiterTls(
  b: HaCfBuilder,
  options: ReadonlyMap<OptionName, string>,
  at: SourceLocation,
): ArbiterConfig['tls'] | false {
  const cacert = options.get('cacert');
  const cert = options.get('cert');
  const key = options.get('key');
  for (const [name, path] of [
    ['cacert', cacert],
    ['cert', cert],
    ['key', key],
  ] as const) {
    if (path !== undefined && !path.startsWith('/')) {
      b.err(at, `arbiter etcd: ${name}= must be an absolute path, got '${path}'`);
      return false;
    }
  }
  if ((cert === undefined) !== (key === undefined)) {
    b.err(at, 'arbiter etcd: a client certificate needs both cert= and key=');
    return false;
  }
  if (cacert === undefined && cert === undefined) return undefined;
  if (cacert === undefined) {
    b.err(at, 'arbiter etcd: cert= and key= need cacert= too (the CA that signed the etcd servers)');
    return false;
  }
  return cert !== undefined && key !== undefined ? { cacert, cert, key } : { cacert };
}

/** The arbiter with its defaults; warns where the timing cannot work with the cluster's. */
export function finishArbiter(b: HaCfBuilder, keepaliveMs: number): ArbiterConfig | undefined {
  const a = b.arbiter;
  if (a === undefined) return undefined;
  // Nothing in the files says which nodes run real Heartbeat, so this is said every time.
  b.warn(
    a.at,
    'arbiter etcd: every node must run heartbeat-ts; a real Heartbeat node never asks etcd for a key, so "never two holders" cannot hold in a cluster with one (the daemon reports such a peer at crit)',
  );
  if (a.ttlMs / 2 < 2 * keepaliveMs)
    b.warn(
      a.at,
      `arbiter etcd: ttl=${a.ttlMs / 1000} releases groups ${a.ttlMs / 2} ms after the last keepalive answer, less than two keepalives (${keepaliveMs} ms): a short hiccup of etcd will move groups`,
    );
  return {
    kind: 'etcd',
    endpoints: a.endpoints,
    prefix: a.prefix ?? `/hbts/${b.plain.clusterName}`,
    ttlMs: a.ttlMs,
    tls: a.tls,
    at: a.at,
  };
}
