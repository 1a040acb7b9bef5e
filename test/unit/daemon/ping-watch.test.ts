// The ping node watcher with the real iputils ping (against loopback) and with a stand-in program
// that exits at once: replies reach the callback, a ping that exits is restarted, stop() ends the
// children it started (by PID) and nothing is restarted after it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import type { PingTarget } from '../../../src/config/media-config.js';
import { PingWatch, pingArguments, pingIntervalMs } from '../../../src/daemon/ping-watch.js';

const at = { file: 'ha.cf', line: 1 };
const target = (address: string): PingTarget => ({ kind: 'ping', name: address, addresses: [address], at });
const hasPing = spawnSync('ping', ['-V']).status === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

void describe('ping arguments', () => {
  void it('numeric output, the interval in seconds, -6 for ping6; 200 ms at least unless root', () => {
    assert.deepEqual(pingArguments('198.18.0.254', 200, false), ['-n', '-i', '0.200', '198.18.0.254']);
    assert.deepEqual(pingArguments('fd00::1', 50, true), ['-6', '-n', '-i', '0.050', 'fd00::1']);
    assert.equal(pingIntervalMs(50, false), 200);
    assert.equal(pingIntervalMs(50, true), 50);
    assert.equal(pingIntervalMs(1000, false), 1000);
  });
});

void describe('PingWatch', () => {
  void it(
    'reports every echo reply of a real ping to 127.0.0.1, and stop() ends it',
    { skip: hasPing ? false : 'iputils ping is not installed' },
    async () => {
      const replies: string[] = [];
      const watch = PingWatch.start({
        targets: [target('127.0.0.1')],
        intervalMs: pingIntervalMs(200, process.getuid?.() === 0),
        onReply: (a) => replies.push(a),
        log: () => undefined,
      });
      const pids = watch.pids();
      assert.equal(pids.length, 1);
      await sleep(1100);
      await watch.stop();
      assert.ok(replies.length >= 4, `${replies.length} replies in 1.1 s at 200 ms`);
      assert.ok(replies.every((a) => a === '127.0.0.1'));
      assert.equal(alive(pids[0] ?? 0), false);
    },
  );

  void it('restarts a ping that exits, logs it once, and restarts nothing after stop()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-ping-'));
    try {
      const program = join(dir, 'fake-ping');
      const count = join(dir, 'runs');
      // Prints one reply, says why it gives up (as iputils does without a route) and exits 2.
      writeFileSync(
        program,
        `#!/bin/sh\necho x >> ${count}\necho "64 bytes from $4: icmp_seq=1 ttl=64 time=0.1 ms"\necho "connect: Network is unreachable" >&2\nexit 2\n`,
      );
      chmodSync(program, 0o755);
      const replies: string[] = [];
      const logs: string[] = [];
      const watch = PingWatch.start({
        targets: [
          target('198.18.0.254'),
          { kind: 'ping_group', name: 'gw', addresses: ['198.18.0.254', '198.18.0.1'], at },
        ],
        intervalMs: 200,
        restartDelayMs: 100,
        command: program,
        onReply: (a) => replies.push(a),
        log: (_l, text, f) => logs.push(`${text} ${JSON.stringify(f ?? {})}`),
      });
      await sleep(700);
      await watch.stop();
      const runs = readFileSync(count, 'utf8').trim().split('\n').length;
      assert.ok(runs >= 6, `two addresses restarted every ~100 ms: ${runs} runs`);
      assert.ok(replies.includes('198.18.0.254') && replies.includes('198.18.0.1'));
      const restarts = logs.filter((l) => l.includes('restarting it'));
      assert.equal(restarts.length, 2, 'logged once per address');
      assert.match(restarts[0] ?? '', /Network is unreachable/);
      await sleep(300);
      assert.equal(
        readFileSync(count, 'utf8').trim().split('\n').length,
        runs,
        'nothing started after stop()',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
