import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import {
  KeyedGate,
  LOG_LINE_BURST,
  LOG_LINES_PER_SECOND,
  LineBudget,
  MAX_GATE_KEYS,
  reasonOf,
} from '../../../src/daemon/log-limits.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const haveTools = spawnSync('socat', ['-V']).status === 0 && spawnSync('logger', ['--help']).status === 0;

const event = {
  kind: 'peer-dead',
  level: 'warn',
  atMs: 1,
  node: 'node2',
  text: 'node node2: is dead',
} as unknown as ClusterEvent;

void describe('EventLog', () => {
  void it('writes logfile (no debug) and debugfile (everything), one key=value line per event', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-log-'));
    try {
      const log = new EventLog('node1', {
        logfile: join(dir, 'sub', 'ha-log'),
        debugfile: join(dir, 'ha-debug'),
        stderr: false,
        debug: false,
      });
      log.event(event);
      log.log('debug', 'tick', { n: 1 });
      log.close();
      const main = readFileSync(join(dir, 'sub', 'ha-log'), 'utf8');
      const debug = readFileSync(join(dir, 'ha-debug'), 'utf8');
      assert.match(main, /^\S+Z node1 hbts\[\d+\]: warn: peer-dead node=node2 text="node node2: is dead"\n$/);
      assert.doesNotMatch(main, /tick/);
      assert.match(debug, /debug: tick n=1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it(
    'sends syslog lines with the logfacility priority',
    { skip: haveTools ? false : 'socat or logger missing' },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hbts-syslog-'));
      const sock = join(dir, 'log');
      const out: string[] = [];
      const socat = spawn('socat', ['-u', `UNIX-RECV:${sock}`, '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
      socat.stdout.on('data', (b: Buffer) => out.push(b.toString('latin1')));
      try {
        for (let i = 0; i < 100 && !existsSync(sock); i++) await sleep(20);
        const log = new EventLog('node1', {
          logfacility: 'local0',
          syslogSocket: sock,
          stderr: false,
          debug: false,
        });
        log.event(event);
        for (let i = 0; i < 100 && out.join('').length === 0; i++) await sleep(20);
        log.close();
        // local0 (16) * 8 + warning (4) = 132
        assert.match(out.join(''), /^<132>.*heartbeat-ts.*warn: peer-dead node=node2/);
      } finally {
        socat.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  void it('takes at most the line budget, then says how many lines it dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-log-'));
    try {
      const file = join(dir, 'ha-log');
      const log = new EventLog('node1', { logfile: file, stderr: false, debug: false });
      const t0 = performance.now();
      for (let i = 0; i < 10_000; i++) log.log('warn', 'flood', { i });
      const refill = Math.ceil(((performance.now() - t0) * LOG_LINES_PER_SECOND) / 1000);
      const burst = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      assert.ok(burst.length <= LOG_LINE_BURST + refill + 1, `${burst.length} lines, refill ${refill}`);
      assert.equal(log.droppedLines, 10_000 - burst.length);
      // the drops are told at most once a second, with the next line that gets through
      await sleep(1050);
      log.log('warn', 'after');
      log.close();
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      assert.match(lines.at(-2) ?? '', /warn: log rate limit: \d+ lines dropped \(more than 50 a second\)/);
      assert.match(lines.at(-1) ?? '', /warn: after$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void describe('log limits', () => {
  void it('a token bucket: the burst at once, then the sustained rate', () => {
    const b = new LineBudget(10, 5);
    let taken = 0;
    for (let i = 0; i < 100; i++) if (b.take(0)) taken++;
    assert.equal(taken, 5);
    for (let t = 0; t <= 1000; t += 10) if (b.take(t)) taken++;
    assert.ok(taken >= 14 && taken <= 16, String(taken));
  });

  void it('a keyed gate lets one line per key per interval and never holds more than its key cap', () => {
    const g = new KeyedGate(10_000);
    assert.equal(g.allow('auth-rejected:bad-auth', 0), true);
    assert.equal(g.allow('auth-rejected:bad-auth', 5000), false);
    assert.equal(g.allow('auth-rejected:unknown-key', 5000), true);
    assert.equal(g.allow('auth-rejected:bad-auth', 10_000), true);
    for (let i = 0; i < 100_000; i++) g.allow(`k${i}`, 20_000);
    assert.ok(g.size <= MAX_GATE_KEYS);
    assert.equal(g.takeSuppressed(), 1);
    assert.equal(reasonOf('bad-auth: sha1 digest does not match'), 'bad-auth');
  });
});
