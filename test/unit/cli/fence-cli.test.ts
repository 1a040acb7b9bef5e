// `hbts fence` as a real process: a fence by hand with a recording fake agent, its exit codes and
// usage errors, and `--confirm-off` against a real daemon (loopback, no root) and without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFakeAgent, type FakeAgent } from '../fencing/fake-agent.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

function hbts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        stdout,
        stderr,
      });
    });
  });
}

function configDir(agent: FakeAgent): string {
  const d = mkdtempSync(join(tmpdir(), 'hbts-fencecli-'));
  writeFileSync(
    join(d, 'ha.cf'),
    'keepalive 500ms\ndeadtime 3\ninitdead 10\nucast lo 127.0.0.2\nauto_failback on\nnode node1 node2\n',
  );
  writeFileSync(join(d, 'hbts.cf'), `fence node2 ${agent.path} ip=198.18.0.52\nfence_timeout 5\n`);
  writeFileSync(join(d, 'authkeys'), 'auth 1\n1 sha1 s\n');
  chmodSync(join(d, 'authkeys'), 0o600);
  writeFileSync(join(d, 'haresources'), '');
  return d;
}

void test('hbts fence <node>: off (confirmed), status, a failure, and usage errors', async () => {
  const agent = makeFakeAgent();
  const d = configDir(agent);
  const fence = (...args: string[]) => hbts('fence', ...args, '--config-dir', d, '--node-name', 'node1');
  try {
    const off = await fence('node2');
    assert.equal(off.code, 0, off.stderr);
    assert.match(
      off.stdout,
      /^node2 is off \(.*fence_fake off: exit 0.*confirmed: fence_fake status: exit 2/,
    );
    assert.equal(agent.power(), 'off');
    const status = await fence('NODE2', '--action', 'status');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /^node2: power off \(/);
    agent.setMode('fail');
    const failed = await fence('node2', '--action=reboot');
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /hbts fence: node2 reboot FAILED: .*Unable to connect\/login to fencing device/,
    );
    for (const [args, message] of [
      [[], /name exactly one node/],
      [['node2', '--action', 'cycle'], /--action takes off, reboot, on, status, got 'cycle'/],
      [['node1'], /'node1' is this node; fence it from another node/],
      [['node7'], /'node7' is not a node of this cluster \(node1, node2\)/],
    ] as const) {
      const r = await fence(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal(agent.calls().length, 4, 'off + status, status, reboot; nothing for the refused ones');
  } finally {
    rmSync(d, { recursive: true, force: true });
    agent.remove();
  }
});

void test('hbts fence --confirm-off: the running daemon logs it at crit; no daemon is exit 3', async () => {
  const agent = makeFakeAgent();
  const d = configDir(agent);
  const runDir = join(d, 'run');
  const none = await hbts('fence', '--confirm-off', 'node2', '--run-dir', join(d, 'nowhere'));
  assert.equal(none.code, 3);
  assert.match(none.stderr, /no daemon running/);
  const daemon = spawn(
    process.execPath,
    [
      MAIN,
      'daemon',
      '--foreground',
      '--config-dir',
      d,
      '--node-name',
      'node1',
      '--run-dir',
      runDir,
      '--state-dir',
      join(d, 'state'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  daemon.stderr.on('data', (c: Buffer) => (log += c.toString()));
  try {
    for (let i = 0; i < 100 && !log.includes('daemon started'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(log, /daemon started/);
    const ok = await hbts('fence', '--confirm-off', 'node2', '--run-dir', runDir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'node2 recorded as fenced by hand; its groups may now be taken over\n');
    assert.match(
      log,
      /crit: operator confirms the node is off \(hbts fence --confirm-off\); it counts as fenced node=node2/,
    );
    const self = await hbts('fence', '--confirm-off', 'node1', '--run-dir', runDir);
    assert.equal(self.code, 2);
    assert.match(self.stderr, /'node1' is this node/);
  } finally {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
    rmSync(d, { recursive: true, force: true });
    agent.remove();
  }
});
