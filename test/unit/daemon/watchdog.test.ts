// The ha.cf `watchdog` writer, tested against a FIFO the test reads (no watchdog device exists on
// the test machines): a keepalive byte every keepalive from the daemon's event loop, the magic
// close 'V' on a clean shutdown, nothing more once the daemon is SIGKILLed, and the restarted
// daemon feeding it again under the supervisor.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WatchdogWriter } from '../../../src/daemon/watchdog.js';
import { FifoReader, type FifoByte } from './fifo-reader.js';
import {
  alive,
  cleanup,
  daemonPid,
  exited,
  loopbackNode,
  mkfifo,
  read,
  startHbts,
  waitFor,
} from './loopback-node.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function gaps(bytes: readonly FifoByte[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < bytes.length; i++) out.push((bytes[i]?.at ?? 0) - (bytes[i - 1]?.at ?? 0));
  return out;
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

void describe('watchdog device writer', () => {
  void it('a keepalive byte every keepalive (100 ms), then V at a clean shutdown', async () => {
    const n = loopbackNode({ watchdogFifo: true });
    const reader = FifoReader.open(join(n.dir, 'watchdog'));
    let d: ChildProcess | undefined;
    try {
      d = startHbts(n, ['--no-supervise']);
      await waitFor('keepalives', () => reader.bytes().length >= 12);
      await sleep(500);
      const keep = reader.bytes();
      assert.ok(
        keep.every((b) => b.byte === '\0'),
        'keepalives are NUL bytes, as Heartbeat writes',
      );
      const g = gaps(keep);
      process.stdout.write(
        `# watchdog keepalives: ${keep.length} bytes, gap median ${median(g)} ms, max ${Math.max(...g)} ms\n`,
      );
      assert.ok(median(g) >= 80 && median(g) <= 130, `median gap ${median(g)} ms`);
      const span = (keep[keep.length - 1]?.at ?? 0) - (keep[0]?.at ?? 0);
      assert.ok(
        keep.length >= span / 100 - 2 && keep.length <= span / 100 + 3,
        `${keep.length} bytes in ${span} ms`,
      );
      assert.match(read(n.logFile), /info: watchdog armed device=\S+ keepalive_ms=100/);
      d.kill('SIGTERM');
      assert.deepEqual(await exited(d), { code: 0, signal: null });
      await sleep(300);
      const all = reader.bytes();
      assert.equal(all[all.length - 1]?.byte, 'V', 'the magic close is the last byte');
      assert.equal(all.filter((b) => b.byte === 'V').length, 1);
    } finally {
      reader.close();
      cleanup(n, [d]);
    }
  });

  void it('SIGKILL: no V, and nothing more after the kill', async () => {
    const n = loopbackNode({ watchdogFifo: true });
    const reader = FifoReader.open(join(n.dir, 'watchdog'));
    let d: ChildProcess | undefined;
    try {
      d = startHbts(n, ['--no-supervise']);
      await waitFor('keepalives', () => reader.bytes().length >= 5);
      d.kill('SIGKILL');
      await exited(d);
      const atKill = reader.bytes().length;
      await sleep(600);
      const all = reader.bytes();
      assert.equal(all.length, atKill, 'no byte after the kill');
      assert.ok(
        all.every((b) => b.byte === '\0'),
        'no magic close: the watchdog stays armed',
      );
    } finally {
      reader.close();
      cleanup(n, [d]);
    }
  });

  void it('under the supervisor, the restarted daemon feeds the watchdog again (no V in between)', async () => {
    const n = loopbackNode({ watchdogFifo: true });
    const reader = FifoReader.open(join(n.dir, 'watchdog'));
    const procs: (ChildProcess | number | undefined)[] = [];
    try {
      const sup = startHbts(n);
      procs.push(sup);
      await waitFor('keepalives', () => reader.bytes().length >= 5 && daemonPid(n) !== sup.pid);
      const pid = daemonPid(n);
      procs.push(pid);
      assert.ok(pid !== undefined);
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await waitFor('keepalives from the restarted daemon', () =>
        reader.bytes().some((b) => b.at > killedAt + 50),
      );
      const next = daemonPid(n);
      procs.push(next);
      assert.ok(next !== undefined && next !== pid && alive(next));
      const resumed = reader.bytes().find((b) => b.at > killedAt)?.at ?? 0;
      process.stdout.write(`# watchdog fed again ${resumed - killedAt} ms after the daemon was killed\n`);
      assert.ok(resumed - killedAt < 1000, 'fed again within deadtime');
      assert.ok(reader.bytes().every((b) => b.byte === '\0'));
      sup.kill('SIGTERM');
      assert.deepEqual(await exited(sup), { code: 0, signal: null });
      await sleep(200);
      assert.equal(reader.bytes().at(-1)?.byte, 'V');
    } finally {
      reader.close();
      cleanup(n, procs);
    }
  });

  void it('a device that cannot be opened is logged at crit and the daemon runs without it', () => {
    const lines: string[] = [];
    const log = (level: string, text: string, fields: Record<string, unknown>): void => {
      lines.push(`${level}: ${text} ${JSON.stringify(fields)}`);
    };
    assert.equal(WatchdogWriter.open('/nonexistent/watchdog', 100, log), undefined);
    assert.match(
      lines[0] ?? '',
      /^crit: watchdog device cannot be opened; running without a watchdog .*ENOENT/,
    );
    // a FIFO nobody reads: the non-blocking open fails at once instead of hanging the event loop
    const n = loopbackNode();
    try {
      const fifo = join(n.dir, 'nobody-reads');
      mkfifo(fifo);
      assert.equal(WatchdogWriter.open(fifo, 100, log), undefined);
      assert.match(lines[1] ?? '', /^crit: .*ENXIO/);
    } finally {
      cleanup(n, []);
    }
  });
});
