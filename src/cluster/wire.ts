// The cluster-level message fields we send and read: Heartbeat's own (status, starting, resource,
// shutdone, repnodes, ask_resources) plus our extension fields, which real Heartbeat ignores:
//   hbts_cfg     config fingerprint            hbts_phase   starting/negotiating/stable/...
//   hbts_held    groups starting/running/stopping here (exact per-group ownership, any N)
//   hbts_claim   groups this node asks for (takeover, failback of a returning home node)
//   hbts_decline groups this node refuses (standby)
//   hbts_failed  groups that failed to start here
//   hbts_handoff node=group pairs: groups released towards that node
//   hbts_inc     random id of this process incarnation
//   hbts_seen    node:incarnation of each peer heard and alive (a newcomer acts only once seen)
import type { GroupId, NodeName } from '../config/types.js';
import { getString, str } from '../protocol/message.js';
import type { Field, Message } from '../protocol/message.js';
import type { NodePhase, NodeStatusName } from './types.js';

export interface OwnershipAdvert {
  readonly cfg: string;
  readonly phase: NodePhase;
  readonly held: readonly GroupId[];
  readonly claims: readonly GroupId[];
  readonly declines: readonly GroupId[];
  readonly failed: readonly GroupId[];
  /** Groups this node released (or is releasing) towards a given node: `node=group` pairs. */
  readonly handoffs: ReadonlyMap<GroupId, NodeName>;
  /** Random id of this process incarnation (`hbts_inc`). */
  readonly incarnation: string;
  /** `node:incarnation` of every peer this node has heard and considers alive (`hbts_seen`). */
  readonly seen: readonly string[];
}

const phases: readonly NodePhase[] = ['starting', 'negotiating', 'stable', 'shutting-down', 'stopped'];

export function advertFields(a: OwnershipAdvert): Field[] {
  const fields: Field[] = [
    str('hbts_cfg', a.cfg),
    str('hbts_phase', a.phase),
    str('hbts_inc', a.incarnation),
  ];
  if (a.seen.length > 0) fields.push(str('hbts_seen', a.seen.join(' ')));
  const list = (name: string, ids: readonly GroupId[]): void => {
    if (ids.length > 0) fields.push(str(name, ids.join(' ')));
  };
  list('hbts_held', a.held);
  list('hbts_claim', a.claims);
  list('hbts_decline', a.declines);
  list('hbts_failed', a.failed);
  if (a.handoffs.size > 0) {
    fields.push(str('hbts_handoff', [...a.handoffs].map(([g, n]) => `${n}=${g}`).join(' ')));
  }
  return fields;
}

function groupList(msg: Message, name: string): GroupId[] {
  const v = getString(msg, name);
  if (v === undefined) return [];
  return v.split(/\s+/).filter((s) => s.length > 0) as GroupId[];
}

function handoffList(msg: Message): Map<GroupId, NodeName> {
  const out = new Map<GroupId, NodeName>();
  for (const pair of groupList(msg, 'hbts_handoff')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && eq < pair.length - 1) out.set(pair.slice(eq + 1) as GroupId, pair.slice(0, eq) as NodeName);
  }
  return out;
}

/** Our extension fields, or undefined when the sender does not speak them (a real Heartbeat). */
export function readAdvert(msg: Message): OwnershipAdvert | undefined {
  const cfg = getString(msg, 'hbts_cfg');
  if (cfg === undefined) return undefined;
  const phaseText = getString(msg, 'hbts_phase');
  const phase = phases.find((p) => p === phaseText) ?? 'starting';
  return {
    cfg,
    phase,
    held: groupList(msg, 'hbts_held'),
    claims: groupList(msg, 'hbts_claim'),
    declines: groupList(msg, 'hbts_decline'),
    failed: groupList(msg, 'hbts_failed'),
    handoffs: handoffList(msg),
    incarnation: getString(msg, 'hbts_inc') ?? '',
    seen: groupList(msg, 'hbts_seen'),
  };
}

export function statusFields(st: NodeStatusName, deadtimeMs: number, advert: OwnershipAdvert): Field[] {
  return [
    str('t', 'status'),
    str('st', st),
    str('dt', deadtimeMs.toString(16)),
    str('protocol', '1'),
    ...advertFields(advert),
  ];
}

export type HoldWord = 'none' | 'local' | 'foreign' | 'all';

export function resourceFields(
  hold: HoldWord,
  isStable: boolean,
  info: string | undefined,
  advert: OwnershipAdvert,
): Field[] {
  const fields = [
    str('t', 'resource'),
    str('rsc_hold', hold),
    str('rtype', 'full'),
    str('isstable', isStable ? '1' : '0'),
  ];
  if (info !== undefined) fields.push(str('info', info));
  return [...fields, ...advertFields(advert)];
}

/** Heartbeat's hex `dt` field; undefined when absent or not a positive number. */
export function parseDeadtimeMs(msg: Message): number | undefined {
  const dt = getString(msg, 'dt');
  if (dt === undefined || !/^[0-9a-fA-F]{1,8}$/.test(dt)) return undefined;
  const v = parseInt(dt, 16);
  return v > 0 ? v : undefined;
}

export function parseNodeStatus(msg: Message): NodeStatusName | undefined {
  const st = getString(msg, 'st');
  return st === 'init' || st === 'up' || st === 'active' || st === 'dead' ? st : undefined;
}

export function parseHoldWord(value: string | undefined): HoldWord | undefined {
  return value === 'none' || value === 'local' || value === 'foreign' || value === 'all' ? value : undefined;
}
