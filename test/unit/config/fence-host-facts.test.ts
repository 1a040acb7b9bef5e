// Fencing facts about the host, as `hbts check` (warnings) and the daemon (errors) load them from a
// real config directory: hbts.cf is read, secrets must not be readable by others, password files
// and fence agents must exist, options must be the agent's (the fencing code's own inspector).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIssue } from '../../../src/config/config-issues.js';
import { loadClusterConfig } from '../../../src/config/load.js';
import { fenceInspector } from '../../../src/fencing/inspect.js';
import { resourceLocator } from '../../../src/resources/index.js';
import { makeFakeAgent } from '../fencing/fake-agent.js';

const HA_CF =
  'keepalive 1\ndeadtime 5\ninitdead 10\nucast lo 127.0.0.2\nauto_failback on\nnode node1 node2\n';

function dir(hbtsCf: string, hbtsMode = 0o600): string {
  const d = mkdtempSync(join(tmpdir(), 'hbts-fencecfg-'));
  writeFileSync(join(d, 'ha.cf'), HA_CF);
  writeFileSync(join(d, 'authkeys'), 'auth 1\n1 sha1 s\n');
  chmodSync(join(d, 'authkeys'), 0o600);
  writeFileSync(join(d, 'hbts.cf'), hbtsCf);
  chmodSync(join(d, 'hbts.cf'), hbtsMode);
  return d;
}

async function load(d: string, hostFacts: 'warning' | 'error' = 'warning') {
  const r = await loadClusterConfig(d, 'node1', {
    hostFacts,
    locateResource: resourceLocator(),
    inspectFence: fenceInspector(),
  });
  return { config: r.config, issues: r.issues.map(formatIssue) };
}

void test('a password= in a group/world-readable hbts.cf is an error, for check and daemon alike', async () => {
  const agent = makeFakeAgent();
  const line = `fence node2 ${agent.path} ip=198.18.0.52 password=hunter2\n`;
  const open = dir(line, 0o644);
  const closed = dir(line, 0o600);
  try {
    const expected = `${open}/hbts.cf:1: fence node2: password= in ${open}/hbts.cf, which group or others can read (mode 0644): put the password alone in a file of mode 600 and write password_file=/etc/ha.d/fence-node2.pw instead`;
    for (const facts of ['warning', 'error'] as const) {
      const r = await load(open, facts);
      assert.equal(r.config, undefined);
      assert.deepEqual(r.issues, [expected]);
    }
    const ok = await load(closed, 'error');
    assert.deepEqual(ok.issues, []);
    assert.ok(ok.config !== undefined);
  } finally {
    for (const d of [open, closed, agent.dir]) rmSync(d, { recursive: true, force: true });
  }
});

void test('password_file: readable by others is an error; missing is a warning for check, an error for the daemon', async () => {
  const agent = makeFakeAgent();
  const d = dir('');
  const pw = join(d, 'node2.pw');
  writeFileSync(join(d, 'hbts.cf'), `fence node2 ${agent.path} ip=198.18.0.52 password_file=${pw}\n`);
  try {
    const missing = `${d}/hbts.cf:1: on this host: fence node2: password_file ${pw} does not exist`;
    assert.deepEqual((await load(d)).issues, [missing.replace(': on this host', ': warning: on this host')]);
    assert.deepEqual((await load(d, 'error')).issues, [missing]);
    writeFileSync(pw, 'hunter2\n');
    chmodSync(pw, 0o644);
    assert.deepEqual((await load(d)).issues, [
      `${d}/hbts.cf:1: fence node2: password_file ${pw} is readable by group or others (mode 0644): run \`chmod 600 ${pw}\``,
    ]);
    chmodSync(pw, 0o600);
    const good = await load(d, 'error');
    assert.deepEqual(good.issues, []);
    assert.ok(good.config !== undefined);
  } finally {
    rmSync(d, { recursive: true, force: true });
    agent.remove();
  }
});

void test('fence agents: a missing one and wrong options are warnings for check, errors for the daemon', async () => {
  const agent = makeFakeAgent();
  const d = dir(`fence node2 fence_hbtsnope ip=1\nfence node1 ${agent.path} ipp=1 lanplus=maybe\n`);
  try {
    const check = await load(d);
    assert.ok(check.config !== undefined);
    assert.deepEqual(check.issues, [
      `${d}/hbts.cf:1: warning: on this host: fence node2: fence agent fence_hbtsnope not found in /usr/sbin or PATH (is the Debian package fence-agents installed?)`,
      `${d}/hbts.cf:2: warning: on this host: fence node1: ${agent.path} has no option 'ipp'; did you mean 'ip'? (\`${agent.path} -o metadata\` lists them)`,
      `${d}/hbts.cf:2: warning: on this host: fence node1: ${agent.path}: lanplus=maybe: lanplus is a flag, write lanplus=1 (or 0); the agent would ignore 'maybe'`,
      `${d}/hbts.cf:2: warning: on this host: fence node1: ${agent.path} requires ip= (\`${agent.path} -o metadata\`)`,
    ]);
    const daemon = await load(d, 'error');
    assert.equal(daemon.config, undefined);
    assert.equal(daemon.issues.filter((i) => !i.includes(': warning: ')).length, 4);
  } finally {
    rmSync(d, { recursive: true, force: true });
    agent.remove();
  }
});

void test('disk_lock: a device that does not exist is a host fact', async () => {
  const d = dir('disk_lock /dev/hbts-no-such-disk\nfence node2 sbd\n');
  try {
    const issues = (await load(d)).issues;
    assert.ok(
      issues.includes(
        `${d}/hbts.cf:1: warning: on this host: disk_lock device /dev/hbts-no-such-disk does not exist`,
      ),
      issues.join('\n'),
    );
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
