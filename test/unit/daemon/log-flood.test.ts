// A flood of packets signed with the wrong key, each claiming a new sender name, through a real
// `hbts daemon` process (UDP on loopback): the log must stay a few lines, the daemon's state
// bounded. (Before: one log line and one map entry per claimed name: 400k packets gave 87,509
// lines, 28.6 MB of log, RSS 54 -> 110 MB.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { controlRequest } from '../../../src/daemon/control-server.js';
import { hbtsMain } from '../../../src/lab/dist-paths.js';
import { sleep } from '../../../src/lab/wait-until.js';
import { Authenticator } from '../../../src/protocol/auth.js';

const PACKETS = 200_000;

interface Status {
  readonly endpoint: { readonly received: number; readonly rejected: Record<string, number> };
  readonly log?: { readonly droppedLines: number; readonly gateKeys: number };
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

void test('200k wrong-key packets with distinct claimed names: bounded log and state', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-flood-'));
  const cfg = join(dir, 'ha.d');
  mkdirSync(cfg);
  const port = 21000 + (process.pid % 4000);
  const logfile = join(dir, 'ha-log');
  writeFileSync(
    join(cfg, 'ha.cf'),
    `keepalive 1\ndeadtime 10\ninitdead 20\nudpport ${port}\nucast lo 127.0.0.2\nlogfile ${logfile}\nnode a b\n`,
  );
  writeFileSync(join(cfg, 'authkeys'), 'auth 1\n1 sha1 the-real-secret\n', { mode: 0o600 });
  chmodSync(join(cfg, 'authkeys'), 0o600);
  writeFileSync(join(cfg, 'haresources'), '');
  const runDir = join(dir, 'run');
  const daemon = spawn(
    process.execPath,
    [
      hbtsMain,
      'daemon',
      '--foreground',
      '--config-dir',
      cfg,
      '--node-name',
      'a',
      '--run-dir',
      runDir,
      '--state-dir',
      join(dir, 'st'),
      '--bind-address',
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderrBytes = 0;
  daemon.stderr.on('data', (b: Buffer) => (stderrBytes += b.length));
  const sock = dgram.createSocket('udp4');
  try {
    const socketPath = join(runDir, 'hbts.sock');
    const status = async (): Promise<Status> =>
      (await controlRequest(socketPath, { cmd: 'status' })).status as Status;
    for (let i = 0; i < 100 && !existsSync(socketPath); i++) await sleep(100);
    await status();
    // a ucast medium takes datagrams from its peer's address only
    await new Promise<void>((resolve) => sock.bind({ address: '127.0.0.2' }, () => resolve()));
    const pid = daemon.pid ?? 0;
    const rssBefore = rssKb(pid);
    const forger = new Authenticator({
      file: 'x',
      activeIndex: 1,
      keys: new Map([[1, { index: 1, method: 'sha1', secret: 'a-wrong-secret' }]]),
    });
    const packet = (i: number): Buffer =>
      forger.signNetstring({
        fields: [
          { name: 't', type: 'string', value: 'status' },
          { name: 'st', type: 'string', value: 'active' },
          { name: 'src', type: 'string', value: `claimed-${i.toString(36)}` },
          { name: 'seq', type: 'string', value: (i + 1).toString(16) },
          { name: 'hg', type: 'string', value: '1' },
          { name: 'ts', type: 'string', value: '6553f100' },
        ],
      });
    // Paced (200 a millisecond tick) so that most fit the daemon's receive buffer: the point is what
    // it does with each one.
    for (let sent = 0; sent < PACKETS;) {
      const batch = Math.min(200, PACKETS - sent);
      await Promise.all(
        Array.from(
          { length: batch },
          (_, k) =>
            new Promise<void>((resolve) => sock.send(packet(sent + k), port, '127.0.0.1', () => resolve())),
        ),
      );
      sent += batch;
      await sleep(1);
    }
    for (let w = 0, last = -1; w < 100; w++) {
      const received = (await status()).endpoint.received;
      if (received === last) break;
      last = received;
      await sleep(100);
    }
    const s = await status();
    const rssAfter = rssKb(pid);
    const lines = readFileSync(logfile, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    t.diagnostic(
      `received ${s.endpoint.received}, bad-auth ${s.endpoint.rejected['bad-auth']}, log lines ${lines.length}, ` +
        `stderr ${stderrBytes} bytes, RSS ${rssBefore} -> ${rssAfter} kB, log ${JSON.stringify(s.log)}`,
    );
    assert.ok((s.endpoint.rejected['bad-auth'] ?? 0) >= PACKETS / 2, 'most packets reached the daemon');
    assert.ok(lines.length < 100, `${lines.length} log lines`);
    assert.ok(stderrBytes < 100 * 200, `${stderrBytes} bytes on stderr`);
    assert.ok(s.log !== undefined && s.log.gateKeys <= 4, JSON.stringify(s.log));
    const rejectedLines = lines.filter((l) => /auth-rejected/.test(l));
    assert.ok(rejectedLines.length >= 1 && rejectedLines.length <= 5, rejectedLines.join('\n'));
  } finally {
    sock.close();
    if (daemon.exitCode === null) daemon.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (daemon.exitCode !== null) resolve();
      else daemon.once('exit', () => resolve());
      setTimeout(resolve, 5000).unref();
    });
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
