// The cluster-level messages: encoders for what we send, and the one decoder (wire-decode.ts) that
// turns an authenticated Message into a typed ClusterMessage. The fields we send and read: Heartbeat's own (status, starting, resource,
// shutdone, repnodes, ask_resources) plus our extension fields, which real Heartbeat ignores:
//   hbts_cfg     config fingerprint            hbts_phase   starting/negotiating/stable/...
//   hbts_held    groups starting/running/stopping here (exact per-group ownership, any N)
//   hbts_claim   groups this node asks for (takeover, failback of a returning home node)
//   hbts_decline groups this node refuses (standby)
//   hbts_failed  groups that failed to start here
//   hbts_handoff node=group pairs: groups released towards that node
//   hbts_inc     random id of this process incarnation
//   hbts_seen    node:incarnation of each peer heard and alive (a newcomer acts only once seen)
//   hbts_quorum  1/0: this node's partition has quorum (only with `quorum on`)
//   hbts_ping    the ping nodes this node reaches, `-` for none (only with ping nodes)
//   hbts_fails   count=group pairs: failed health checks here since the last cleanup
// and one message type of ours, `hbts_cleanup` (group=...): forget that group's check failures.
import type { GroupId, NodeName } from '../config/types.js';
import { str } from '../protocol/message.js';
import type { Field } from '../protocol/message.js';
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
  /** Nodes this node knows fenced since they died, with their generation then (`hbts_fenced`). */
  readonly fenced: ReadonlyMap<NodeName, number | undefined>;
  /** Failed health checks per group here since the last cleanup (`hbts_fails`); absent = none. */
  readonly failCounts?: ReadonlyMap<GroupId, number>;
  /** `hbts_quorum`: present only when quorum is on. */
  readonly quorum?: boolean | undefined;
  /** `hbts_ping`: the ping nodes that count for this node; present only when ping nodes are configured. */
  readonly pingNodes?: readonly string[] | undefined;
}

/** Heartbeat's rsc_hold word: which groups, relative to the node that sends it. */
export type HoldWord = 'none' | 'local' | 'foreign' | 'all';

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
  if (a.fenced.size > 0) {
    const pairs = [...a.fenced].map(([n, g]) => (g === undefined ? n : `${n}:${g.toString(16)}`));
    fields.push(str('hbts_fenced', pairs.join(' ')));
  }
  if (a.handoffs.size > 0) {
    fields.push(str('hbts_handoff', [...a.handoffs].map(([g, n]) => `${n}=${g}`).join(' ')));
  }
  if (a.failCounts !== undefined && a.failCounts.size > 0) {
    fields.push(str('hbts_fails', [...a.failCounts].map(([g, n]) => `${n}=${g}`).join(' ')));
  }
  if (a.quorum !== undefined) fields.push(str('hbts_quorum', a.quorum ? '1' : '0'));
  if (a.pingNodes !== undefined)
    fields.push(str('hbts_ping', a.pingNodes.length > 0 ? a.pingNodes.join(' ') : '-'));
  return fields;
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

export function startingFields(): Field[] {
  return [str('t', 'starting')];
}

export function repnodesFields(nodes: readonly NodeName[]): Field[] {
  return [str('t', 'repnodes'), str('nodelist', nodes.map((n) => `${n} `).join('')), str('delnodelist', ' ')];
}

/** Heartbeat's standby handshake (info = me / other / done). */
export function askResourcesFields(set: HoldWord, info: 'me' | 'other' | 'done'): Field[] {
  return [str('t', 'ask_resources'), str('rsc_hold', set), str('info', info)];
}

/** Legacy mode: ask a real Heartbeat for a group by its key (its first resource). */
export function ipRequestFields(group: GroupId): Field[] {
  return [str('t', 'ip-request'), str('ipaddr', group)];
}

export function ipRequestRespFields(group: GroupId): Field[] {
  return [str('t', 'ip-request-resp'), str('ipaddr', group), str('weown', 'yes'), str('ok', 'OK')];
}

/** `hbts cleanup <group>`: every hbts node that hears it forgets the group's check failures. */
export function cleanupFields(group: GroupId): Field[] {
  return [str('t', 'hbts_cleanup'), str('group', group)];
}

export function shutdoneFields(advert: OwnershipAdvert): Field[] {
  return [str('t', 'shutdone'), str('st', 'dead'), ...advertFields(advert)];
}
