// The lines a golden script prints: events, resource actions and their results, cluster messages
// on the wire (optional), a compact status of one node and where each group really runs.
// Only public facts: ClusterEvent, Action, ClusterStatus, decoded packets, the simulator's truth.
import type { Action, ClusterEvent, ClusterStatus, MonoMs } from '../cluster/types.js';
import type { GroupId } from '../config/types.js';
import { decodePacket } from '../protocol/codec.js';
import { getString } from '../protocol/message.js';
import type { SimNode } from './sim-node.js';

/** `1002ms`, `1002.5ms`: fake-clock milliseconds, rounded to a microsecond. */
export function fmtTime(ms: MonoMs): string {
  return `${Math.round(ms * 1000) / 1000}ms`;
}

/** `<time> <node> <kind>[(level)] [node=.. medium=.. group=..]: <text>` */
export function eventLine(at: MonoMs, node: string, e: ClusterEvent): string {
  const level = e.level === 'info' ? '' : `(${e.level})`;
  const facts = [
    e.node !== undefined ? ` node=${e.node}` : '',
    e.medium !== undefined ? ` medium=${e.medium}` : '',
    e.group !== undefined ? ` group=${e.group}` : '',
  ].join('');
  return `${fmtTime(at)} ${node} ${e.kind}${level}${facts}: ${e.text}`;
}

/** `> acquire web: placement` (the shell is asked to act). */
export function actionLine(at: MonoMs, node: string, a: Action): string {
  const what =
    a.kind === 'gate'
      ? `gate ${a.group} from ${a.fromNode}`
      : a.kind === 'fence'
        ? `fence ${a.node}: ${a.reason}`
        : a.kind === 'probe'
          ? `probe ${a.group}`
          : a.kind === 'monitor'
            ? `monitor ${a.group} ${a.resource}`
            : `${a.kind} ${a.group}: ${a.reason}`;
  return `${fmtTime(at)} ${node} > ${what}`;
}

/** `< acquire web: ok` / `< acquire web: FAILED (simulated start failure)` (the result goes back). */
export function resultLine(at: MonoMs, node: string, a: Action, ok: boolean, detail?: string): string {
  const verdict = ok ? 'ok' : `FAILED${detail !== undefined ? ` (${detail})` : ''}`;
  return `${fmtTime(at)} ${node} < ${a.kind} ${a.kind === 'fence' ? a.node : a.group}: ${verdict}`;
}

// Fields every message carries (endpoint stamping): not printed.
const stamped = new Set(['t', 'src', 'srcuuid', 'dest', 'destuuid', 'seq', 'hg', 'ts', 'ld', 'ttl', 'auth']);

/**
 * `send resource rsc_hold=all rtype=full isstable=1 +hbts` for a cluster message; undefined for
 * what is not worth a line: NS_* control traffic, and status heartbeats whose `st` did not change
 * (`lastSt` keeps each node's last printed st). `+hbts` marks our extension fields (not printed).
 */
export function wireLine(
  at: MonoMs,
  node: string,
  bytes: Uint8Array,
  lastSt: Map<string, string>,
): string | undefined {
  const d = decodePacket(bytes);
  if (!d.ok) return `${fmtTime(at)} ${node} send <undecodable: ${d.detail}>`;
  const msg = d.message;
  const type = getString(msg, 't') ?? '?';
  if (type.startsWith('NS_')) return undefined;
  if (type === 'status') {
    const st = getString(msg, 'st') ?? '';
    if (lastSt.get(node) === st) return undefined;
    lastSt.set(node, st);
  }
  const dest = getString(msg, 'dest');
  const fields = msg.fields
    .filter((f) => f.type === 'string' && !stamped.has(f.name) && !f.name.startsWith('hbts_'))
    .map((f) => `${f.name}=${String(f.value)}`);
  const hbts = msg.fields.some((f) => f.name.startsWith('hbts_')) ? ' +hbts' : '';
  const to = dest !== undefined ? ` (to ${dest})` : '';
  return `${fmtTime(at)} ${node} send ${type}${to}${fields.map((f) => ` ${f}`).join('')}${hbts}`;
}

const list = (xs: readonly string[]): string => (xs.length > 0 ? xs.join(',') : '-');

/** A compact `status <node>`: phase and rscstatus, each peer as this node sees it, each group. */
export function statusLines(s: ClusterStatus, emulation: boolean): string[] {
  const impl = emulation ? ' (Heartbeat 3.0.6 emulation)' : '';
  const out = [`${s.self}: phase=${s.phase} hold=${s.resourceHold} mode=${s.mode}${impl}`];
  if (s.configMismatch) out.push('  config mismatch with a live peer');
  for (const n of s.nodes) {
    if (n.self) continue;
    const links = n.links.map((l) => l.status).join(',');
    const phase = n.phase !== undefined ? ` phase=${n.phase}` : '';
    const holds = n.status === 'dead' ? '' : ` holds=${list(n.holds)}`;
    out.push(`  peer ${n.name}: ${n.status} impl=${n.implementation}${phase} links=${links}${holds}`);
  }
  for (const g of s.groups) {
    const target = g.target !== undefined ? ` target=${g.target}` : '';
    const failures = g.failures > 0 ? ` failures=${g.failures}` : '';
    const failedOn = g.failedOn.length > 0 ? ` failed-on=${list(g.failedOn)}` : '';
    const detail = g.detail !== undefined ? ` (${g.detail})` : '';
    out.push(
      `  group ${g.id}: home=${g.homeNode} owners=${list(g.owners)}${target} here=${g.localState}${failures}${failedOn}${detail}`,
    );
  }
  return out;
}

/** Where each group really is (the simulated machines' truth, not anyone's belief). */
export function resourceLines(groups: readonly GroupId[], nodes: readonly SimNode[]): string[] {
  return groups.map((g) => {
    const where = nodes
      .map((n) => [n.name, n.resources.get(g) ?? 'stopped'] as const)
      .filter(([, st]) => st !== 'stopped')
      .map(([name, st]) => `${name} ${st}`);
    const warn = nodes.filter((n) => (n.resources.get(g) ?? 'stopped') !== 'stopped').length > 1 ? ' !!' : '';
    return `${g}: ${where.length > 0 ? where.join(', ') : 'nowhere'}${warn}`;
  });
}
