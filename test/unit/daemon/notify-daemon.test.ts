// The real daemon on loopback with a `notify` hook in hbts.cf: the hook sees the group's takeover
// and release in order with the documented variables; `hbts events` and `hbts why` read the same
// events over the control socket.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hbtsMain } from '../../../src/lab/dist-paths.js';
import { cleanup, exited, loopbackNode, read, startHbts, waitFor } from './loopback-node.js';

function hbts(args: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [hbtsMain, ...args], { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

void test('daemon: a notify hook gets takeover..released in order; hbts events and hbts why read the same events', async () => {
  const n = loopbackNode();
  const hookOut = join(n.dir, 'hook.out');
  const hook = join(n.dir, 'hook.sh');
  writeFileSync(
    hook,
    `#!/bin/sh\necho "$HBTS_SEQ $HBTS_EVENT node=$HBTS_NODE group=$HBTS_GROUP self=$HBTS_SELF time=$HBTS_TIME reason=$HBTS_REASON" >> ${hookOut}\n`,
  );
  chmodSync(hook, 0o755);
  writeFileSync(join(n.configDir, 'hbts.cf'), `notify ${hook}\nnotify_timeout 5\n`);
  let d: ChildProcess | undefined;
  try {
    d = startHbts(n, ['--no-supervise']);
    await waitFor('the hook to see the group acquired', () => / acquired /.test(read(hookOut)));
    const runDir = ['--run-dir', n.runDir];

    const ev = hbts(['events', '--json', ...runDir]);
    assert.equal(ev.code, 0, ev.err);
    const events = ev.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; kind: string; group?: string; time: string });
    const takeover = events.find((e) => e.kind === 'takeover');
    assert.equal(takeover?.group, 'marker');
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'numbered 1, 2, ... without gaps',
    );
    const text = hbts(['events', ...runDir]);
    assert.match(
      text.out,
      /^\S+Z #\d+ info: takeover group=marker text="acquiring group marker \(placement\)"$/m,
    );
    const since = hbts(['events', '--since', String(takeover?.seq ?? 0), '--json', ...runDir]);
    assert.equal(JSON.parse(since.out.split('\n')[0] ?? '{}').seq, (takeover?.seq ?? 0) + 1);

    const why = hbts(['why', 'marker', ...runDir]);
    assert.equal(why.code, 0, why.err);
    assert.match(why.out, /^group marker \(home a\) runs on a \(this node\)\.$/m);
    assert.match(why.out, /auto_failback on: it belongs on its home node, and is there\./);
    assert.match(why.out, /acquiring group marker \(placement\)/);
    const unknown = hbts(['why', 'nope', ...runDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no resource group 'nope' \(groups: marker\)/);

    const status = hbts(['status', '--json', ...runDir]);
    const counters = (JSON.parse(status.out) as { events: { notify: { hooks: number; ok: number } } }).events
      .notify;
    assert.equal(counters.hooks, 1);
    assert.ok(counters.ok >= 2);

    // --follow: started now, it prints the release that the shutdown below causes
    const follower = spawn(process.execPath, [hbtsMain, 'events', '--follow', '--json', ...runDir], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let followed = '';
    follower.stdout.on('data', (c: Buffer) => (followed += c.toString()));
    try {
      await waitFor('the follower printed the history', () => followed.includes('"kind":"acquired"'));
      d.kill('SIGTERM');
      await waitFor('the follower printed the release', () => followed.includes('"kind":"released"'));
    } finally {
      follower.kill();
    }
    const followedSeqs = followed
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    assert.deepEqual(
      followedSeqs,
      followedSeqs.map((_, i) => i + 1),
      'every event once, in order',
    );
    assert.deepEqual(await exited(d), { code: 0, signal: null });
    // the daemon waited for the hook runs of its release before it exited
    const lines = read(hookOut).trim().split('\n');
    const kinds = lines.map((l) => l.split(' ')[1]);
    const order = ['takeover', 'acquired', 'release', 'released'].map((k) => kinds.indexOf(k));
    assert.ok(
      order.every((i, j) => i >= 0 && (j === 0 || i > (order[j - 1] ?? 0))),
      kinds.join(','),
    );
    const seqs = lines.map((l) => Number(l.split(' ')[0]));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'hooks ran in event order',
    );
    assert.match(
      lines[kinds.indexOf('takeover')] ?? '',
      /^\d+ takeover node= group=marker self=a time=\d{4}-\d\d-\d\dT[\d:.]+Z reason=acquiring group marker \(placement\)$/,
    );
  } finally {
    cleanup(n, [d]);
  }
});
