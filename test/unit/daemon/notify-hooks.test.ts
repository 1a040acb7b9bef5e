// Notify hooks: real scripts run in order with the documented variables; a hook past its timeout
// is killed and later runs still happen; a full queue drops runs and says so.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ClusterEvent } from '../../../src/cluster/types.js';
import type { NotifyHook } from '../../../src/config/notify-config.js';
import { EventHistory } from '../../../src/daemon/event-history.js';
import { NotifyHooks } from '../../../src/daemon/notify-hooks.js';

const dir = mkdtempSync(join(tmpdir(), 'hbts-notify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const at = { file: 'hbts.cf', line: 1 };

function script(name: string, body: string): NotifyHook {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { path, args: [], at };
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

interface EventFields {
  readonly node?: string;
  readonly group?: string;
  readonly medium?: string;
  readonly level?: ClusterEvent['level'];
  readonly text?: string;
}
// Branded ids are only strings at run time.
const ev = (kind: ClusterEvent['kind'], extra: EventFields = {}): ClusterEvent =>
  ({ kind, level: 'info', atMs: 0, text: `${kind} text`, ...extra }) as ClusterEvent;

void test('a notify script gets takeover and release events in order, with the HBTS_* variables', async () => {
  const out = join(dir, 'order.out');
  const hook = script(
    'record.sh',
    `echo "$HBTS_SEQ|$HBTS_EVENT|$HBTS_NODE|$HBTS_GROUP|$HBTS_TIME|$HBTS_REASON|$HBTS_SELF|$HBTS_CLUSTER|$HBTS_LEVEL|$HBTS_MEDIUM|$1" >> ${out}`,
  );
  const logged: string[] = [];
  const hooks = new NotifyHooks([{ ...hook, args: ['arg one'] }], 5000, 'node1', 'linux-ha', (l, w) =>
    logged.push(`${l} ${w}`),
  );
  const history = new EventHistory();
  const wall = Date.parse('2026-11-29T18:00:00.000Z');
  const events = [
    ev('peer-dead', { node: 'node2', text: 'no heartbeat for 10000 ms' }),
    ev('takeover', { node: 'node1', group: 'node2', text: 'failover of node2' }),
    ev('acquired', { group: 'node2' }),
    ev('link-dead', { node: 'node2', medium: 'bcast:eth0:694', level: 'debug' }),
    ev('release', { group: 'node2', text: 'standby all' }),
    ev('released', { group: 'node2' }),
  ];
  for (const [i, e] of events.entries()) hooks.push(history.record(e, wall + i));
  // push returns at once: the first run has started, the other four wait (the core never waits)
  assert.equal(hooks.counters().queued, 4);
  await hooks.idle();
  const lines = read(out).trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split('|')[1]),
    ['peer-dead', 'takeover', 'acquired', 'release', 'released'],
    'debug events are not sent, the rest in order',
  );
  assert.equal(
    lines[1],
    '2|takeover|node1|node2|2026-11-29T18:00:00.001Z|failover of node2|node1|linux-ha|info||arg one',
  );
  assert.deepEqual(
    lines.map((l) => Number(l.split('|')[0])),
    [1, 2, 3, 5, 6],
  );
  assert.deepEqual(hooks.counters(), { ok: 5, failed: 0, timedOut: 0, dropped: 0, queued: 0 });
  assert.deepEqual(logged, []);
});

void test('a hook that sleeps past notify_timeout is killed (with what it started) and later hooks still run', async () => {
  const out = join(dir, 'timeout.out');
  const pidFile = join(dir, 'sleeper.pid');
  const slow = script('slow.sh', `sleep 30 & echo $! > ${pidFile}; wait; echo "slow done" >> ${out}`);
  const fast = script('fast.sh', `echo "fast $HBTS_EVENT $HBTS_SEQ" >> ${out}`);
  const logged: string[] = [];
  const hooks = new NotifyHooks([slow, fast], 300, 'node1', 'linux-ha', (l, w, f) =>
    logged.push(`${l} ${w} ${String(f['hook'])}`),
  );
  const history = new EventHistory();
  const started = Date.now();
  hooks.push(history.record(ev('takeover', { group: 'g' }), Date.now()));
  hooks.push(history.record(ev('release', { group: 'g' }), Date.now()));
  await hooks.idle();
  const took = Date.now() - started;
  assert.equal(read(out), 'fast takeover 1\nfast release 2\n', 'the fast hook ran for both events, in order');
  assert.equal(hooks.counters().timedOut, 2);
  assert.equal(hooks.counters().ok, 2);
  assert.ok(took < 5000, `two timeouts of 300 ms took ${took} ms`);
  assert.equal(logged.filter((l) => l.includes('killed after 300 ms')).length, 2);
  // the sleep the script started is gone too (its process group was killed)
  const sleeper = Number(read(pidFile).trim());
  assert.ok(sleeper > 0);
  await new Promise((r) => setTimeout(r, 1500));
  // gone, or a zombie nobody reaped yet (PID 1 of a container may not reap)
  const state = /^\d+ \(.*\) (\S)/.exec(read(`/proc/${sleeper}/stat`))?.[1];
  assert.ok(
    state === undefined || state === 'Z',
    `the background sleep was killed with its group (state ${state})`,
  );
});

void test('a full queue drops runs, counts them and logs it once', async () => {
  const out = join(dir, 'drops.out');
  const slow = script('slow-ok.sh', `sleep 0.3; echo "$HBTS_SEQ" >> ${out}`);
  const logged: string[] = [];
  const hooks = new NotifyHooks(
    [slow],
    5000,
    'node1',
    'c',
    (l, w, f) => logged.push(`${l} ${w} dropped=${String(f['dropped'])}`),
    3,
  );
  const history = new EventHistory();
  for (let i = 0; i < 10; i++) hooks.push(history.record(ev('note'), Date.now()));
  // the first started at once, three wait, six were dropped
  assert.deepEqual(hooks.counters(), { ok: 0, failed: 0, timedOut: 0, dropped: 6, queued: 3 });
  await hooks.idle();
  assert.equal(read(out), '1\n2\n3\n4\n');
  assert.equal(hooks.counters().dropped, 6);
  assert.equal(logged[0], 'warn notify queue full: hook runs dropped dropped=1');
  assert.equal(
    logged[1],
    'warn notify queue full: hook runs dropped dropped=5',
    'the rest said once when drained',
  );
  assert.equal(logged.length, 2);
});

void test('a hook that fails or cannot start is logged and does not stop the queue', async () => {
  const out = join(dir, 'fail.out');
  const bad = script('bad.sh', 'echo oops >&2; exit 3');
  const missing: NotifyHook = { path: join(dir, 'no-such-hook'), args: [], at };
  const good = script('good.sh', `echo ok >> ${out}`);
  const logged: string[] = [];
  const hooks = new NotifyHooks([bad, missing, good], 5000, 'n', 'c', (l, w, f) =>
    logged.push(`${w} ${String(f['outcome'])}`),
  );
  hooks.push(new EventHistory().record(ev('peer-up'), Date.now()));
  await hooks.idle();
  assert.equal(read(out), 'ok\n');
  assert.deepEqual(hooks.counters(), { ok: 1, failed: 2, timedOut: 0, dropped: 0, queued: 0 });
  assert.match(logged[0] ?? '', /notify hook failed rc=3 stderr="oops"/);
  assert.match(logged[1] ?? '', /notify hook failed spawn-error=/);
});
