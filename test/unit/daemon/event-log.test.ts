import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import { EventLog } from '../../../src/daemon/event-log.js';

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
});
