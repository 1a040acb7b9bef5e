// OCF agents: a test-written agent checks the calling convention exactly; Debian's real Dummy
// agent (resource-agents) checks that it works with a real one.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ResourceRunnerOptions } from '../../../src/resources/index.js';
import { group, rsc, sandbox, sandboxRunner, type Sandbox } from './fixtures.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function runner(extra: Partial<ResourceRunnerOptions> = {}, groups = [group('alpha', 'x')]) {
  return sandboxRunner(box, groups, extra);
}

/** An OCF agent that records its argv and OCF variables and keeps its state in a file. */
function fakeAgent(provider: string, type: string, extra = ''): string {
  const state = join(box.root, `${type}.state`);
  return box.script(
    join(box.ocfRoot, 'resource.d', provider),
    type,
    `echo "${provider}/${type} $* inst=$OCF_RESOURCE_INSTANCE root=$OCF_ROOT ip=\${OCF_RESKEY_ip:-} nic=\${OCF_RESKEY_nic:-} t=$OCF_RESKEY_CRM_meta_timeout" >> "$TRACE"
${extra}
case "$1" in
  start) touch '${state}'; exit 0;;
  stop) rm -f '${state}'; exit 0;;
  monitor) [ -e '${state}' ] && exit 0; exit 7;;
esac
exit 3`,
  );
}

void describe('direct ocf:provider:type form', () => {
  void it('runs the agent with the operation as its only argument and parameters as OCF_RESKEY_*', async () => {
    fakeAgent('acme', 'Web');
    const g = group('alpha', 'ocf:acme:Web::ip=198.18.40.10::nic=eth0');
    const { r } = runner({ timeoutsMs: { start: 5000, status: 3000 } });
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    const inst = 'inst=Web_198.18.40.10_eth0';
    assert.deepEqual(box.trace(), [
      `acme/Web monitor ${inst} root=${box.ocfRoot} ip=198.18.40.10 nic=eth0 t=3000`,
      `acme/Web start ${inst} root=${box.ocfRoot} ip=198.18.40.10 nic=eth0 t=5000`,
    ]);
    assert.equal((await r.probeGroup(g)).state, 'all');
    assert.equal((await r.releaseGroup(g)).ok, true);
    assert.equal((await r.statusResource(rsc('ocf:acme:Web::ip=198.18.40.10::nic=eth0'))).state, 'stopped');
  });

  void it('honours OCF exit codes: a monitor error is unknown, a start error fails, stop OCF_NOT_RUNNING is fine', async () => {
    fakeAgent(
      'acme',
      'Broken',
      `case "$1" in monitor) exit 5;; start) echo "not installed" >&2; exit 5;; stop) exit 7;; esac`,
    );
    const g = group('alpha', 'ocf:acme:Broken');
    const { r } = runner();
    const st = await r.statusResource(rsc('ocf:acme:Broken'));
    assert.equal(st.state, 'unknown');
    assert.match(st.detail, /OCF_ERR_INSTALLED/);
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, false);
    assert.match(res.detail, /rc=5 stderr="not installed" \(OCF_ERR_INSTALLED\)/);
    assert.match(
      res.detail,
      /group released/,
      'the rollback stop answered 7 = not running, which is a success',
    );
  });

  void it('reports a missing agent or bad parameters clearly', async () => {
    const { r } = runner();
    const missing = await r.acquireGroup(group('alpha', 'ocf:acme:Nope'));
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /OCF agent .*acme\/Nope not found/);
    fakeAgent('acme', 'Web');
    const bad = await r.acquireGroup(group('alpha', 'ocf:acme:Web::198.18.40.10'));
    assert.match(bad.detail, /bad OCF parameter "198\.18\.40\.10" \(expected name=value/);
  });
});

void describe("Heartbeat's OCF::type::instance form", () => {
  void it('reads parameters from conf/OCF/TYPE/INSTANCE and uses the first provider that has TYPE', async () => {
    fakeAgent('zeta', 'Web');
    fakeAgent('alpha', 'Web');
    const dir = join(box.configDir, 'conf', 'OCF', 'Web');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'front'), '# front end\nOCF_RESKEY_ip=198.18.40.11\nOCF_RESKEY_nic="eth1"\n');
    const g = group('alpha', 'OCF::Web::front');
    const { r } = runner();
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    assert.deepEqual(
      box.trace().map((l) => l.replace(/ root=\S+/, '').replace(/ t=\d+/, '')),
      [
        'alpha/Web monitor inst=front ip=198.18.40.11 nic=eth1',
        'alpha/Web start inst=front ip=198.18.40.11 nic=eth1',
      ],
    );
  });

  void it('fails with the file name when the instance file is missing', async () => {
    fakeAgent('acme', 'Web');
    const { r } = runner();
    const res = await r.acquireGroup(group('alpha', 'OCF::Web::nope'));
    assert.equal(res.ok, false);
    assert.match(res.detail, /cannot read OCF instance file .*conf\/OCF\/Web\/nope/);
  });
});

const DUMMY = '/usr/lib/ocf/resource.d/heartbeat/Dummy';
const noDummy = existsSync(DUMMY) ? undefined : 'needs Debian package resource-agents (ocf:heartbeat:Dummy)';

void describe("Debian's ocf:heartbeat:Dummy", () => {
  void it('starts, monitors and stops through haresources syntax', { skip: noDummy ?? false }, async () => {
    const state = join(box.root, 'dummy.state');
    const raw = `ocf:heartbeat:Dummy::state=${state}`;
    const g = group('alpha', raw);
    const { r } = runner({ ocfRoot: '/usr/lib/ocf', env: { HA_RSCTMP: box.root } }, [g]);
    assert.equal((await r.probeGroup(g)).state, 'none');
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    assert.ok(existsSync(state), 'Dummy writes its state file on start');
    assert.equal((await r.probeGroup(g)).state, 'all');
    const rel = await r.releaseGroup(g);
    assert.equal(rel.ok, true, rel.detail);
    assert.equal(existsSync(state), false);
    assert.equal((await r.probeGroup(g)).state, 'none');
  });

  void it(
    'works through OCF::Dummy::INSTANCE with an instance file',
    { skip: noDummy ?? false },
    async () => {
      const state = join(box.root, 'inst.state');
      const dir = join(box.configDir, 'conf', 'OCF', 'Dummy');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'one'), `OCF_RESKEY_state=${state}\n`);
      const g = group('alpha', 'OCF::Dummy::one');
      const { r } = runner({ ocfRoot: '/usr/lib/ocf', env: { HA_RSCTMP: box.root } }, [g]);
      const res = await r.acquireGroup(g);
      assert.equal(res.ok, true, res.detail);
      assert.equal(readFileSync(state, 'utf8'), '');
      assert.equal((await r.releaseGroup(g)).ok, true);
      assert.equal(existsSync(state), false);
    },
  );
});
