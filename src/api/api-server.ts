// The HTTP(S) listeners: `api_listen` (JSON API, OpenAPI document, live stream, dashboard and, unless
// metrics_listen is set, /metrics; everything behind the bearer token) and `metrics_listen`
// (/metrics alone, no token). Loaded by the daemon only when one is configured.
//
// Node's own http/https with the route table in api-routes.ts: a dozen fixed paths, JSON bodies of
// a few bytes, one token. A framework would bring routing we do not need and memory we count (the
// node's target is 50 MB); URL parses the paths and queries, JSON.parse the bodies, the control
// protocol's parser validates commands.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ApiSettings, ListenAddress } from '../config/api-config.js';
import type { ApiContext } from './api-routes.js';
import { API_PREFIX, apiRequest } from './api-routes.js';
import { TokenCheck, readTokenFile } from './api-token.js';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard.js';
import { ApiStartError } from './errors.js';
import { clusterView, groupsView, linksView, nodesView } from './api-views.js';
import type { RecordedEvent } from './event-history.js';
import { openApiDocument } from './openapi.js';
import { LineBudget } from '../daemon/log-limits.js';
import { performance } from 'node:perf_hooks';

export type ApiLog = (
  level: 'info' | 'warn' | 'error',
  what: string,
  fields?: Record<string, string | number>,
) => void;

export interface MetricsSource {
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ApiServerOptions {
  readonly settings: ApiSettings;
  readonly ctx: ApiContext;
  readonly metrics: MetricsSource | undefined;
  readonly version: string;
  readonly log: ApiLog;
}

export const SESSION_COOKIE = 'hbts_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const MAX_SESSIONS = 64;
export const MAX_STREAMS = 16;
export const MAX_BODY_BYTES = 16 * 1024;
/**
 * Requests per second over all listeners (burst twice that): the API shares the event loop with
 * the heartbeats, so a client in a tight loop gets 429 instead of delaying them.
 */
export const API_REQUESTS_PER_SECOND = 50;
/** A live stream sends a fresh snapshot at least this often (heartbeat ages move on). */
export const STREAM_REFRESH_MS = 2000;
/** Changes within this window go out as one snapshot. */
const STREAM_DEBOUNCE_MS = 100;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

type Res = http.ServerResponse;

function send(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body, null, 1);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  res.end(text);
}

/** Reads a request body up to MAX_BODY_BYTES; undefined for none; a string says what is wrong. */
function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES && !done) {
        done = true;
        resolve(new BodyProblem(413, `the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        resolve(new BodyProblem(400, 'the body is not JSON'));
      }
    });
    req.on('error', () => {
      if (!done) resolve(new BodyProblem(400, 'the body could not be read'));
      done = true;
    });
  });
}

class BodyProblem {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

/** The value of one cookie (RFC 6265 pairs separated by `;`). */
function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

export class ApiServers {
  private readonly servers: http.Server[] = [];
  private readonly sessions = new Map<string, number>();
  private readonly streams = new Set<Res>();
  private readonly unsubscribe: () => void;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimer: NodeJS.Timeout;
  private token: TokenCheck | undefined;
  private readonly tls: boolean;
  private readonly budget = new LineBudget(API_REQUESTS_PER_SECOND, 2 * API_REQUESTS_PER_SECOND);

  private constructor(private readonly opts: ApiServerOptions) {
    this.tls = opts.settings.cert !== undefined;
    this.unsubscribe = opts.ctx.history.subscribe((e) => this.onEvent(e));
    this.refreshTimer = setInterval(() => {
      if (this.streams.size > 0) this.pushSnapshot();
    }, STREAM_REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** Open the configured listeners; throws ApiStartError with the reason (token file, cert, address). */
  static async start(opts: ApiServerOptions): Promise<ApiServers> {
    const s = new ApiServers(opts);
    try {
      const { listen, tokenFile, cert, key, metricsListen } = opts.settings;
      if (listen !== undefined) {
        if (tokenFile === undefined) throw new ApiStartError('api_listen needs api_token_file');
        s.token = new TokenCheck(readTokenFile(tokenFile));
        const handler = (req: http.IncomingMessage, res: Res): void => void s.serveApi(req, res);
        let server: http.Server;
        if (cert !== undefined && key !== undefined) {
          let pem: { cert: Buffer; key: Buffer };
          try {
            pem = { cert: readFileSync(cert), key: readFileSync(key) };
          } catch (err) {
            throw new ApiStartError(`api_cert/api_key: ${(err as Error).message}`, { cause: err });
          }
          try {
            server = https.createServer(pem, handler);
          } catch (err) {
            throw new ApiStartError(`api_cert ${cert} / api_key ${key}: ${(err as Error).message}`, {
              cause: err,
            });
          }
        } else server = http.createServer(handler);
        await s.listen(server, listen, 'api_listen');
      }
      if (metricsListen !== undefined) {
        const server = http.createServer((req, res) => void s.serveMetricsOnly(req, res));
        await s.listen(server, metricsListen, 'metrics_listen');
      }
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }

  private async listen(server: http.Server, at: ListenAddress, name: string): Promise<void> {
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    server.maxConnections = 64;
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new ApiStartError(`${name} ${at.host}:${at.port}: ${err.message}`, { cause: err })),
      );
      server.listen(at.port, at.host, () => resolve());
    });
    this.servers.push(server);
    const a = server.address() as AddressInfo;
    this.opts.log('info', `${name} open`, {
      address: `${a.address}:${a.port}`,
      tls: this.tls && name === 'api_listen' ? 'yes' : 'no',
    });
  }

  /** Where the listeners ended up (port 0 in tests picks a free one). */
  addresses(): AddressInfo[] {
    return this.servers.map((s) => s.address() as AddressInfo);
  }

  private authorised(req: http.IncomingMessage): 'bearer' | 'session' | undefined {
    const b = bearer(req);
    if (b !== undefined && this.token?.matches(b) === true) return 'bearer';
    const sid = cookie(req, SESSION_COOKIE);
    if (sid !== undefined) {
      const expires = this.sessions.get(sid);
      if (expires !== undefined && expires > Date.now()) return 'session';
      this.sessions.delete(sid);
    }
    return undefined;
  }

  /** Over the budget: 429 (and true). */
  private throttled(req: http.IncomingMessage, res: Res): boolean {
    if (this.budget.take(performance.now())) return false;
    req.resume();
    send(
      res,
      429,
      { error: `more than ${API_REQUESTS_PER_SECOND} requests a second` },
      { 'retry-after': '1' },
    );
    return true;
  }

  private async serveApi(req: http.IncomingMessage, res: Res): Promise<void> {
    res.on('error', () => undefined);
    if (this.throttled(req, res)) return;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://api.invalid');
    } catch {
      return send(res, 400, { error: 'not a request path' });
    }
    const method = req.method ?? 'GET';
    const path = url.pathname;
    // The dashboard's page and script hold no cluster data: they load without the token, and ask for it.
    if (method === 'GET' && (path === '/' || path === '/dashboard.js')) return this.staticFile(res, path);
    const auth = this.authorised(req);
    if (auth === undefined) {
      req.resume();
      return send(
        res,
        401,
        { error: 'this needs `Authorization: Bearer <token>` (api_token_file) or a dashboard session' },
        {
          'www-authenticate': 'Bearer realm="hbts"',
        },
      );
    }
    if (path === `${API_PREFIX}/session`) return this.session(req, res, method, auth);
    if (path === `${API_PREFIX}/stream` && method === 'GET') return this.stream(req, res);
    if (path === '/openapi.json' && method === 'GET')
      return send(res, 200, openApiDocument(this.opts.version));
    if (path === '/metrics' && method === 'GET' && this.opts.settings.metricsListen === undefined)
      return this.metrics(res);
    let body: unknown;
    if (method === 'POST') {
      // A cookie rides along with any cross-site form; a form cannot send this content type.
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '') && auth === 'session') {
        req.resume();
        return send(res, 415, { error: 'POST bodies are JSON (Content-Type: application/json)' });
      }
      body = await readBody(req);
      if (body instanceof BodyProblem) return send(res, body.status, { error: body.message });
    } else req.resume();
    try {
      const reply = await apiRequest(this.opts.ctx, method, req.url ?? '/', body);
      send(res, reply.status, reply.body);
    } catch (err) {
      send(res, 500, { error: (err as Error).message });
    }
  }

  private async serveMetricsOnly(req: http.IncomingMessage, res: Res): Promise<void> {
    res.on('error', () => undefined);
    if (this.throttled(req, res)) return;
    req.resume();
    const path = new URL(req.url ?? '/', 'http://metrics.invalid').pathname;
    if (req.method !== 'GET' || path !== '/metrics')
      return send(res, 404, { error: 'only GET /metrics here' });
    await this.metrics(res);
  }

  private async metrics(res: Res): Promise<void> {
    if (this.opts.metrics === undefined) return send(res, 404, { error: 'metrics are off' });
    try {
      const m = await this.opts.metrics.render();
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': m.contentType });
      res.end(m.body);
    } catch (err) {
      send(res, 500, { error: (err as Error).message });
    }
  }

  private staticFile(res: Res, path: string): void {
    const html = path === '/';
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': html ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
    res.end(html ? DASHBOARD_HTML : DASHBOARD_JS);
  }

  private session(req: http.IncomingMessage, res: Res, method: string, auth: 'bearer' | 'session'): void {
    req.resume();
    const secure = this.tls ? '; Secure' : '';
    if (method === 'DELETE') {
      const sid = cookie(req, SESSION_COOKIE);
      if (sid !== undefined) this.sessions.delete(sid);
      return send(res, 204, undefined, {
        'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`,
      });
    }
    if (method !== 'POST') return send(res, 405, { error: `${API_PREFIX}/session takes POST, DELETE` });
    // Only the token itself opens a session (a session cannot renew itself for ever).
    if (auth !== 'bearer') return send(res, 401, { error: 'a session is opened with the bearer token' });
    const now = Date.now();
    for (const [sid, exp] of this.sessions) if (exp <= now) this.sessions.delete(sid);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const sid = randomBytes(32).toString('hex');
    this.sessions.set(sid, now + SESSION_TTL_MS);
    send(res, 204, undefined, {
      'set-cookie': `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure}`,
    });
  }

  private snapshot(): Record<string, unknown> {
    const s = this.opts.ctx.status();
    this.opts.ctx.history.observeGroups(s.cluster.groups);
    return {
      cluster: clusterView(s),
      nodes: nodesView(s),
      links: linksView(s),
      groups: groupsView(s, this.opts.ctx.history),
      events: this.opts.ctx.history.recent(50),
    };
  }

  private stream(req: http.IncomingMessage, res: Res): void {
    req.resume();
    if (this.streams.size >= MAX_STREAMS)
      return send(res, 503, { error: `at most ${MAX_STREAMS} live streams` });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
    });
    res.socket?.setTimeout(0);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    res.write(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
  }

  private onEvent(e: RecordedEvent): void {
    if (this.streams.size === 0) return;
    const frame = `event: event\ndata: ${JSON.stringify(e)}\n\n`;
    for (const r of this.streams) r.write(frame);
    if (this.snapshotTimer === undefined) {
      this.snapshotTimer = setTimeout(() => {
        this.snapshotTimer = undefined;
        this.pushSnapshot();
      }, STREAM_DEBOUNCE_MS);
    }
  }

  private pushSnapshot(): void {
    const frame = `event: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`;
    for (const r of this.streams) {
      // A reader that stopped reading gets dropped instead of growing our memory.
      if (r.writableLength > 1024 * 1024) r.destroy();
      else r.write(frame);
    }
  }

  async close(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.refreshTimer);
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    for (const r of this.streams) r.destroy();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}
