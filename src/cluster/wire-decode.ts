// Decodes an authenticated Message once into a typed ClusterMessage with parsed, validated fields.
// Nothing else in the core reads field names. A field that is present but does not parse makes
// the whole message malformed: it is dropped and counted, never half-applied. Absent optional
// fields keep Heartbeat's defaults (rsc_hold of a request = all).
import type { GroupId, NodeName } from '../config/types.js';
import { getString } from '../protocol/message.js';
import type { Message } from '../protocol/message.js';
import type { NodePhase, NodeStatusName } from './types.js';
import type { HoldWord, OwnershipAdvert } from './wire.js';

export type ClusterMessage =
  | {
      readonly kind: 'status';
      readonly st: NodeStatusName | undefined;
      /** The sender's deadtime (`dt`, hex ms), which we apply to it. */
      readonly deadtimeMs: number | undefined;
      readonly advert: OwnershipAdvert | undefined;
    }
  | { readonly kind: 'starting' }
  | {
      readonly kind: 'resource';
      readonly advert: OwnershipAdvert | undefined;
      readonly hold: HoldWord | undefined;
      readonly isStable: boolean;
      readonly info: string | undefined;
    }
  | { readonly kind: 'shutdone'; readonly advert: OwnershipAdvert | undefined }
  | { readonly kind: 'reqnodes' }
  | { readonly kind: 'hb_takeover'; readonly hold: HoldWord }
  | { readonly kind: 'ask_resources'; readonly info: string | undefined; readonly hold: HoldWord }
  | { readonly kind: 'ip-request'; readonly group: GroupId }
  | { readonly kind: 'ip-request-resp'; readonly group: GroupId; readonly ok: boolean }
  /** Ours: forget the group's health-check failures (`hbts cleanup` on the sender). */
  | { readonly kind: 'hbts_cleanup'; readonly group: GroupId }
  /** A type the core does not act on (ACKs, API messages, ...): it still proves the link alive. */
  | { readonly kind: 'other'; readonly type: string };

export type DecodedClusterMessage =
  { readonly ok: true; readonly message: ClusterMessage } | { readonly ok: false; readonly reason: string };

class Malformed extends Error {}

const phases: readonly NodePhase[] = ['starting', 'negotiating', 'stable', 'shutting-down', 'stopped'];
const statuses: readonly NodeStatusName[] = ['init', 'up', 'active', 'dead'];
const holdWords: readonly HoldWord[] = ['none', 'local', 'foreign', 'all'];

function oneOf<T extends string>(msg: Message, name: string, words: readonly T[]): T | undefined {
  const v = getString(msg, name);
  if (v === undefined) return undefined;
  const word = words.find((w) => w === v);
  if (word === undefined) throw new Malformed(`${name}=${v.slice(0, 40)} is not one of ${words.join('/')}`);
  return word;
}

function required(msg: Message, name: string): string {
  const v = getString(msg, name);
  if (v === undefined || v.length === 0) throw new Malformed(`no ${name} field`);
  return v;
}

function words(msg: Message, name: string): string[] {
  const v = getString(msg, name);
  return v === undefined ? [] : v.split(/\s+/).filter((s) => s.length > 0);
}

function fenced(msg: Message): Map<NodeName, number | undefined> {
  const out = new Map<NodeName, number | undefined>();
  for (const entry of words(msg, 'hbts_fenced')) {
    const m = /^([^:]+)(?::([0-9a-fA-F]{1,12}))?$/.exec(entry);
    if (m === null || m[1] === undefined)
      throw new Malformed(`hbts_fenced entry ${entry.slice(0, 40)} is not node[:gen]`);
    out.set(m[1] as NodeName, m[2] !== undefined ? parseInt(m[2], 16) : undefined);
  }
  return out;
}

function deadtime(msg: Message): number | undefined {
  const dt = getString(msg, 'dt');
  if (dt === undefined) return undefined;
  const v = /^[0-9a-fA-F]{1,8}$/.test(dt) ? parseInt(dt, 16) : 0;
  if (v <= 0) throw new Malformed(`dt=${dt.slice(0, 40)} is not a positive hex number of ms`);
  return v;
}

function handoffs(msg: Message): Map<GroupId, NodeName> {
  const out = new Map<GroupId, NodeName>();
  for (const pair of words(msg, 'hbts_handoff')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq >= pair.length - 1)
      throw new Malformed(`hbts_handoff entry ${pair.slice(0, 40)} is not node=group`);
    out.set(pair.slice(eq + 1) as GroupId, pair.slice(0, eq) as NodeName);
  }
  return out;
}

function failCounts(msg: Message): Map<GroupId, number> | undefined {
  const pairs = words(msg, 'hbts_fails');
  if (pairs.length === 0) return undefined;
  const out = new Map<GroupId, number>();
  for (const pair of pairs) {
    const m = /^(\d{1,9})=(.+)$/.exec(pair);
    if (m === null || m[1] === undefined || m[2] === undefined)
      throw new Malformed(`hbts_fails entry ${pair.slice(0, 40)} is not count=group`);
    out.set(m[2] as GroupId, Number(m[1]));
  }
  return out;
}

function quorumFlag(msg: Message): boolean | undefined {
  const v = getString(msg, 'hbts_quorum');
  if (v === undefined) return undefined;
  if (v !== '0' && v !== '1') throw new Malformed(`hbts_quorum=${v.slice(0, 40)} is not 0 or 1`);
  return v === '1';
}

function pingNodes(msg: Message): string[] | undefined {
  if (getString(msg, 'hbts_ping') === undefined) return undefined;
  return words(msg, 'hbts_ping').filter((w) => w !== '-');
}

/** Our extension fields, or undefined when the sender does not speak them (a real Heartbeat). */
function advert(msg: Message): OwnershipAdvert | undefined {
  const cfg = getString(msg, 'hbts_cfg');
  if (cfg === undefined) return undefined;
  return {
    cfg,
    phase: oneOf(msg, 'hbts_phase', phases) ?? 'starting',
    held: words(msg, 'hbts_held') as GroupId[],
    claims: words(msg, 'hbts_claim') as GroupId[],
    declines: words(msg, 'hbts_decline') as GroupId[],
    failed: words(msg, 'hbts_failed') as GroupId[],
    handoffs: handoffs(msg),
    incarnation: getString(msg, 'hbts_inc') ?? '',
    seen: words(msg, 'hbts_seen'),
    fenced: fenced(msg),
    ...optional('failCounts', failCounts(msg)),
    quorum: quorumFlag(msg),
    pingNodes: pingNodes(msg),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function decode(msg: Message, type: string): ClusterMessage {
  switch (type) {
    case 'status':
      return {
        kind: 'status',
        st: oneOf(msg, 'st', statuses),
        deadtimeMs: deadtime(msg),
        advert: advert(msg),
      };
    case 'starting':
      return { kind: 'starting' };
    case 'resource':
      return {
        kind: 'resource',
        advert: advert(msg),
        hold: oneOf(msg, 'rsc_hold', holdWords),
        isStable: getString(msg, 'isstable') === '1',
        info: getString(msg, 'info'),
      };
    case 'shutdone':
      return { kind: 'shutdone', advert: advert(msg) };
    case 'reqnodes':
      return { kind: 'reqnodes' };
    case 'hb_takeover':
      return { kind: 'hb_takeover', hold: oneOf(msg, 'rsc_hold', holdWords) ?? 'all' };
    case 'ask_resources':
      return {
        kind: 'ask_resources',
        info: getString(msg, 'info'),
        hold: oneOf(msg, 'rsc_hold', holdWords) ?? 'all',
      };
    case 'ip-request':
      return { kind: 'ip-request', group: required(msg, 'ipaddr') as GroupId };
    case 'ip-request-resp':
      return {
        kind: 'ip-request-resp',
        group: required(msg, 'ipaddr') as GroupId,
        ok: getString(msg, 'ok') === 'OK',
      };
    case 'hbts_cleanup':
      return { kind: 'hbts_cleanup', group: required(msg, 'group') as GroupId };
    default:
      return { kind: 'other', type };
  }
}

export function decodeClusterMessage(msg: Message, type: string): DecodedClusterMessage {
  try {
    return { ok: true, message: decode(msg, type) };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, reason: `${type}: ${err.message}` };
    throw err;
  }
}
