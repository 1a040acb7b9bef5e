// The HTTP API of a real `hbts daemon` (one node on loopback, no root): the token on everything,
// the session cookie the dashboard uses, the JSON views against the daemon's own status, the live
// stream, the commands, the metrics, the OpenAPI document, and the same routes over the control
// socket. Then the refusals at start: a token file others can read, an address in use.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONTROL_SOCKET_NAME } from '../../../src/daemon/control-protocol.js';
import { controlRequest } from '../../../src/daemon/control-server.js';
import { hbtsMain } from '../../../src/lab/dist-paths.js';
import type { LoopbackNode } from '../daemon/loopback-node.js';
import { cleanup, daemonPid, loopbackNode, read, startHbts, waitFor } from '../daemon/loopback-node.js';
import type { ChildProcess } from 'node:child_process';

const TOKEN = 'unit-test-token-0123456789abcdef';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function call(
  port: number,
  path: string,
  opts: { method?: string; token?: string; cookie?: string; body?: string; type?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.cookie !== undefined) headers['cookie'] = opts.cookie;
    if (opts.type !== undefined) headers['content-type'] = opts.type;
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Reads an event stream until `want` frames of the given kinds arrived; returns them. */
function stream(
  port: number,
  cookie: string,
  want: (frames: string[]) => boolean,
): Promise<{ type: string; frames: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/stream', headers: { cookie } }, (res) => {
      const frames: string[] = [];
      let buf = '';
      res.setEncoding('utf8');
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`stream: timed out with ${frames.length} frames`));
      }, 8000);
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          frames.push(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
        if (want(frames)) {
          clearTimeout(timer);
          req.destroy();
          resolve({ type: String(res.headers['content-type']), frames });
        }
      });
    });
    req.on('error', () => undefined);
  });
}

/** The daemon's own event records by seq, as `hbts events` reads them (the `events` control request). */
async function feedEvents(n: LoopbackNode): Promise<Map<number, { seq: number }>> {
  const r = await controlRequest(join(n.runDir, CONTROL_SOCKET_NAME), {
    cmd: 'events',
    since: 0,
    limit: 1000,
    waitMs: 0,
  });
  return new Map((r['events'] as { seq: number }[]).map((e) => [e.seq, e]));
}

const freePort = (): number => 20000 + Math.floor(Math.random() * 30000);

void describe('HTTP API of a running daemon (loopback)', () => {
  let n: LoopbackNode;
  let child: ChildProcess;
  const port = freePort();
  before(async () => {
    n = loopbackNode();
    const tokenFile = join(n.configDir, 'api.token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    writeFileSync(
      join(n.configDir, 'hbts.cf'),
      `api_listen 127.0.0.1:${port}\napi_token_file ${tokenFile}\n`,
    );
    child = startHbts(n);
    await waitFor('the group running', () => read(n.running) !== '' || read(n.journal).includes('start'));
    await waitFor('the API', () => read(n.logFile).includes('api_listen open'));
  });
  after(() => cleanup(n, [child, daemonPid(n)]));

  void it('without the token: 401 with WWW-Authenticate; the dashboard page alone loads, holding no data', async () => {
    for (const path of ['/api/v1/groups', '/api/v1/stream', '/openapi.json', '/metrics', '/nope']) {
      const r = await call(port, path);
      assert.equal(r.status, 401, path);
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="hbts"');
    }
    assert.equal((await call(port, '/api/v1/groups', { token: TOKEN.slice(0, -1) })).status, 401);
    assert.equal((await call(port, '/api/v1/groups', { token: `${TOKEN}x` })).status, 401);
    const page = await call(port, '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(page.body, /marker/, 'the page holds no cluster data');
    assert.equal((await call(port, '/dashboard.js')).status, 200);
  });

  void it('the JSON views agree with the daemon status (the one hbts status --json prints)', async () => {
    const sock = join(n.runDir, CONTROL_SOCKET_NAME);
    const status = (await controlRequest(sock, { cmd: 'status' }))['status'] as {
      node: string;
      cluster: { groups: { id: string; owners: string[] }[] };
    };
    const groups = JSON.parse((await call(port, '/api/v1/groups', { token: TOKEN })).body) as {
      id: string;
      owner: string;
      state: string;
      since: string;
      lastTransition: { from: string | null; to: string; reason: string };
    }[];
    assert.deepEqual(
      groups.map((g) => [g.id, g.owner, g.state]),
      status.cluster.groups.map((g) => [g.id, g.owners[0], 'running']),
    );
    assert.equal(groups[0]?.lastTransition.to, 'a');
    assert.match(groups[0]?.lastTransition.reason ?? '', /acquiring group marker \(placement\)/);
    assert.ok(Date.now() - Date.parse(groups[0]?.since ?? '') < 60_000);
    const cluster = JSON.parse((await call(port, '/api/v1/cluster', { token: TOKEN })).body) as Record<
      string,
      unknown
    >;
    assert.equal(cluster['node'], status.node);
    assert.deepEqual(cluster['heldHere'], ['marker']);
    const nodes = JSON.parse((await call(port, '/api/v1/nodes', { token: TOKEN })).body) as {
      name: string;
      self: boolean;
    }[];
    assert.deepEqual(
      nodes.map((x) => [x.name, x.self]),
      [['a', true]],
    );
    const links = JSON.parse((await call(port, '/api/v1/links', { token: TOKEN })).body) as {
      medium: string;
    }[];
    assert.deepEqual(
      links.map((l) => l.medium),
      ['ucast:lo:127.0.0.3'],
    );
    // the control socket answers the same route with the same body
    const viaSocket = await controlRequest(sock, { cmd: 'api', method: 'GET', path: '/api/v1/groups' });
    assert.deepEqual(viaSocket['body'], groups);
  });

  void it('events: oldest first, limit and after, bad parameters refused', async () => {
    const all = JSON.parse((await call(port, '/api/v1/events?limit=500', { token: TOKEN })).body) as {
      seq: number;
      kind: string;
    }[];
    assert.ok(all.some((e) => e.kind === 'acquired'));
    assert.deepEqual(
      all.map((e) => e.seq),
      [...all.map((e) => e.seq)].sort((x, y) => x - y),
    );
    const two = JSON.parse((await call(port, '/api/v1/events?limit=2', { token: TOKEN })).body) as {
      seq: number;
    }[];
    assert.deepEqual(two, all.slice(-2));
    const first = all[0]?.seq ?? 0;
    const newer = JSON.parse((await call(port, `/api/v1/events?after=${first}`, { token: TOKEN })).body) as {
      seq: number;
    }[];
    assert.ok(newer.every((e) => e.seq > first) && newer.length === Math.min(100, all.length - 1));
    // one ring: `hbts events` (the control socket's `events`) shows the very same records, same seqs
    const feed = await feedEvents(n);
    assert.ok(all.length > 0);
    for (const e of all) assert.deepEqual(e, feed.get(e.seq), `seq ${e.seq}`);
    for (const q of ['limit=0', 'limit=501', 'limit=x', 'after=-1', 'limit=1.5']) {
      const r = await call(port, `/api/v1/events?${q}`, { token: TOKEN });
      assert.equal(r.status, 400, q);
    }
  });

  void it('unknown paths 404, wrong methods 405, bodies checked (JSON, size)', async () => {
    assert.equal((await call(port, '/api/v1/nope', { token: TOKEN })).status, 404);
    assert.equal(
      (await call(port, '/api/v1/groups', { token: TOKEN, method: 'POST', type: 'application/json' })).status,
      405,
    );
    assert.equal((await call(port, '/api/v1/standby', { token: TOKEN })).status, 405);
    const notJson = await call(port, '/api/v1/standby', {
      token: TOKEN,
      method: 'POST',
      body: '{set',
      type: 'application/json',
    });
    assert.equal(notJson.status, 400);
    const huge = await call(port, '/api/v1/standby', {
      token: TOKEN,
      method: 'POST',
      body: 'x'.repeat(20_000),
    });
    assert.equal(huge.status, 413);
    const array = await call(port, '/api/v1/takeover', {
      token: TOKEN,
      method: 'POST',
      body: '[]',
      type: 'application/json',
    });
    assert.equal(array.status, 400);
  });

  void it('session cookie: opened with the token only, HttpOnly, used by the stream; cookie POSTs must be JSON', async () => {
    const opened = await call(port, '/api/v1/session', { token: TOKEN, method: 'POST' });
    assert.equal(opened.status, 204);
    const setCookie = opened.headers['set-cookie']?.[0] ?? '';
    assert.match(setCookie, /^hbts_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const cookie = setCookie.split(';')[0] ?? '';
    assert.equal((await call(port, '/api/v1/cluster', { cookie })).status, 200);
    assert.equal(
      (await call(port, '/api/v1/session', { cookie, method: 'POST' })).status,
      401,
      'a session cannot renew itself',
    );
    const form = await call(port, '/api/v1/takeover', {
      cookie,
      method: 'POST',
      body: 'set=all',
      type: 'application/x-www-form-urlencoded',
    });
    assert.equal(form.status, 415, 'a cross-site form cannot send commands with the cookie');
    // live: the snapshot at once, then an admin command's event as it happens
    const live = stream(port, cookie, (f) => f.some((x) => x.includes('Taking over [all]')));
    await new Promise((r) => setTimeout(r, 200));
    const cmd = await call(port, '/api/v1/takeover', {
      cookie,
      method: 'POST',
      body: '{"set":"all"}',
      type: 'application/json',
    });
    assert.equal(cmd.status, 200, cmd.body);
    assert.equal((JSON.parse(cmd.body) as { message: string }).message, 'takeover all requested');
    const got = await live;
    assert.equal(got.type, 'text/event-stream');
    const snap = got.frames.find((f) => f.includes('event: snapshot'));
    assert.ok(snap?.includes('"owner":"a"') === true, 'the snapshot shows who holds the group');
    const admin = got.frames.find((f) => f.startsWith('event: event') && f.includes('"kind":"admin"'));
    assert.ok(admin !== undefined);
    // the stream numbers events as `hbts events` does: the same record under the same seq
    const streamed = JSON.parse(admin.slice(admin.indexOf('data: ') + 6)) as { seq: number };
    assert.deepEqual(streamed, (await feedEvents(n)).get(streamed.seq));
    assert.ok(snap !== undefined);
    const snapEvents = (JSON.parse(snap.slice(snap.indexOf('data: ') + 6)) as { events: { seq: number }[] })
      .events;
    assert.ok(snapEvents.length > 0);
    const feed = await feedEvents(n);
    for (const e of snapEvents) assert.deepEqual(e, feed.get(e.seq), `snapshot seq ${e.seq}`);
    const closed = await call(port, '/api/v1/session', { cookie, method: 'DELETE' });
    assert.equal(closed.status, 204);
    assert.equal((await call(port, '/api/v1/cluster', { cookie })).status, 401);
  });

  void it("commands: a bad set or a cleanup without a group gets the control parser's words; cleanup of a group works", async () => {
    const bad = await call(port, '/api/v1/standby', {
      token: TOKEN,
      method: 'POST',
      body: '{"set":"x"}',
      type: 'application/json',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /set must be one of all, local, foreign/);
    const none = await call(port, '/api/v1/cleanup', {
      token: TOKEN,
      method: 'POST',
      body: '{}',
      type: 'application/json',
    });
    assert.equal(none.status, 400);
    assert.match((JSON.parse(none.body) as { error: string }).error, /^cleanup needs "group"/);
    const c = await call(port, '/api/v1/cleanup', {
      token: TOKEN,
      method: 'POST',
      body: '{"group":"marker"}',
      type: 'application/json',
    });
    assert.equal(c.status, 200, c.body);
  });

  void it('metrics on the API listener need the token and read the real state', async () => {
    const r = await call(port, '/metrics', { token: TOKEN });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.match(r.body, /^hbts_group_held\{group="marker"\} 1$/m);
    assert.match(r.body, /^hbts_node_up\{node="a"\} 1$/m);
    assert.match(r.body, /^hbts_takeovers_total\{reason="placement"\} 1$/m);
    assert.match(r.body, /^hbts_heartbeats_sent_total [1-9]\d*$/m);
    assert.match(r.body, /^nodejs_eventloop_lag_seconds \d/m);
    assert.match(r.body, /^process_resident_memory_bytes \d+$/m);
  });

  void it('the OpenAPI document lists every route', async () => {
    const doc = JSON.parse((await call(port, '/openapi.json', { token: TOKEN })).body) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['status', 'cluster', 'nodes', 'links', 'groups', 'events', 'session', 'stream'])
      assert.ok(doc.paths[`/api/v1/${p}`] !== undefined, p);
    assert.ok(doc.paths['/api/v1/standby']?.['post'] !== undefined);
    assert.ok(doc.paths['/metrics']?.['get'] !== undefined);
  });

  // last: it spends the request budget
  void it('a client in a tight loop gets 429 with Retry-After instead of the event loop', async () => {
    // the bucket full again (100 requests, 50 a second): the tests before spent some of it
    await new Promise((r) => setTimeout(r, 2100));
    const codes: number[] = [];
    let retryAfter: unknown;
    // 20 at a time (below the 64 connections a listener takes), 300 in all
    for (let i = 0; i < 15; i++) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => call(port, '/api/v1/cluster', { token: TOKEN })),
      );
      for (const r of batch) {
        codes.push(r.status);
        if (r.status === 429) retryAfter ??= r.headers['retry-after'];
      }
    }
    const limited = codes.filter((c) => c === 429).length;
    assert.ok(limited > 0, 'some requests were limited');
    assert.ok(codes.filter((c) => c === 200).length >= 100, 'the burst went through');
    assert.equal(retryAfter, '1');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await call(port, '/api/v1/cluster', { token: TOKEN })).status, 200);
  });
});

function tryStart(hbtsCf: string, tokenMode: number): { code: number | null; err: string } {
  const n = loopbackNode();
  try {
    const tokenFile = join(n.configDir, 'api.token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    chmodSync(tokenFile, tokenMode);
    writeFileSync(join(n.configDir, 'hbts.cf'), hbtsCf.replaceAll('@TOKEN@', tokenFile));
    const r = spawnSync(
      process.execPath,
      [
        hbtsMain,
        'daemon',
        '--foreground',
        '--no-supervise',
        '--config-dir',
        n.configDir,
        '--node-name',
        'a',
        '--run-dir',
        n.runDir,
        '--state-dir',
        n.stateDir,
        '--bind-address',
        '127.0.0.1',
      ],
      { encoding: 'utf8', timeout: 15000 },
    );
    return { code: r.status, err: r.stderr };
  } finally {
    cleanup(n, []);
  }
}

void describe('the daemon refuses to start with a bad API setup', () => {
  void it('a token file others can read: exit 6, says chmod 600', () => {
    const port = freePort();
    const r = tryStart(`api_listen 127.0.0.1:${port}\napi_token_file @TOKEN@\n`, 0o644);
    assert.equal(r.code, 6, r.err);
    assert.match(
      r.err,
      /hbts\.cf:1: api_token_file .*api\.token is readable by group or others \(mode 0644\): run `chmod 600 /,
    );
  });

  void it('an address already in use: exit 6 naming it', async () => {
    const busy = http.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = tryStart(`metrics_listen 127.0.0.1:${port}\n`, 0o600);
      assert.equal(r.code, 6, r.err);
      assert.match(r.err, new RegExp(`metrics_listen 127\\.0\\.0\\.1:${port}: listen EADDRINUSE`));
    } finally {
      busy.close();
    }
  });
});
