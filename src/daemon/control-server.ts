// The control socket in --run-dir: a unix stream socket (mode 0600) speaking line-delimited JSON.
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { ControlRequest } from './control-protocol.js';
import { parseControlRequest } from './control-protocol.js';
import { ControlSocketError } from './errors.js';

export type ControlHandler = (req: ControlRequest) => Promise<Record<string, unknown>>;

const MAX_LINE = 64 * 1024;

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
    const server = net.createServer();
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

  private serve(sock: net.Socket, handler: ControlHandler): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    let chain = Promise.resolve();
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      if (buf.length > MAX_LINE) {
        sock.end(JSON.stringify({ ok: false, error: 'request too long' }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        chain = chain.then(async () => {
          const req = parseControlRequest(line);
          let reply: Record<string, unknown>;
          if (typeof req === 'string') reply = { ok: false, error: req };
          else {
            try {
              reply = await handler(req);
            } catch (err) {
              reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
            }
          }
          if (!sock.destroyed) sock.write(JSON.stringify(reply) + '\n');
        });
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}

function isAlive(path: string): Promise<boolean> {
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
