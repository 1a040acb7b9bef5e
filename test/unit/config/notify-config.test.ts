// `notify` and `notify_timeout`, our extension: in hbts.cf (no warning) or ha.cf (warned that real
// Heartbeat refuses it), the hook path must be absolute, the timeout positive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

void test('notify lines in hbts.cf: hooks in order with their words, default timeout 30 s', () => {
  const r = resolve(
    texts({ hbtsCf: 'notify /etc/ha.d/notify.sh\nnotify /usr/local/bin/page ops "two words"\n' }),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), []);
  assert.deepEqual(r.config?.notify, [
    { path: '/etc/ha.d/notify.sh', args: [], at: { file: 'hbts.cf', line: 1 } },
    { path: '/usr/local/bin/page', args: ['ops', '"two', 'words"'], at: { file: 'hbts.cf', line: 2 } },
  ]);
  assert.equal(r.config?.notifyTimeoutMs, 30_000);
});

void test('notify in ha.cf works, with the warning that real Heartbeat refuses it', () => {
  const r = resolve(withHaCf('notify /etc/ha.d/notify.sh', 'notify_timeout 5'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    'ha.cf:9: warning: notify, notify_timeout are heartbeat-ts extensions (lines 9, 10): real Heartbeat refuses a ha.cf holding them; in a cluster with Heartbeat nodes, move these lines to hbts.cf beside it',
  ]);
  assert.equal(r.config?.notifyTimeoutMs, 5000);
  assert.equal(r.config?.notify?.length, 1);
});

void test('a relative notify path and a zero timeout are errors with file:line', () => {
  const r = resolve(texts({ hbtsCf: 'notify notify.sh\nnotify_timeout 0\n' }));
  assert.deepEqual(errorsOf(r), [
    "hbts.cf:1: notify: the program must be an absolute path (it runs without a shell), e.g. `notify /etc/ha.d/notify.sh`, got 'notify.sh'",
    'hbts.cf:2: notify_timeout must be more than 0 (`0` is 0 ms)',
  ]);
});

void test('hbts check warns about a notify program that is not executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-notify-check-'));
  try {
    writeFileSync(
      join(dir, 'ha.cf'),
      'keepalive 2\ndeadtime 10\ninitdead 20\nbcast lo\nauto_failback on\nnode node1 node2\n',
    );
    writeFileSync(join(dir, 'authkeys'), 'auth 1\n1 sha1 s3cret\n', { mode: 0o600 });
    chmodSync(join(dir, 'authkeys'), 0o600);
    writeFileSync(join(dir, 'hook.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'hook.sh'), 0o644);
    writeFileSync(join(dir, 'hbts.cf'), `notify ${join(dir, 'hook.sh')}\n`);
    const r = spawnSync(process.execPath, [MAIN, 'check', '--config-dir', dir, '--node-name', 'node1'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr + r.stdout,
      new RegExp(
        `hbts\\.cf:1: (warning: )?on this host: notify program ${join(dir, 'hook.sh')} is not an executable file`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
