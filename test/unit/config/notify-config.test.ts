// `notify` and `notify_timeout`, our extension: in hbts.cf (no warning) or ha.cf (warned that real
// Heartbeat refuses it), the hook path must be absolute, the timeout positive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

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
