// IpBatch: the daemon's one long-running `ip -batch -`. Real iproute2 `ip` (read-only commands,
// no root needed), behind a wrapper that records every process started, so the tests see that
// commands share one process, that a failing command is told apart from the next one, and that
// an `ip` that cannot batch (or hangs) falls back to a process per command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { IpBatch } from '../../../src/resources/ip-batch.js';

const hasIp = spawnSync('ip', ['-V']).status === 0;
let dir: string;

function wrapper(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${path}.trace'\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const traceOf = (path: string): string[] =>
  readFileSync(`${path}.trace`, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

void describe('IpBatch', { skip: hasIp ? false : "iproute2's ip is not installed" }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hbts-ipbatch-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void it('runs many commands through one ip process, each answer its own', async () => {
    const ip = wrapper('ip', 'exec ip "$@"');
    const b = new IpBatch(ip, {}, 500);
    try {
      const lo = await b.run(['-o', '-4', 'link', 'show', 'dev', 'lo'], 5000);
      assert.ok(lo.ok, JSON.stringify(lo));
      assert.match(lo.stdout, /^1: lo: /);
      assert.doesNotMatch(lo.stdout, /hbtsmk/);
      const missing = await b.run(['-4', 'link', 'show', 'dev', 'nosuchdev0'], 5000);
      assert.equal(missing.ok, false);
      assert.ok(
        !missing.ok && /nosuchdev0/.test(missing.detail) && !/hbtsmk/.test(missing.detail),
        JSON.stringify(missing),
      );
      // a failure does not stick to the next command, and answers come back in order
      const [a, c] = await Promise.all([
        b.run(['-4', 'link', 'show', 'dev', 'lo'], 5000),
        b.run(['-4', 'link', 'show', 'dev', 'nosuchdev1'], 5000),
      ]);
      assert.ok(a.ok && /lo:/.test(a.stdout));
      assert.ok(!c.ok && /nosuchdev1/.test(c.detail));
      assert.deepEqual(traceOf(ip), ['-4 -o -force -batch -']);
    } finally {
      b.close();
    }
  });

  void it('runs a command on its own when it needs options the batch does not have', async () => {
    const ip = wrapper('ip2', 'exec ip "$@"');
    const b = new IpBatch(ip, {}, 500);
    try {
      const r = await b.run(['-6', 'link', 'show', 'dev', 'lo'], 5000);
      assert.ok(r.ok);
      assert.deepEqual(traceOf(ip), ['-6 link show dev lo']);
    } finally {
      b.close();
    }
  });

  void it('falls back to a process per command when ip cannot run a batch', async () => {
    const ip = wrapper(
      'ip3',
      'case "$*" in *-batch*) echo "no batch here" >&2; exit 2;; esac\necho "single $*"',
    );
    const b = new IpBatch(ip, {}, 500);
    try {
      const r1 = await b.run(['-4', 'addr', 'show'], 5000);
      assert.ok(r1.ok && r1.stdout === 'single -4 addr show\n', JSON.stringify(r1));
      const r2 = await b.run(['-4', 'addr', 'show'], 5000);
      assert.ok(r2.ok);
      // one batch attempt only, then a process per command
      assert.deepEqual(traceOf(ip), ['-4 -o -force -batch -', '-4 addr show', '-4 addr show']);
    } finally {
      b.close();
    }
  });

  void it('a batch that does not answer in time fails that command; the next one gets a new process', async () => {
    const flag = join(dir, 'hung-once');
    const ip = wrapper('ip4', `if [ ! -e '${flag}' ]; then touch '${flag}'; exec sleep 30; fi\nexec ip "$@"`);
    const b = new IpBatch(ip, {}, 500);
    try {
      const r1 = await b.run(['-4', 'link', 'show', 'dev', 'lo'], 300);
      assert.ok(!r1.ok && /no answer within 300 ms/.test(r1.detail), JSON.stringify(r1));
      const r2 = await b.run(['-4', 'link', 'show', 'dev', 'lo'], 5000);
      assert.ok(r2.ok && /lo:/.test(r2.stdout), JSON.stringify(r2));
      assert.deepEqual(traceOf(ip), ['-4 -o -force -batch -', '-4 -o -force -batch -']);
    } finally {
      b.close();
    }
  });
});
