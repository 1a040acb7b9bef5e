// The shell's health checks against real sockets and processes: http (expected code or not), tcp
// (open or refused), exec (exit code), and a hung check killed at its timeout as a failure while
// the event loop keeps running (a 10 ms timer keeps firing throughout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCheck } from '../../../src/daemon/monitor-runner.js';
import type { MonitorCheck, ResourceMonitor } from '../../../src/config/health-config.js';
import type { GroupId } from '../../../src/config/types.js';

const deps = {
  statusResource: () => Promise.reject(new Error('not used')),
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
};

function monitor(check: MonitorCheck, timeoutMs = 1000): ResourceMonitor {
  return {
    group: 'g' as GroupId,
    resourceIndex: 0,
    resource: 'svc',
    intervalMs: 1000,
    timeoutMs,
    check,
    at: { file: 'hbts.cf', line: 1 },
  };
}

void test('http GET: the expected code is healthy, another code or a closed port is not', async () => {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/ok' ? 200 : 503;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const ok = await runCheck(
      monitor({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, expect: 200 }),
      undefined,
      deps,
    );
    assert.equal(ok.ok, true, ok.detail);
    const bad = await runCheck(
      monitor({ kind: 'http', url: `http://127.0.0.1:${port}/down`, expect: 200 }),
      undefined,
      deps,
    );
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /503 \(expected 200\)/);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  const closed = await runCheck(
    monitor({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, expect: 200 }),
    undefined,
    deps,
  );
  assert.equal(closed.ok, false);
  assert.match(closed.detail, /ECONNREFUSED/);
});

void test('tcp: connected is healthy, refused is not', async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const open = await runCheck(monitor({ kind: 'tcp', host: '127.0.0.1', port }), undefined, deps);
  await new Promise<void>((r) => server.close(() => r()));
  assert.equal(open.ok, true, open.detail);
  const refused = await runCheck(monitor({ kind: 'tcp', host: '127.0.0.1', port }), undefined, deps);
  assert.equal(refused.ok, false);
});

void test('exec: exit 0 healthy, exit 1 not; a hung check is killed at its timeout and fails, timers keep running', async () => {
  assert.equal(
    (await runCheck(monitor({ kind: 'exec', file: '/bin/true', args: [] }), undefined, deps)).ok,
    true,
  );
  assert.equal(
    (await runCheck(monitor({ kind: 'exec', file: '/bin/false', args: [] }), undefined, deps)).ok,
    false,
  );
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  const hung = await runCheck(
    monitor({ kind: 'exec', file: '/bin/sleep', args: ['30'] }, 300),
    undefined,
    deps,
  );
  const tookMs = performance.now() - started;
  clearInterval(timer);
  assert.equal(hung.ok, false);
  assert.match(hung.detail, /killed at its 300 ms timeout/);
  assert.ok(tookMs >= 290 && tookMs < 1500, `took ${tookMs} ms`);
  assert.ok(ticks >= 20, `the event loop kept running: ${ticks} ticks of 10 ms`);
});
