// realtime/rtprio: what ha.cf asks for, and applying it with a chrt stand-in that records its
// arguments (the real chrt needs root and would change this test runner's scheduling).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyRealtime, realtimePlan } from '../../../src/daemon/realtime.js';
import { runCommand, runCommandsAtNormalPriority } from '../../../src/resources/run-command.js';

let dir: string;

function fakeChrt(exitCode: number): string {
  const path = join(dir, `chrt${exitCode}`);
  writeFileSync(
    path,
    `#!/bin/sh\necho "$*" >> '${path}.trace'\nif [ "$1" = "--other" ]; then shift 2; exec "$@"; fi\necho "chrt: nope" >&2\nexit ${exitCode}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

void describe('realtime', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hbts-rt-'));
  });
  after(() => {
    runCommandsAtNormalPriority(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  void it('is on at priority 1 unless ha.cf says otherwise (last line wins)', () => {
    assert.deepEqual(realtimePlan(new Map()), { on: true, priority: 1 });
    assert.deepEqual(realtimePlan(new Map([['realtime', ['on', 'off']]])), { on: false, priority: 1 });
    assert.deepEqual(
      realtimePlan(
        new Map([
          ['realtime', ['yes']],
          ['rtprio', ['40']],
        ]),
      ),
      { on: true, priority: 40 },
    );
    assert.deepEqual(realtimePlan(new Map([['rtprio', ['0']]])), { on: true, priority: 1 });
  });

  void it('does nothing when off, and says why when chrt is missing or fails', async () => {
    assert.equal((await applyRealtime({ on: false, priority: 1 }, 1234, [])).applied, false);
    const missing = await applyRealtime({ on: true, priority: 1 }, 1234, [join(dir, 'no-chrt')]);
    assert.match(missing.detail, /chrt \(util-linux\) is not installed/);
    const failing = await applyRealtime({ on: true, priority: 1 }, 1234, [fakeChrt(1)]);
    assert.equal(failing.applied, false);
    assert.match(failing.detail, /chrt failed \(chrt: nope\)/);
  });

  void it('moves every thread to SCHED_RR, then runs scripts back at normal priority', async () => {
    const chrt = fakeChrt(0);
    const o = await applyRealtime({ on: true, priority: 7 }, 4321, [chrt]);
    assert.equal(o.applied, true, o.detail);
    const out = await runCommand({
      file: '/bin/echo',
      args: ['hello'],
      env: {},
      timeoutMs: 5000,
      killGraceMs: 100,
    });
    assert.ok(out.kind === 'exited' && out.code === 0 && out.stdout === 'hello\n', JSON.stringify(out));
    const trace = readFileSync(`${chrt}.trace`, 'utf8').trim().split('\n');
    assert.deepEqual(trace, ['--all-tasks --rr -p 7 4321', '--other 0 /bin/echo hello']);
    runCommandsAtNormalPriority(undefined);
  });
});
