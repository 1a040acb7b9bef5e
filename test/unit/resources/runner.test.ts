// The resource runner against scripts written by the test: invocation, environment, lookup order,
// status rules, timeouts and the group failure handling.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ResourceLocator } from '../../../src/config/load.js';
import {
  createResourceRunner,
  locateResource,
  resourceLocator,
  type ResourceRunnerOptions,
} from '../../../src/resources/index.js';
import {
  alive,
  captureLog,
  group,
  makeConfig,
  node,
  rsc,
  sandbox,
  sandboxRunner,
  zombieChildren,
  type Sandbox,
} from './fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  box.cleanup();
});

function runner(groups = [group('alpha', 'svc')], extra: Partial<ResourceRunnerOptions> = {}) {
  return sandboxRunner(box, groups, extra);
}

/** A heartbeat-style service whose state is a file: start creates it, stop removes it. */
function stateScript(dir: string, name: string, extra = ''): string {
  const state = join(box.root, `${name}.state`);
  return box.script(
    dir,
    name,
    `echo "${name} $*" >> "$TRACE"
${extra}
for op; do :; done
case "$op" in
  start) touch '${state}';;
  stop) rm -f '${state}';;
  status) if [ -e '${state}' ]; then echo "${name} is running"; else echo "${name} is stopped"; fi;;
esac
exit 0`,
  );
}

void describe('invocation', () => {
  void it('runs resource.d scripts as NAME args... op, the operation last', async () => {
    box.script(box.resourceDir, 'svc', `echo "argv=[$*]" >> "$TRACE"; exit 0`);
    const { r } = runner([group('alpha', 'svc::one::two')]);
    const res = await r.acquireGroup(group('alpha', 'svc::one::two'));
    assert.equal(res.ok, true, res.detail);
    assert.deepEqual(box.trace(), ['argv=[one two status]', 'argv=[one two start]']);
    const rel = await r.releaseGroup(group('alpha', 'svc::one::two'));
    assert.equal(rel.ok, true, rel.detail);
    assert.equal(box.trace().at(-1), 'argv=[one two stop]');
  });

  void it('gives scripts the Heartbeat environment', async () => {
    box.script(box.resourceDir, 'svc', `env > '${box.root}/env.out'; echo running`);
    const { r } = runner(undefined, { env: { HA_EXTRA: 'x' } });
    await r.statusResource(rsc('svc'));
    const env = new Map(
      readFileSync(join(box.root, 'env.out'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
    );
    assert.equal(env.get('HA_CURHOST'), 'alpha');
    assert.equal(env.get('HA_keepalive'), '2');
    assert.equal(env.get('HA_deadtime'), '10');
    assert.equal(env.get('HA_auto_failback'), 'on');
    assert.equal(env.get('HA_node'), 'alpha beta');
    assert.equal(env.get('HA_DIR'), box.configDir);
    assert.equal(env.get('HA_RESOURCEDIR'), box.resourceDir);
    assert.equal(env.get('HA_RCDIR'), join(box.configDir, 'rc.d'));
    assert.equal(env.get('HA_FUNCS'), join(box.configDir, 'shellfuncs'));
    assert.equal(env.get('HA_LOGFILE'), '/var/log/ha-log');
    assert.equal(env.has('HA_DEBUGLOG'), false);
    assert.equal(env.get('HA_NICEFAILBACK'), 'yes');
    assert.equal(env.get('OCF_ROOT'), box.ocfRoot);
    assert.equal(env.get('HA_EXTRA'), 'x');
    assert.match(env.get('PATH') ?? '', /\/usr\/sbin/);
  });

  void it('does not set HA_NICEFAILBACK for auto_failback legacy', async () => {
    box.script(box.resourceDir, 'svc', `echo "nice=\${HA_NICEFAILBACK:-unset}" >> "$TRACE"`);
    const log = captureLog();
    const r = createResourceRunner({
      config: makeConfig(box.configDir, [], { autoFailback: 'legacy' }),
      self: node('alpha'),
      initDir: box.initDir,
      log: log.log,
    });
    await r.statusResource(rsc('svc'));
    assert.deepEqual(box.trace(), ['nice=unset']);
  });
});

void describe('lookup order', () => {
  void it('prefers resource.d over init.d', async () => {
    box.script(box.resourceDir, 'svc', `echo "resource.d $*" >> "$TRACE"`);
    box.script(box.initDir, 'svc', `echo "init.d $*" >> "$TRACE"`);
    const { r } = runner();
    const st = await r.statusResource(rsc('svc'));
    assert.equal(st.agent, 'heartbeat');
    assert.deepEqual(box.trace(), ['resource.d status']);
  });

  void it('falls back to init.d (LSB) when resource.d has no executable of that name', async () => {
    box.script(box.resourceDir, 'svc', `echo "not executable" >> "$TRACE"`, 0o644);
    box.script(box.initDir, 'svc', `echo "init.d $*" >> "$TRACE"; exit 3`);
    const { r } = runner();
    const st = await r.statusResource(rsc('svc'));
    assert.equal(st.agent, 'lsb');
    assert.equal(st.state, 'stopped');
    assert.deepEqual(box.trace(), ['init.d status']);
  });

  void it('fails a start of a script found nowhere, with the places it looked', async () => {
    const { r } = runner([group('alpha', 'nosuch')]);
    const res = await r.acquireGroup(group('alpha', 'nosuch'));
    assert.equal(res.ok, false);
    assert.match(res.detail, /Cannot locate resource script nosuch/);
    assert.ok(res.detail.includes(box.resourceDir) && res.detail.includes(box.initDir));
    assert.deepEqual(res.stopFailures, []);
  });

  void it('locateResource answers the same lookup in words, for config checks', () => {
    box.script(box.resourceDir, 'svc', 'exit 0');
    box.script(box.initDir, 'web', 'exit 0');
    const opts = { configDir: box.configDir, initDir: box.initDir, ocfRoot: box.ocfRoot };
    // resourceLocator plugs it into the config loader's host checks.
    const locator: ResourceLocator = resourceLocator({ initDir: box.initDir, ocfRoot: box.ocfRoot });
    assert.equal(locator(rsc('web'), box.configDir).ok, true);
    assert.equal(locator(rsc('nosuch'), box.configDir).ok, false);
    assert.deepEqual(locateResource(rsc('svc::a'), opts), {
      ok: true,
      kind: 'heartbeat',
      where: `${join(box.resourceDir, 'svc')} (heartbeat-style)`,
    });
    assert.deepEqual(locateResource(rsc('web'), opts), {
      ok: true,
      kind: 'lsb',
      where: `${join(box.initDir, 'web')} (LSB)`,
    });
    assert.deepEqual(locateResource(rsc('198.18.40.10/24'), opts), {
      ok: true,
      kind: 'builtin-ip',
      where: 'built-in IPaddr',
    });
    const missing = locateResource(rsc('nosuch'), opts);
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.error, /Cannot locate resource script nosuch/);
    const badIp = locateResource(rsc('IPaddr2::198.18.40.300'), opts);
    assert.equal(badIp.ok, false);
  });

  void it('rejects resource names with a slash', async () => {
    const { r } = runner();
    const st = await r.statusResource({ raw: '../x', agent: '../x', args: [] });
    assert.equal(st.agent, 'missing');
    assert.equal(st.state, 'unknown');
  });

  void it('accepts a group given by id', async () => {
    stateScript(box.resourceDir, 'svc');
    const { r } = runner([group('alpha', 'svc')]);
    const res = await r.acquireGroup(group('alpha', 'svc').id);
    assert.equal(res.ok, true, res.detail);
    const unknown = await r.acquireGroup('nope' as never);
    assert.equal(unknown.ok, false);
    assert.match(unknown.detail, /unknown resource group nope/);
  });
});

void describe('status rules', () => {
  void it('heartbeat-style: output "running" means running whatever the exit code; start is skipped', async () => {
    box.script(box.resourceDir, 'svc', `echo "svc $*" >> "$TRACE"; echo "svc is Running"; exit 3`);
    const { r } = runner();
    const res = await r.acquireGroup(group('alpha', 'svc'));
    assert.equal(res.ok, true);
    assert.deepEqual(box.trace(), ['svc status']);
    assert.deepEqual(
      res.steps.map((s) => `${s.op}:${s.outcome}`),
      ['status:ok', 'start:skipped'],
    );
  });

  void it('heartbeat-style: "not running" with exit 0 is stopped, so start runs', async () => {
    box.script(box.resourceDir, 'svc', `echo "svc $*" >> "$TRACE"; echo "svc is NOT running"; exit 0`);
    const { r } = runner();
    const res = await r.acquireGroup(group('alpha', 'svc'));
    assert.equal(res.ok, true);
    assert.deepEqual(box.trace(), ['svc status', 'svc start']);
  });

  void it('heartbeat-style: OK means running, silence means stopped', async () => {
    box.script(box.resourceDir, 'ok', `echo "all OK"`);
    box.script(box.resourceDir, 'quiet', `exit 0`);
    const { r } = runner();
    assert.equal((await r.statusResource(rsc('ok'))).state, 'running');
    assert.equal((await r.statusResource(rsc('quiet'))).state, 'stopped');
  });

  void it('LSB: exit 0 running even when silent, 3 stopped, 4 falls back to output', async () => {
    box.script(box.initDir, 'zero', `exit 0`);
    box.script(box.initDir, 'three', `echo "three is running (or so it claims)"; exit 3`);
    box.script(box.initDir, 'four', `echo "four: running"; exit 4`);
    box.script(box.initDir, 'liar', `echo "liar is not running"; exit 0`);
    const { r } = runner();
    assert.equal((await r.statusResource(rsc('zero'))).state, 'running');
    assert.equal((await r.statusResource(rsc('three'))).state, 'stopped');
    assert.equal((await r.statusResource(rsc('four'))).state, 'running');
    assert.equal((await r.statusResource(rsc('liar'))).state, 'stopped');
  });

  void it('probeGroup reports all, none and some', async () => {
    stateScript(box.resourceDir, 'a');
    stateScript(box.resourceDir, 'b');
    const g = group('alpha', 'a', 'b');
    const { r } = runner([g]);
    assert.equal((await r.probeGroup(g)).state, 'none');
    await r.acquireGroup(g);
    const all = await r.probeGroup(g);
    assert.equal(all.state, 'all');
    assert.equal(all.ok, true);
    await r.releaseGroup(group('alpha', 'b'));
    const some = await r.probeGroup(g);
    assert.equal(some.state, 'some');
    assert.equal(some.ok, false);
    assert.deepEqual(
      some.resources.map((x) => `${x.resource}=${x.state}`),
      ['a=running', 'b=stopped'],
    );
  });
});

void describe('group failure handling', () => {
  void it('a failed start stops the failed resource and those before it, right to left, and leaves the rest alone', async () => {
    stateScript(box.resourceDir, 'a');
    box.script(
      box.resourceDir,
      'b',
      `echo "b $*" >> "$TRACE"; for op; do :; done; case "$op" in start) echo boom >&2; exit 1;; esac; exit 0`,
    );
    stateScript(box.resourceDir, 'c');
    const g = group('alpha', 'a', 'b::x', 'c');
    const { r, log } = runner([g]);
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, false);
    assert.match(res.detail, /start of b::x failed .*rc=1.*boom.*group released/);
    assert.deepEqual(box.trace(), ['a status', 'a start', 'b x status', 'b x start', 'b x stop', 'a stop']);
    assert.deepEqual(res.stopFailures, []);
    assert.match(log.text(), /stderr="boom"/);
    assert.equal((await r.probeGroup(g)).state, 'none');
  });

  void it('restart from a resource stops it and those after it right to left, then starts them again without asking status', async () => {
    stateScript(box.resourceDir, 'a');
    stateScript(box.resourceDir, 'b');
    stateScript(box.resourceDir, 'c');
    const g = group('alpha', 'a', 'b', 'c');
    const { r } = runner([g]);
    assert.equal((await r.acquireGroup(g)).ok, true);
    const before = box.trace().length;
    const res = await r.restartGroup(g, 1);
    assert.equal(res.ok, true, res.detail);
    assert.match(res.detail, /2 resource\(s\) restarted \(b, c\)/);
    assert.deepEqual(box.trace().slice(before), ['c stop', 'b stop', 'b start', 'c start']);
    assert.equal((await r.probeGroup(g)).state, 'all');
  });

  void it('a restart whose start fails releases the whole group, like a failed acquire', async () => {
    stateScript(box.resourceDir, 'a');
    const bState = join(box.root, 'b.starts');
    box.script(
      box.resourceDir,
      'b',
      `echo "b $*" >> "$TRACE"; for op; do :; done; case "$op" in start) echo x >> '${bState}'; [ "$(wc -l < '${bState}')" -gt 1 ] && { echo boom >&2; exit 1; };; esac; exit 0`,
    );
    const g = group('alpha', 'a', 'b');
    const { r } = runner([g]);
    assert.equal((await r.acquireGroup(g)).ok, true);
    const before = box.trace().length;
    const res = await r.restartGroup(g, 1);
    assert.equal(res.ok, false);
    assert.match(res.detail, /start of b failed .*boom.*group released/);
    assert.deepEqual(box.trace().slice(before), ['b stop', 'b start', 'b stop', 'a stop']);
    assert.equal((await r.probeGroup(g)).state, 'none');
  });

  void it('a stop that keeps failing: retried, reported, nothing killed, resources to its left left alone', async () => {
    stateScript(box.resourceDir, 'a');
    // The "service" is a background process the script started; a failed stop must not kill it.
    const pidFile = join(box.root, 'svc.pid');
    box.script(
      box.resourceDir,
      'stuck',
      `echo "stuck $*" >> "$TRACE"
case "$1" in
  start) sleep 30 >/dev/null 2>&1 & echo $! > '${pidFile}'; exit 0;;
  stop) echo "cannot stop" >&2; exit 1;;
  status) if [ -e '${pidFile}' ]; then echo running; fi; exit 0;;
esac`,
    );
    const g = group('alpha', 'a', 'stuck');
    const { r } = runner([g], { stopRetries: 2 });
    assert.equal((await r.acquireGroup(g)).ok, true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      const res = await r.releaseGroup(g);
      assert.equal(res.ok, false);
      assert.deepEqual(res.stopFailures, ['stuck']);
      assert.match(res.detail, /stop of stuck failed .*cannot stop/);
      const stops = box.trace().filter((l) => l === 'stuck stop');
      assert.equal(stops.length, 3, 'one stop and two retries');
      assert.ok(!box.trace().includes('a stop'), 'a must not be stopped under a running dependant');
      assert.equal(alive(pid), true, 'the service process must not be killed');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  void it('a stop that fails while status says stopped is accepted (not LSB-compliant script)', async () => {
    box.script(
      box.resourceDir,
      'sloppy',
      `echo "sloppy $*" >> "$TRACE"; case "$1" in stop) exit 1;; esac; exit 0`,
    );
    const g = group('alpha', 'sloppy');
    const { r, log } = runner([g]);
    const res = await r.releaseGroup(g);
    assert.equal(res.ok, true, res.detail);
    assert.deepEqual(box.trace(), ['sloppy stop', 'sloppy status']);
    assert.match(log.text(), /probably not LSB-compliant/);
  });

  void it('a status that says running makes the skipped resource part of the rollback too', async () => {
    box.script(box.resourceDir, 'up', `echo "up $*" >> "$TRACE"; echo running`);
    box.script(box.resourceDir, 'bad', `echo "bad $*" >> "$TRACE"; case "$1" in start) exit 1;; esac`);
    const g = group('alpha', 'up', 'bad');
    const { r } = runner([g]);
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, false);
    assert.deepEqual(box.trace(), ['up status', 'bad status', 'bad start', 'bad stop', 'up stop']);
  });

  void it('operations on one group run one after another', async () => {
    box.script(box.resourceDir, 'slow', `echo "begin $1" >> "$TRACE"; sleep 0.2; echo "end $1" >> "$TRACE"`);
    const g = group('alpha', 'slow');
    const { r } = runner([g]);
    const [a, b] = await Promise.all([r.acquireGroup(g), r.releaseGroup(g)]);
    assert.equal(a.ok, true);
    assert.equal(b.ok, true);
    assert.deepEqual(box.trace(), [
      'begin status',
      'end status',
      'begin start',
      'end start',
      'begin stop',
      'end stop',
    ]);
  });
});

void describe('timeouts', () => {
  void it('a start that hangs is killed with its children, fails, and leaves no zombie', async () => {
    const pidFile = join(box.root, 'child.pid');
    box.script(
      box.resourceDir,
      'hang',
      `case "$1" in
  start) sleep 30 & echo $! > '${pidFile}'; trap '' TERM; sleep 30; wait;;
  *) exit 0;;
esac`,
    );
    const g = group('alpha', 'hang');
    const { r, log } = runner([g], { timeoutsMs: { start: 300 }, killGraceMs: 200 });
    const t0 = performance.now();
    const res = await r.acquireGroup(g);
    const elapsedMs = performance.now() - t0;
    assert.equal(res.ok, false);
    assert.match(res.detail, /timeout/);
    assert.ok(elapsedMs < 5000, `took ${elapsedMs} ms`);
    assert.match(log.text(), /op=start .*timeout/);
    const child = Number(readFileSync(pidFile, 'utf8'));
    // SIGKILL of the process group follows the grace period.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(alive(child), false, 'the hung script’s child must be gone');
    assert.deepEqual(zombieChildren(), []);
  });

  void it('a status that hangs is unknown, not running', async () => {
    box.script(box.resourceDir, 'hang', `exec sleep 30`);
    const { r } = runner(undefined, { timeoutsMs: { status: 200 }, killGraceMs: 100 });
    const st = await r.statusResource(rsc('hang'));
    assert.equal(st.state, 'unknown');
    assert.match(st.detail, /timeout/);
  });

  void it('a script that leaves a daemon holding its stdout does not hang the operation', async () => {
    const pidFile = join(box.root, 'd.pid');
    box.script(
      box.resourceDir,
      'daemonish',
      // The "daemon" keeps the script's stdout and stderr and writes to them after the script ended.
      `case "$1" in start) sh -c 'sleep 0.3; echo late; echo late >&2; exec sleep 30' & echo $! > '${pidFile}';; esac; exit 0`,
    );
    const g = group('alpha', 'daemonish');
    const { r } = runner([g]);
    const t0 = performance.now();
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    assert.ok(performance.now() - t0 < 3000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(alive(pid), true, 'a daemon started by a start keeps running, writing to its stdout');
    process.kill(pid, 'SIGKILL');
  });
});
