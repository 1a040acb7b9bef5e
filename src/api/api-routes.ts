// The API's route table, shared by the HTTP listener and the control socket's `api` command (so the
// unix socket offers exactly the same): each route reads the daemon's one status and its one event
// feed, or hands a command to the control socket's own handler, the path `hbts standby` takes.
import type { ControlRequest } from '../daemon/control-protocol.js';
import { parseControlRequest } from '../daemon/control-protocol.js';
import type { RecordedEvent } from '../daemon/event-history.js';
import type { ApiStatus } from './api-views.js';
import { clusterView, groupsView, linksView, nodesView } from './api-views.js';
import type { GroupTransitions } from './group-transitions.js';

/**
 * The daemon's event feed as the API shows it (api-host.ts): the records and numbers `hbts events`
 * shows, without the debug ones.
 */
export interface ApiEvents {
  /** The newest `limit` events with a seq above `after`, oldest first. */
  recent(limit: number, after?: number): readonly RecordedEvent[];
  /** Hear each event as it is recorded; returns the way to stop. */
  subscribe(listener: (e: RecordedEvent) => void): () => void;
}

export interface ApiContext {
  status(): ApiStatus;
  readonly events: ApiEvents;
  readonly transitions: GroupTransitions;
  /** The control socket's handler. */
  control(req: ControlRequest): Promise<Record<string, unknown>>;
}

export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

export type ApiMethod = 'GET' | 'POST';

export interface Route {
  readonly method: ApiMethod;
  readonly path: string;
  readonly summary: string;
  /** OpenAPI query parameters / request body, described once here for the document. */
  readonly query?: readonly { name: string; description: string; min: number; max: number }[];
  readonly body?: Record<string, unknown>;
  run(ctx: ApiContext, query: URLSearchParams, body: unknown): Promise<ApiReply> | ApiReply;
}

export const API_PREFIX = '/api/v1';
/** The most events one request gets (the feed keeps more: `after` pages through them). */
export const MAX_EVENTS_PER_REQUEST = 500;

const ok = (body: unknown): ApiReply => ({ status: 200, body });
const bad = (status: number, error: string): ApiReply => ({ status, body: { error } });

const SET_BODY = {
  type: 'object',
  properties: { set: { type: 'string', enum: ['all', 'local', 'foreign'], default: 'all' } },
  additionalProperties: false,
};

/** A command through the control socket's parser and handler; its `{ok:false}` becomes a 4xx/5xx. */
async function command(ctx: ApiContext, cmd: string, body: unknown): Promise<ApiReply> {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    return bad(400, 'the body must be a JSON object');
  const req = parseControlRequest(JSON.stringify({ ...(body as object | undefined), cmd }));
  if (typeof req === 'string') return bad(400, req);
  const r = await ctx.control(req);
  return r['ok'] === true ? ok(r) : bad(409, String(r['error']));
}

function intParam(q: URLSearchParams, name: string, min: number, max: number, dflt: number): number | string {
  const v = q.get(name);
  if (v === null) return dflt;
  const n = Number(v);
  if (v === '' || !Number.isInteger(n) || n < min || n > max)
    return `${name} must be a whole number from ${min} to ${max}`;
  return n;
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/status',
    summary: 'Everything `hbts status --json` prints (the daemon status, unabridged)',
    run: (ctx) => ok(ctx.status()),
  },
  {
    method: 'GET',
    path: '/cluster',
    summary: 'This node, its phase and resource hold, fencing, counters',
    run: (ctx) => ok(clusterView(ctx.status())),
  },
  {
    method: 'GET',
    path: '/nodes',
    summary: 'Every node: status, last heartbeat age, links, what it holds',
    run: (ctx) => ok(nodesView(ctx.status())),
  },
  {
    method: 'GET',
    path: '/links',
    summary: "Per medium of this node: send errors and each peer's link over it",
    run: (ctx) => ok(linksView(ctx.status())),
  },
  {
    method: 'GET',
    path: '/groups',
    summary: 'Every resource group: owner, state, since, last transition and its reason',
    run: (ctx) => {
      const s = ctx.status();
      ctx.transitions.observeGroups(s.cluster.groups);
      return ok(groupsView(s, ctx.transitions));
    },
  },
  {
    method: 'GET',
    path: '/events',
    summary: 'Recent cluster events, oldest first, numbered (`seq`) as in `hbts events`',
    query: [
      { name: 'limit', description: 'at most this many (the newest)', min: 1, max: MAX_EVENTS_PER_REQUEST },
      { name: 'after', description: 'only events with a larger seq', min: 0, max: Number.MAX_SAFE_INTEGER },
    ],
    run: (ctx, q) => {
      const limit = intParam(q, 'limit', 1, MAX_EVENTS_PER_REQUEST, 100);
      const after = intParam(q, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
      if (typeof limit === 'string') return bad(400, limit);
      if (typeof after === 'string') return bad(400, after);
      return ok(ctx.events.recent(limit, after));
    },
  },
  {
    method: 'POST',
    path: '/standby',
    summary: 'Give a set of groups away (hb_standby)',
    body: SET_BODY,
    run: (ctx, _q, body) => command(ctx, 'standby', body),
  },
  {
    method: 'POST',
    path: '/takeover',
    summary: 'Take a set of groups (hb_takeover); clears a failed start of them here',
    body: SET_BODY,
    run: (ctx, _q, body) => command(ctx, 'takeover', body),
  },
  {
    method: 'POST',
    path: '/cleanup',
    summary: "Forget a group's health-check failures (fail counts, bans) on every node (hbts cleanup)",
    body: { type: 'object', properties: { group: { type: 'string' } } },
    run: (ctx, _q, body) => command(ctx, 'cleanup', body),
  },
];

/** Find and run the route for `method path?query`; 404/405 otherwise. */
export async function apiRequest(
  ctx: ApiContext,
  method: string,
  target: string,
  body: unknown,
): Promise<ApiReply> {
  let url: URL;
  try {
    url = new URL(target, 'http://api.invalid');
  } catch {
    return bad(400, 'not a request path');
  }
  if (!url.pathname.startsWith(`${API_PREFIX}/`)) return bad(404, `no such path: ${url.pathname}`);
  const path = url.pathname.slice(API_PREFIX.length);
  const matching = ROUTES.filter((r) => r.path === path);
  if (matching.length === 0) return bad(404, `no such path: ${url.pathname}`);
  const route = matching.find((r) => r.method === method);
  if (route === undefined)
    return bad(405, `${url.pathname} takes ${matching.map((r) => r.method).join(', ')}`);
  return await route.run(ctx, url.searchParams, body);
}
