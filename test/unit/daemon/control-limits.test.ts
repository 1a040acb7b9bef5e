// The control socket under clients that misbehave: pipelined batches bigger than one request line,
// a client that asks and never reads, too many connections, an endless line. Real unix sockets.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ControlServer,
  MAX_CONNECTIONS,
  MAX_PENDING_REQUESTS,
  MAX_REQUEST_LINE,
  controlRequest,
} from '../../../src/daemon/control-server.js';
import type { ControlHandler } from '../../../src/daemon/control-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function withServer(
  handler: ControlHandler,
  body: (path: string, server: ControlServer) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-ctl-'));
  const path = join(dir, 'hbts.sock');
  const server = await ControlServer.listen(path, handler);
  try {
    await body(path, server);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function connect(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(path, () => resolve(c));
    c.once('error', reject);
  });
}

/** Collect reply lines from `c` until `n` arrived or the socket closed. */
function replies(c: net.Socket, n: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
  return new Promise((resolve) => {
    const out: Record<string, unknown>[] = [];
    let buf = '';
    const done = (): void => {
      clearTimeout(timer);
      resolve(out);
    };
    const timer = setTimeout(done, timeoutMs);
    c.setEncoding('utf8');
    c.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        out.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
      if (out.length >= n) done();
    });
    c.on('close', done);
  });
}

const STATUS = '{"cmd":"status"}\n';

void describe('control socket limits', () => {
  void it('answers a pipelined batch far over 64 KiB, every request in order', async () => {
    let n = 0;
    await withServer(
      () => Promise.resolve({ ok: true, n: n++ }),
      async (path) => {
        const c = await connect(path);
        const count = 20_000; // 340 KB in one write
        const got = replies(c, count);
        c.write(STATUS.repeat(count));
        const r = await got;
        c.destroy();
        assert.equal(r.length, count);
        assert.deepEqual(
          r.map((x) => x['n']),
          Array.from({ length: count }, (_, i) => i),
        );
      },
    );
  });

  void it('refuses one request line over 64 KiB, after answering those before it', async () => {
    await withServer(
      () => Promise.resolve({ ok: true }),
      async (path) => {
        const c = await connect(path);
        const got = replies(c, 3);
        c.write(STATUS + STATUS + '{"cmd":"status","pad":"' + 'x'.repeat(MAX_REQUEST_LINE) + '"}\n');
        const r = await got;
        assert.deepEqual(r.slice(0, 2), [{ ok: true }, { ok: true }]);
        assert.deepEqual(r[2], { ok: false, error: `request line longer than ${MAX_REQUEST_LINE} bytes` });
        // and without a newline at all
        const d = await connect(path);
        const got2 = replies(d, 1);
        d.write('x'.repeat(MAX_REQUEST_LINE + 10));
        assert.match(String((await got2)[0]?.['error']), /longer than/);
        c.destroy();
        d.destroy();
      },
    );
  });

  void it('stops reading a client that pipelines requests and never reads its replies', async () => {
    let calls = 0;
    const payload = 'p'.repeat(16 * 1024);
    await withServer(
      () => {
        calls++;
        return Promise.resolve({ ok: true, payload });
      },
      async (path) => {
        const c = await connect(path);
        c.pause(); // never reads, for now
        const count = 1000; // 16 MB of replies if all were produced
        c.write(STATUS.repeat(count));
        await sleep(1000);
        const whileBlocked = calls;
        // at most: unread bytes allowed + what the kernel buffers, in 16 KiB replies, + pending
        assert.ok(whileBlocked < 150, `${whileBlocked} requests handled while the client read nothing`);
        assert.ok(whileBlocked >= MAX_PENDING_REQUESTS, String(whileBlocked));
        // the client reads: everything is answered after all
        const got = replies(c, count, 30_000);
        c.resume();
        assert.equal((await got).length, count);
        assert.equal(calls, count);
        c.destroy();
      },
    );
  });

  void it(`serves at most ${MAX_CONNECTIONS} connections at once`, async () => {
    await withServer(
      () => Promise.resolve({ ok: true }),
      async (path, server) => {
        const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => connect(path)));
        for (let i = 0; i < 50 && server.connections < MAX_CONNECTIONS; i++) await sleep(10);
        assert.equal(server.connections, MAX_CONNECTIONS);
        const extra = await connect(path);
        const r = await replies(extra, 1);
        assert.match(String(r[0]?.['error']), /too many control connections/);
        held[0]?.destroy();
        for (let i = 0; i < 50 && server.connections >= MAX_CONNECTIONS; i++) await sleep(10);
        assert.deepEqual(await controlRequest(path, { cmd: 'status' }), { ok: true });
        for (const h of held) h.destroy();
      },
    );
  });

  void it('answers a client that sends and shuts its side at once (half-close)', async () => {
    await withServer(
      () => Promise.resolve({ ok: true }),
      async (path) => {
        const c = await connect(path);
        const got = replies(c, 2);
        c.end(STATUS + '{"cmd":"status"}'); // the last one without its newline
        assert.deepEqual(await got, [{ ok: true }, { ok: true }]);
      },
    );
  });
});
