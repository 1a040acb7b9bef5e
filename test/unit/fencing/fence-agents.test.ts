// One fence agent call: the stdin protocol, fence-agents' exit codes, password files, and the
// timeout that kills the agent and what it started. Against a fake agent that records its stdin,
// and the real fence_dummy from Debian's fence-agents (skipped when the package is missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeName } from '../../../src/config/types.js';
import { agentMessage, runFenceAgent } from '../../../src/fencing/fence-agents.js';
import { makeFakeAgent } from './fake-agent.js';

const N2 = 'node2' as NodeName;

void test('stdin protocol: the options in order, password_file read into password=, then nodename= and action=', async () => {
  const agent = makeFakeAgent();
  try {
    const pw = join(agent.dir, 'pw');
    writeFileSync(pw, 'top secret\n', { mode: 0o600 });
    const a = await runFenceAgent({
      path: agent.path,
      options: [
        ['ip', '198.18.0.52'],
        ['username', 'admin'],
        ['password_file', pw],
        ['lanplus', '1'],
      ],
      target: N2,
      action: 'off',
      timeoutMs: 5000,
    });
    assert.equal(a.result, 'ok', a.detail);
    assert.deepEqual(agent.calls(), [
      [
        ['ip', '198.18.0.52'],
        ['username', 'admin'],
        ['password', 'top secret'],
        ['lanplus', '1'],
        ['nodename', 'node2'],
        ['action', 'off'],
      ],
    ]);
    assert.equal(agent.power(), 'off');
    assert.ok(!a.detail.includes('top secret'));
  } finally {
    agent.remove();
  }
});

void test('exit codes: status 0 = on, status 2 = off, 1 = failure with the agent message', async () => {
  const agent = makeFakeAgent();
  const call = (action: 'status' | 'off') =>
    runFenceAgent({ path: agent.path, options: [['ip', 'x']], target: N2, action, timeoutMs: 5000 });
  try {
    assert.equal((await call('status')).result, 'ok');
    agent.setPower('off');
    const off = await call('status');
    assert.equal(off.result, 'off');
    assert.match(off.detail, /fence_fake status: exit 2 \(power off\)/);
    agent.setMode('fail');
    const failed = await call('off');
    assert.equal(failed.result, 'failed');
    assert.equal(failed.detail, 'fence_fake off: exit 1: Failed: Unable to connect/login to fencing device');
  } finally {
    agent.remove();
  }
});

void test('a password_file that is missing, empty or several lines fails before the agent runs', async () => {
  const agent = makeFakeAgent();
  try {
    const file = join(agent.dir, 'pw');
    const run = () =>
      runFenceAgent({
        path: agent.path,
        options: [['password_file', file]],
        target: N2,
        action: 'off',
        timeoutMs: 5000,
      });
    assert.match((await run()).detail, /cannot read password_file .*: ENOENT/);
    writeFileSync(file, '\n');
    assert.match((await run()).detail, /password_file .* is empty/);
    writeFileSync(file, 'a\nb\n');
    assert.match((await run()).detail, /holds more than one line/);
    assert.deepEqual(agent.calls(), []);
  } finally {
    agent.remove();
  }
});

void test('an agent that hangs is killed at the timeout, together with what it started', async () => {
  const agent = makeFakeAgent();
  agent.setMode('hang');
  try {
    const started = performance.now();
    const a = await runFenceAgent({
      path: agent.path,
      options: [],
      target: N2,
      action: 'off',
      timeoutMs: 400,
    });
    const took = performance.now() - started;
    assert.equal(a.result, 'failed');
    assert.match(a.detail, /^fence_fake off: no answer within 400 ms, killed/);
    assert.ok(took >= 390 && took < 3000, `took ${took} ms`);
    const sleeper = agent.sleeperPid();
    assert.ok(sleeper !== undefined);
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      try {
        process.kill(sleeper, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'the sleep the agent started is gone');
  } finally {
    agent.remove();
  }
});

void test('a program that does not exist is a failure, not a crash', async () => {
  const a = await runFenceAgent({
    path: '/nonexistent/fence_x',
    options: [],
    target: N2,
    action: 'off',
    timeoutMs: 1000,
  });
  assert.equal(a.result, 'failed');
  assert.match(a.detail, /^fence_x off: cannot run: .*ENOENT/);
});

void test("agentMessage: Python's warnings dropped, fence-agents' doubled error lines once", () => {
  const stderr = [
    "/usr/sbin/fence_ipmilan:5: DeprecationWarning: 'pipes' is deprecated and slated for removal in Python 3.13",
    '  from pipes import quote',
    'ERROR:root:Failed: Unable to obtain correct plug status or plug is not available',
    '',
    '2026-11-29 16:12:22,328 ERROR: Failed: Unable to obtain correct plug status or plug is not available',
  ].join('\n');
  assert.equal(
    agentMessage(stderr),
    'ERROR: Failed: Unable to obtain correct plug status or plug is not available',
  );
  assert.equal(agentMessage('', 'Status: OFF\n'), 'Status: OFF');
});

const DUMMY = '/usr/sbin/fence_dummy';

void test(
  'the real fence_dummy (fence-agents) takes our stdin lines: off, status off, on, status on',
  {
    skip: existsSync(DUMMY) ? false : 'fence-agents is not installed (apt-get install fence-agents)',
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-dummy-'));
    try {
      const statusFile = join(dir, 'power');
      writeFileSync(statusFile, 'on');
      const call = (action: 'off' | 'on' | 'status') =>
        runFenceAgent({
          path: DUMMY,
          options: [
            ['type', 'file'],
            ['status_file', statusFile],
          ],
          target: N2,
          action,
          timeoutMs: 20_000,
        });
      assert.equal((await call('off')).result, 'ok');
      assert.equal((await call('status')).result, 'off');
      assert.equal((await call('on')).result, 'ok');
      assert.equal((await call('status')).result, 'ok');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
