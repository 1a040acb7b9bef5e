// The control socket in --run-dir: a unix stream socket (mode 0600) speaking line-delimited JSON.
// Bounded per client: a client that pipelines requests and never reads its replies stops being read
// (the kernel then blocks its writes) instead of growing the daemon's memory.
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { ControlRequest } from './control-protocol.js';
import { parseControlRequest } from './control-protocol.js';
import { ControlSocketError } from './errors.js';

export type ControlHandler = (req: ControlRequest) => Promise<Record<string, unknown>>;

/** Longest request line (each request of a pipelined batch on its own). */
export const MAX_REQUEST_LINE = 64 * 1024;
/** Connections served at once; more are answered with an error and closed. */
export const MAX_CONNECTIONS = 32;
/** Requests read but not answered yet, per connection; beyond it the connection is not read. */
export const MAX_PENDING_REQUESTS = 16;
/** Reply bytes the client has not read yet, per connection; beyond it no new request is handled. */
export const MAX_UNREAD_REPLY_BYTES = 256 * 1024;
/** A connection with no traffic for this long is closed (it would hold a slot for ever). */
export const IDLE_TIMEOUT_MS = 5 * 60 * 1000;

export class ControlServer {
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly path: string,
  ) {}

  static async listen(path: string, handler: ControlHandler): Promise<ControlServer> {
    // A socket file left by a crashed daemon: connecting tells us whether someone still answers.
    if (await isAlive(path)) throw new ControlSocketError(`another daemon answers on ${path}`);
    rmSync(path, { force: true });
    // Half-open: a client may send its requests and shut its side; it still gets every reply.
    const server = net.createServer({ allowHalfOpen: true });
    const cs = new ControlServer(server, path);
    server.on('connection', (sock) => cs.serve(sock, handler));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return cs;
  }

  /** Connections being served now. */
  get connections(): number {
    return this.sockets.size;
  }

  private serve(sock: net.Socket, handler: ControlHandler): void {
    sock.on('error', () => undefined);
    if (this.sockets.size >= MAX_CONNECTIONS) {
      sock.end(reply({ ok: false, error: `too many control connections (at most ${MAX_CONNECTIONS})` }));
      return;
    }
    this.sockets.add(sock);
    sock.setEncoding('utf8');
    sock.setTimeout(IDLE_TIMEOUT_MS, () => sock.destroy());
    const lines: string[] = [];
    let partial = '';
    let closing = false;
    let ended = false;
    let wake: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    sock.on('close', () => {
      this.sockets.delete(sock);
      poke();
    });
    sock.on('drain', poke);
    sock.on('end', () => {
      ended = true;
      // a last request without its newline
      if (!closing && partial.trim() !== '') lines.push(partial.trim());
      partial = '';
      poke();
    });
    sock.on('data', (chunk: string) => {
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
        const line = (partial + chunk.slice(start, nl)).trim();
        partial = '';
        start = nl + 1;
        if (line.length > MAX_REQUEST_LINE) return refuse();
        if (line !== '') lines.push(line);
      }
      partial += chunk.slice(start);
      if (partial.length > MAX_REQUEST_LINE) return refuse();
      if (lines.length >= MAX_PENDING_REQUESTS) sock.pause();
      poke();
    });
    const refuse = (): void => {
      // The requests before the long one are still answered, then the connection ends.
      closing = true;
      sock.pause();
      lines.push('');
      poke();
    };
    const next = (): Promise<void> => new Promise((resolve) => (wake = resolve));
    void (async () => {
      while (!sock.destroyed) {
        const line = lines.shift();
        if (line === undefined) {
          if (ended) {
            sock.end();
            return;
          }
          await next();
          continue;
        }
        if (line === '' && closing) {
          sock.end(reply({ ok: false, error: `request line longer than ${MAX_REQUEST_LINE} bytes` }));
          return;
        }
        const req = parseControlRequest(line);
        let answer: Record<string, unknown>;
        if (typeof req === 'string') answer = { ok: false, error: req };
        else {
          try {
            answer = await handler(req);
          } catch (err) {
            answer = { ok: false, error: err instanceof Error ? err.message : String(err) };
          }
        }
        if (sock.destroyed) return;
        sock.write(reply(answer));
        // The client reads its replies slower than it asks: wait for it before handling more.
        while (!sock.destroyed && sock.writableLength > MAX_UNREAD_REPLY_BYTES) await next();
        if (!closing && lines.length < MAX_PENDING_REQUESTS && sock.isPaused()) sock.resume();
      }
    })();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}

function reply(o: Record<string, unknown>): string {
  return JSON.stringify(o) + '\n';
}

/** Whether a daemon answers on the control socket at `path` (a connect succeeds). */
export function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Send one request and wait for its reply line (for the CLI and tests). */
export function controlRequest(
  path: string,
  req: ControlRequest,
  timeoutMs = 5000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new ControlSocketError(`no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.on('connect', () => c.write(JSON.stringify(req) + '\n'));
    c.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      c.destroy();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      } catch (err) {
        reject(new ControlSocketError(`bad reply from ${path}`, { cause: err }));
      }
    });
    c.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new ControlSocketError(
          (err as NodeJS.ErrnoException).code === 'ENOENT' ||
            (err as NodeJS.ErrnoException).code === 'ECONNREFUSED'
            ? `no daemon running (cannot connect to ${path})`
            : `${path}: ${err.message}`,
          { cause: err },
        ),
      );
    });
  });
}
