// Script records and the start-up policy for scripts a killed daemon left running: the record is
// durable before the script runs and gone after it; a restarted daemon kills a live orphan's whole
// process group (SIGTERM, then SIGKILL), never a process that only reuses a recorded pid, and
// returns the groups to stop before probing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnotherDaemonError, reapOrphanScripts, type OrphanLog } from '../../../src/daemon/orphan-scripts.js';
import { bootId, readStat } from '../../../src/daemon/proc-table.js';
import { ScriptRecords, type ScriptRecord } from '../../../src/daemon/script-records.js';
import { alive, group, sandbox, sandboxRunner, type Sandbox } from '../resources/fixtures.js';

const fixture = fileURLToPath(new URL('./orphan-fixture.js', import.meta.url));
/** Above any pid_max (2^22): a daemon pid that cannot be alive. */
const DEAD_PID = 4194304;

let box: Sandbox;
let recDir: string;
/** Process groups the test started: SIGKILLed after each test, whatever happened. */
const startedGroups: number[] = [];
beforeEach(() => {
  box = sandbox();
  recDir = join(box.root, 'scripts');
});
afterEach(() => {
  for (const pgid of startedGroups.splice(0)) killGroup(pgid);
  box.cleanup();
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
}

const quietLog: OrphanLog = () => undefined;

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process group of its own running `sleep 30`, with extra environment. */
function detachedSleep(env: Record<string, string> = {}): number {
  const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  assert.ok(c.pid !== undefined);
  startedGroups.push(c.pid);
  return c.pid;
}

function writeRecord(rec: Partial<ScriptRecord> & { id: string }): void {
  mkdirSync(recDir, { recursive: true, mode: 0o700 });
  const full: ScriptRecord = {
    bootId: bootId(),
    daemonPid: DEAD_PID,
    daemonStartTicks: 1,
    group: 'svc',
    resource: 'svc',
    op: 'start',
    file: '/etc/ha.d/resource.d/svc',
    timeoutMs: 60000,
    recordedAt: new Date().toISOString(),
    ...rec,
  };
  writeFileSync(join(recDir, `${rec.id}.json`), JSON.stringify(full));
}

const ID = 'a'.repeat(32);

void describe('script records', () => {
  void it('a start script finds its own durable record (with its pid as pgid) while it runs; gone after', async () => {
    const seen = join(box.root, 'seen');
    box.script(
      box.resourceDir,
      'svc',
      `for op; do :; done
if [ "$op" = start ]; then
  sleep 0.3
  { echo "env=$HBTS_SCRIPT_ID pid=$$"; cat "${recDir}"/*.json; } > '${seen}'
fi
if [ "$op" = status ]; then ls "${recDir}" | wc -l > '${seen}.status'; fi
exit 0`,
    );
    const records = new ScriptRecords(recDir);
    records.open();
    const { r } = sandboxRunner(box, [group('alpha', 'svc')], { scripts: records });
    const res = await r.acquireGroup(group('alpha', 'svc'));
    assert.equal(res.ok, true, res.detail);
    const [head = '', json = ''] = readFileSync(seen, 'utf8').split('\n');
    const m = /^env=([0-9a-f]{32}) pid=(\d+)$/.exec(head);
    assert.ok(m, head);
    const rec = JSON.parse(json) as ScriptRecord;
    assert.equal(rec.id, m[1]);
    assert.equal(rec.pgid, Number(m[2]));
    assert.equal(rec.op, 'start');
    assert.equal(rec.group, 'svc');
    assert.equal(rec.daemonPid, process.pid);
    assert.ok(rec.pgidStartTicks !== undefined && rec.pgidStartTicks > 0);
    assert.equal(readFileSync(`${seen}.status`, 'utf8').trim(), '0', 'status scripts are not recorded');
    assert.deepEqual(readdirSync(recDir), [], 'the record is removed when the script ends');
  });

  void it('a start that cannot be recorded is not run; a stop still is', async () => {
    box.script(box.resourceDir, 'svc', `for op; do :; done; echo "$op" >> "$TRACE"; exit 0`);
    const records = new ScriptRecords(join(box.root, 'missing', 'scripts')); // never opened
    const { r, log } = sandboxRunner(box, [group('alpha', 'svc')], { scripts: records });
    const res = await r.acquireGroup(group('alpha', 'svc'));
    assert.equal(res.ok, false);
    assert.match(log.text(), /cannot record the start script before running it/);
    assert.ok(!box.trace().includes('start'), box.trace().join(','));
    assert.ok(box.trace().includes('stop'), 'the rollback stop ran anyway');
  });
});

void describe('reapOrphanScripts', () => {
  void it('kills the whole process group a SIGKILLed daemon left starting, and returns its group', async () => {
    const pids = join(box.root, 'pids');
    box.script(
      box.resourceDir,
      'svc',
      `for op; do :; done
[ "$op" = start ] || exit 0
exec >/dev/null 2>&1
sleep 30 &
echo "$$ $!" > '${pids}.tmp'; mv '${pids}.tmp' '${pids}'
wait`,
    );
    const daemon = spawn(process.execPath, [fixture, recDir, box.configDir], { stdio: 'ignore' });
    await waitFor('the start script to run', () => existsSync(pids));
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
    const [script, child] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
    assert.ok(script !== undefined && child !== undefined);
    startedGroups.push(script);
    assert.ok(alive(script) && alive(child), 'the orphan outlived its daemon');
    assert.equal(readdirSync(recDir).length, 1);

    const lines: string[] = [];
    const groups = await reapOrphanScripts(new ScriptRecords(recDir), {
      killGraceMs: 1000,
      log: (level, text, fields) => lines.push(`${level} ${text} ${JSON.stringify(fields)}`),
    });
    assert.deepEqual(groups, ['svc']);
    assert.ok(!alive(script) && !alive(child), 'script and its child are gone');
    assert.deepEqual(readdirSync(recDir), []);
    assert.match(
      lines.join('\n'),
      new RegExp(`warn script left running by the previous run.*"pgid":"${script}"`),
    );
  });

  void it('a process that reuses the recorded pid (other start time) is left alone', async () => {
    const pid = detachedSleep();
    const ticks = readStat(pid)?.startTicks ?? 0;
    writeRecord({ id: ID, pgid: pid, pgidStartTicks: ticks - 1 });
    const groups = await reapOrphanScripts(new ScriptRecords(recDir), { killGraceMs: 200, log: quietLog });
    assert.ok(alive(pid), 'not ours: not killed');
    assert.deepEqual(groups, ['svc'], 'the interrupted start is still cleaned up');
    assert.deepEqual(readdirSync(recDir), []);
  });

  void it('a record written before the spawn (no pgid yet) finds the script by HBTS_SCRIPT_ID', async () => {
    const pid = detachedSleep({ HBTS_SCRIPT_ID: ID });
    const other = detachedSleep({ HBTS_SCRIPT_ID: 'b'.repeat(32) });
    writeRecord({ id: ID });
    await reapOrphanScripts(new ScriptRecords(recDir), { killGraceMs: 200, log: quietLog });
    assert.ok(!alive(pid), 'the script with our id is killed');
    assert.ok(alive(other), 'a script with another id is not');
  });

  void it('a script that ignores SIGTERM gets SIGKILL after the grace', async () => {
    const file = join(box.root, 'stubborn');
    writeFileSync(file, `trap '' TERM\nwhile :; do sleep 0.05; done\n`);
    const c = spawn('/bin/sh', [file], { detached: true, stdio: 'ignore' });
    const pid = c.pid ?? 0;
    startedGroups.push(pid);
    await waitFor('the script', () => readStat(pid) !== undefined);
    writeRecord({ id: ID, pgid: pid, pgidStartTicks: readStat(pid)?.startTicks ?? 0 });
    const t0 = performance.now();
    await reapOrphanScripts(new ScriptRecords(recDir), { killGraceMs: 400, log: quietLog });
    const took = performance.now() - t0;
    await waitFor('exit', () => c.exitCode !== null || c.signalCode !== null);
    assert.equal(c.signalCode, 'SIGKILL');
    assert.ok(took >= 400, `waited the grace before SIGKILL (${Math.round(took)} ms)`);
  });

  void it('a record from another boot is dropped: nothing killed, nothing to clean', async () => {
    const pid = detachedSleep();
    writeRecord({
      id: ID,
      bootId: 'another-boot',
      pgid: pid,
      pgidStartTicks: readStat(pid)?.startTicks ?? 0,
    });
    const groups = await reapOrphanScripts(new ScriptRecords(recDir), { killGraceMs: 200, log: quietLog });
    assert.deepEqual(groups, []);
    assert.ok(alive(pid));
    assert.deepEqual(readdirSync(recDir), []);
  });

  void it('a record of a daemon that is still running: refused, nothing killed', async () => {
    const pid = detachedSleep();
    const me = readStat(process.pid)?.startTicks;
    writeRecord({
      id: ID,
      daemonPid: process.pid,
      daemonStartTicks: me,
      pgid: pid,
      pgidStartTicks: readStat(pid)?.startTicks ?? 0,
    });
    await assert.rejects(
      reapOrphanScripts(new ScriptRecords(recDir), { killGraceMs: 200, log: quietLog }),
      (err: Error) =>
        err instanceof AnotherDaemonError && /is still running on this state dir/.test(err.message),
    );
    assert.ok(alive(pid));
  });
});
