// The control socket's wire format: one JSON object per line each way. Requests:
//   {"cmd":"status"} {"cmd":"standby","set":"all"} {"cmd":"takeover","set":"foreign"}
//   {"cmd":"shutdown"} {"cmd":"reload"} {"cmd":"fence-confirmed","node":"node2"}
//   {"cmd":"cleanup","group":"IPaddr2::198.18.0.10/24"}
//   {"cmd":"api","method":"GET","path":"/api/v1/groups"} (any HTTP API route, same answers)
//   {"cmd":"events","since":0,"limit":500,"waitMs":0} (the daemon's event history after seq `since`)
// Replies: {"ok":true,...} or {"ok":false,"error":"..."}. This is the seed of the JSON status API.
import type { ResourceSet } from '../cluster/types.js';

export type ControlRequest =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'standby'; readonly set: ResourceSet }
  | { readonly cmd: 'takeover'; readonly set: ResourceSet }
  | { readonly cmd: 'shutdown' }
  | { readonly cmd: 'reload' }
  /** `hbts fence --confirm-off NODE`: the operator says the node is off (Heartbeat's meatware). */
  | { readonly cmd: 'fence-confirmed'; readonly node: string }
  /** `hbts cleanup <group>`: forget the group's health-check failures (here and on hbts peers). */
  | { readonly cmd: 'cleanup'; readonly group: string }
  /** One HTTP API route over the socket (src/api/api-routes.ts): the reply carries its status and body. */
  | { readonly cmd: 'api'; readonly method: 'GET' | 'POST'; readonly path: string; readonly body?: unknown }
  /**
   * Recorded events with seq > since, oldest first, at most `limit` (`hbts events`, `hbts why`).
   * `waitMs`: when there is none yet, answer as soon as one is recorded, or after waitMs (a long
   * poll, for `hbts events --follow`).
   */
  | { readonly cmd: 'events'; readonly since: number; readonly limit: number; readonly waitMs: number };

/** Longest wait of one `events` long poll. */
export const MAX_EVENTS_WAIT_MS = 30_000;

/** Most events one `events` reply carries. */
export const MAX_EVENTS_PER_REPLY = 1000;

export const CONTROL_SOCKET_NAME = 'hbts.sock';
export const PID_FILE_NAME = 'hbts.pid';

const SETS: readonly string[] = ['all', 'local', 'foreign'];

export function parseControlRequest(line: string): ControlRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'not an object';
  const o = v as Record<string, unknown>;
  switch (o['cmd']) {
    case 'status':
    case 'shutdown':
    case 'reload':
      return { cmd: o['cmd'] };
    case 'standby':
    case 'takeover': {
      const set = o['set'] ?? 'all';
      if (typeof set !== 'string' || !SETS.includes(set)) return `set must be one of ${SETS.join(', ')}`;
      return { cmd: o['cmd'], set: set as ResourceSet };
    }
    case 'fence-confirmed': {
      const node = o['node'];
      if (typeof node !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(node))
        return 'fence-confirmed needs "node": a node name';
      return { cmd: 'fence-confirmed', node };
    }
    case 'cleanup': {
      const group = o['group'];
      if (typeof group !== 'string' || group.length === 0 || /\s/.test(group))
        return 'cleanup needs "group": a resource group (its first resource as in haresources)';
      return { cmd: 'cleanup', group };
    }
    case 'api': {
      const method = o['method'] ?? 'GET';
      const path = o['path'];
      if (method !== 'GET' && method !== 'POST') return 'api needs "method": GET or POST';
      if (typeof path !== 'string' || !path.startsWith('/')) return 'api needs "path": e.g. "/api/v1/groups"';
      return o['body'] === undefined
        ? { cmd: 'api', method, path }
        : { cmd: 'api', method, path, body: o['body'] };
    }
    case 'events': {
      const since = o['since'] ?? 0;
      const limit = o['limit'] ?? MAX_EVENTS_PER_REPLY;
      if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0)
        return 'events: "since" must be a whole number >= 0';
      if (
        typeof limit !== 'number' ||
        !Number.isSafeInteger(limit) ||
        limit < 1 ||
        limit > MAX_EVENTS_PER_REPLY
      )
        return `events: "limit" must be a whole number from 1 to ${MAX_EVENTS_PER_REPLY}`;
      const waitMs = o['waitMs'] ?? 0;
      if (
        typeof waitMs !== 'number' ||
        !Number.isSafeInteger(waitMs) ||
        waitMs < 0 ||
        waitMs > MAX_EVENTS_WAIT_MS
      )
        return `events: "waitMs" must be a whole number from 0 to ${MAX_EVENTS_WAIT_MS}`;
      return { cmd: 'events', since, limit, waitMs };
    }
    default:
      return `unknown cmd ${JSON.stringify(o['cmd'])} (status, standby, takeover, shutdown, reload, fence-confirmed, cleanup, api, events)`;
  }
}
