// The HTTP(S) listeners: `api_listen` (JSON API, OpenAPI document, live stream, dashboard and, unless
// metrics_listen is set, /metrics; everything behind the bearer token) and `metrics_listen`
// (/metrics alone, no token). Loaded by the daemon only when one is configured.
//
// Node's own http/https with the route table in api-routes.ts: a dozen fixed paths, JSON bodies of
// a few bytes, one token. A framework would bring routing we do not need and memory we count (the
// node's target is 50 MB); URL parses the paths and queries, JSON.parse the bodies, the control
// protocol's parser validates commands. Here: the listeners, who may ask what, and the dispatch;
// the live stream is live-stream.ts, the dashboard's cookie sessions dashboard-sessions.ts, the
// body/header plumbing http-io.ts.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ApiSettings, ListenAddress } from '../config/api-config.js';
import { LineBudget } from '../daemon/log-limits.js';
import type { ApiContext } from './api-routes.js';
import { API_PREFIX, apiRequest } from './api-routes.js';
import { TokenCheck, readTokenFile } from './api-token.js';
import { DASHBOARD_HTML, DASHBOARD_JS } from './dashboard.js';
import { DashboardSessions } from './dashboard-sessions.js';
import { ApiStartError } from './errors.js';
import { BodyProblem, SECURITY_HEADERS, bearer, readBody, send, type Req, type Res } from './http-io.js';
import { LiveStream } from './live-stream.js';
import { openApiDocument } from './openapi.js';

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

/**
 * Requests per second over all listeners (burst twice that): the API shares the event loop with
 * the heartbeats, so a client in a tight loop gets 429 instead of delaying them.
 */
export const API_REQUESTS_PER_SECOND = 50;

/** The dashboard page loads its script and data from here only, and sets data only as text. */
const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export class ApiServers {
  private readonly servers: http.Server[] = [];
  private readonly sessions: DashboardSessions;
  private readonly stream: LiveStream;
  private token: TokenCheck | undefined;
  private readonly tls: boolean;
  private readonly budget = new LineBudget(API_REQUESTS_PER_SECOND, 2 * API_REQUESTS_PER_SECOND);

  private constructor(private readonly opts: ApiServerOptions) {
    this.tls = opts.settings.cert !== undefined;
    this.sessions = new DashboardSessions(this.tls);
    this.stream = new LiveStream(opts.ctx);
  }

  /** Open the configured listeners; throws ApiStartError with the reason (token file, cert, address). */
  static async start(opts: ApiServerOptions): Promise<ApiServers> {
    const s = new ApiServers(opts);
    try {
      const { listen, tokenFile, cert, key, metricsListen } = opts.settings;
      if (listen !== undefined) {
        if (tokenFile === undefined) throw new ApiStartError('api_listen needs api_token_file');
        s.token = new TokenCheck(readTokenFile(tokenFile));
        const handler = (req: Req, res: Res): void => void s.serveApi(req, res);
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

  private authorised(req: Req): 'bearer' | 'session' | undefined {
    const b = bearer(req);
    if (b !== undefined && this.token?.matches(b) === true) return 'bearer';
    return this.sessions.valid(req) ? 'session' : undefined;
  }

  /** Over the budget: 429 (and true). */
  private throttled(req: Req, res: Res): boolean {
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

  private async serveApi(req: Req, res: Res): Promise<void> {
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
    if (path === `${API_PREFIX}/session`) return this.sessions.serve(req, res, method, auth);
    if (path === `${API_PREFIX}/stream` && method === 'GET') return this.stream.open(req, res);
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

  private async serveMetricsOnly(req: Req, res: Res): Promise<void> {
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
      'content-security-policy': DASHBOARD_CSP,
    });
    res.end(html ? DASHBOARD_HTML : DASHBOARD_JS);
  }

  async close(): Promise<void> {
    this.stream.close();
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
