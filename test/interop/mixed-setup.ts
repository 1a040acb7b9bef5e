// Shared set-up for the mixed-cluster tests: node1 runs REAL Heartbeat 3.0.6, node2 runs
// `hbts daemon`, both with the same ha.cf, authkeys, haresources and resource script. Two groups,
// one homed on each node, so both directions are exercised in one cluster: real primary with us
// as standby (group vip1 on node1) and us primary with real Heartbeat as standby (vip2 on node2).
// Addresses: 198.18.32.0/24 (interop range 198.18.32.0/20); namespaces hbtsiop<pid>...
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeClient } from '../lab/lab.js';
import { Lab, labSkipReason, waitUntil } from '../lab/lab.js';
import type { LabNode } from '../lab/lab.js';
import { RealHeartbeat, realHeartbeatSkipReason } from '../lab/real-heartbeat.js';

export const VIP1 = '198.18.32.201';
export const VIP2 = '198.18.32.202';

/**
 * The only resource script: a VIP on eth0 with gratuitous ARP. It ALWAYS exits 0 on stop: real
 * Heartbeat reboots the host (after `pkill -9 heartbeat`) when a stop fails.
 */
export const vipScript = `#!/bin/sh
# hbtsvip ADDR/BITS {start|stop|status} - lab VIP on eth0; stop never fails
addr="$1"; ip="\${addr%%/*}"
case "$2" in
  start)
    ip -4 addr show dev eth0 | grep -q " $ip/" || ip addr add "$addr" dev eth0 || exit 1
    (arping -q -U -c 3 -I eth0 "$ip" >/dev/null 2>&1 &)
    exit 0 ;;
  stop) ip addr del "$addr" dev eth0 >/dev/null 2>&1; exit 0 ;;
  status) if ip -4 addr show dev eth0 | grep -q " $ip/"; then echo running; else echo stopped; fi; exit 0 ;;
esac
exit 0
`;

export function mixedSkipReason(): string | undefined {
  const lab = labSkipReason();
  if (lab !== undefined) return lab;
  const real = realHeartbeatSkipReason();
  if (real !== undefined) return real;
  if (spawnSync('sh', ['-c', 'command -v arping && command -v nft']).status !== 0)
    return 'interop tests need arping (iputils-arping) and nft (nftables)';
  return undefined;
}

export interface MixedOptions {
  readonly auth?: string;
  /** Media lines (default `bcast eth0`). */
  readonly media?: readonly string[];
  /** Media lines per node instead of `media` (e.g. each node's end of a serial line). */
  readonly mediaOf?: (node: 'node1' | 'node2') => readonly string[];
  /** Lines added to the real node's ha.cf only. */
  readonly realExtra?: readonly string[];
  /** Lines added to our node's ha.cf only (e.g. `msgfmt netstring`). */
  readonly oursExtra?: readonly string[];
  readonly autoFailback?: 'on' | 'off' | 'legacy';
  readonly tag?: string;
}

export interface Mixed {
  readonly lab: Lab;
  readonly real: RealHeartbeat;
  readonly realNode: LabNode;
  readonly ours: LabNode;
}

export function haCfText(o: MixedOptions): string {
  return [
    '# mixed cluster: node1 real Heartbeat 3.0.6, node2 hbts',
    'keepalive 500ms',
    'warntime 1',
    'deadtime 3',
    'initdead 6',
    'udpport 694',
    ...(o.media ?? ['bcast eth0']),
    `auto_failback ${o.autoFailback ?? 'on'}`,
    'node node1',
    'node node2',
    '',
  ].join('\n');
}

export function createMixed(o: MixedOptions = {}): Mixed {
  const lab = Lab.create({ nodes: 2, net: 32, tag: o.tag ?? 'iop' });
  for (const n of lab.nodes) {
    const name = n.name === 'node1' ? 'node1' : 'node2';
    lab.writeNodeConfig(n, {
      haCf: haCfText(o.mediaOf ? { ...o, media: o.mediaOf(name) } : o),
      haresources: `node1 hbtsvip::${VIP1}/24\nnode2 hbtsvip::${VIP2}/24\n`,
      authkeys: o.auth ?? 'auth 1\n1 sha1 hbts-interop-secret\n',
      scripts: { 'resource.d/hbtsvip': vipScript },
    });
  }
  const realNode = lab.node('node1');
  const ours = lab.node('node2');
  if (o.oursExtra) appendFileSync(join(ours.configDir, 'ha.cf'), `${o.oursExtra.join('\n')}\n`);
  const real = new RealHeartbeat(lab, realNode);
  real.prepare(o.realExtra ?? []);
  return { lab, real, realNode, ours };
}

interface StatusJson {
  nodes: { name: string; status: string; self: boolean }[];
  groups: { id: string; owners: string[] }[];
  resourceHold: string;
}

/** `hbts status --json` of our node, or undefined when the daemon does not answer. */
export function oursStatus(m: Mixed): StatusJson | undefined {
  const out = m.lab.hbts(m.ours, ['status', '--json'], true);
  try {
    return (JSON.parse(out) as { cluster: StatusJson }).cluster;
  } catch {
    return undefined;
  }
}

/** Retransmit requests our daemon has sent so far (endpoint counters of `hbts status --json`). */
export function oursRexmitRequests(m: Mixed): number {
  const out = m.lab.hbts(m.ours, ['status', '--json'], true);
  try {
    return (JSON.parse(out) as { endpoint: { rexmitRequestsSent: number } }).endpoint.rexmitRequestsSent;
  } catch {
    return 0;
  }
}

/** What our daemon says about node `name` (init/up/active/dead), or undefined. */
export function oursViewOf(m: Mixed, name: string): string | undefined {
  return oursStatus(m)?.nodes.find((n) => n.name === name)?.status;
}

/** Loss on incoming heartbeat datagrams in a node namespace (nftables numgen random). */
export function setLoss(m: Mixed, n: LabNode, percent: number | undefined): void {
  const nft = (args: string[], allowFail = false): string => m.lab.exec(n.ns, 'nft', args, allowFail);
  nft(['delete', 'table', 'inet', 'hbtsiop'], true);
  if (percent === undefined) return;
  nft(['add', 'table', 'inet', 'hbtsiop']);
  nft(['add', 'chain', 'inet', 'hbtsiop', 'input', '{ type filter hook input priority 0; }']);
  nft([
    'add',
    'rule',
    'inet',
    'hbtsiop',
    'input',
    'udp',
    'dport',
    '694',
    'numgen',
    'random',
    'mod',
    '100',
    '<',
    String(percent),
    'drop',
  ]);
}

export async function cleanupMixed(
  m: Mixed | undefined,
  clients: (ProbeClient | undefined)[] = [],
): Promise<void> {
  if (!m) return;
  if (process.env['HBTS_LAB_DEBUG']) {
    process.stdout.write(`--- real node1 log\n${m.real.log()}\n--- hbts node2 log\n${m.lab.log(m.ours)}\n`);
  }
  for (const c of clients) c?.child.kill();
  m.real.cleanup();
  await m.lab.cleanup();
}

/** Poll a condition that runs commands (cl_status, hbts status): every 250 ms, not every 20. */
export function poll(what: string, cond: () => boolean, timeoutMs: number, stepMs = 250): Promise<void> {
  return waitUntil(what, cond, timeoutMs, stepMs);
}

/** Start the HTTP servers, the real node, our daemon, and one client per VIP. */
export async function startMixed(m: Mixed): Promise<[ProbeClient, ProbeClient]> {
  for (const n of m.lab.nodes) m.lab.startHttp(n);
  await m.real.start();
  m.lab.startDaemon(m.ours);
  return [m.lab.startClient(VIP1), m.lab.startClient(VIP2)];
}
