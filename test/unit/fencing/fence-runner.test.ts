// createFenceRunner: the node's methods in order (fence lines, then stonith devices usable from
// here), an off confirmed by status, a lying BMC caught, no two calls on one node at once; with
// fake agents that record their calls, and the real cluster-glue `stonith` with its null plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { ClusterConfig, NodeName } from '../../../src/config/types.js';
import { createFenceRunner, fenceWays } from '../../../src/fencing/fence-runner.js';
import { resolveConfigFromText } from '../../../src/config/resolve-config.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { texts } from '../config/config-fixtures.js';
import { makeFakeAgent } from './fake-agent.js';

const N1 = 'node1' as NodeName;
const N2 = 'node2' as NodeName;

function configWith(hbtsCf: string, haCfExtra: readonly string[] = []): ClusterConfig {
  const t = texts();
  const r = resolveConfigFromText({ ...t, haCf: [t.haCf, ...haCfExtra].join('\n') + '\n', hbtsCf }, 'node1');
  assert.ok(r.config !== undefined, r.issues.map(formatIssue).join('\n'));
  return r.config;
}

function runnerFor(config: ClusterConfig) {
  const lines: string[] = [];
  const runner = createFenceRunner({
    config,
    self: N1,
    log: (line, level) => lines.push(`${level ?? 'info'}: ${line}`),
    confirmPollMs: 50,
  });
  return { runner, lines };
}

void test('off is confirmed by status: off, then status says off', async () => {
  const agent = makeFakeAgent();
  try {
    const { runner } = runnerFor(configWith(`fence node2 ${agent.path} ip=198.18.0.52 lanplus=1\n`));
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, true, out.detail);
    assert.equal(out.power, 'off');
    assert.equal(out.method, `${agent.path} (hbts.cf:1)`);
    assert.match(out.detail, /fence_fake off: exit 0.*; confirmed: fence_fake status: exit 2 \(power off\)/);
    assert.deepEqual(
      agent.calls().map((c) => c.find(([k]) => k === 'action')?.[1]),
      ['off', 'status'],
    );
  } finally {
    agent.remove();
  }
});

void test('a BMC that reports success but leaves the power on fails the fence at fence_timeout', async () => {
  const agent = makeFakeAgent();
  agent.setMode('liar');
  try {
    const { runner } = runnerFor(configWith(`fence node2 ${agent.path} ip=x\nfence_timeout 2\n`));
    const started = performance.now();
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, false);
    assert.match(out.detail, /but status does not confirm it within fence_timeout: .*\(power still on\)/);
    assert.ok(performance.now() - started < 6000);
    assert.ok(agent.calls().length >= 3, 'status was asked again');
  } finally {
    agent.remove();
  }
});

void test('an agent without a status action: off is trusted and says it was not confirmed', async () => {
  const agent = makeFakeAgent('fence_nostatus', { withStatus: false });
  try {
    const { runner } = runnerFor(configWith(`fence node2 ${agent.path} ip=x\n`));
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, true);
    assert.match(out.detail, /not confirmed: the agent has no status action/);
    assert.equal(agent.calls().length, 1);
  } finally {
    agent.remove();
  }
});

void test('methods in order: the first fails, the second fences; the detail names both', async () => {
  const first = makeFakeAgent('fence_first');
  const second = makeFakeAgent('fence_second');
  first.setMode('fail');
  try {
    const { runner, lines } = runnerFor(
      configWith(
        `fence node2 ${first.path} ip=a\nfence node2 ${second.path} ip=b\nfence node1 ${first.path} ip=c\n`,
      ),
    );
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, true, out.detail);
    assert.equal(out.method, `${second.path} (hbts.cf:2)`);
    assert.equal(second.power(), 'off');
    assert.ok(lines.some((l) => l.startsWith('warn: ') && l.includes('Unable to connect/login')));
    first.setMode('fail');
    second.setMode('fail');
    const failed = await runner.fence(N2, 'reboot');
    assert.equal(failed.ok, false);
    assert.match(
      failed.detail,
      /fence_first.*: fence_first reboot: exit 1: .*; .*fence_second.*: fence_second reboot: exit 1/,
    );
  } finally {
    first.remove();
    second.remove();
  }
});

void test('status reports the power state; a node without any method is a clear failure', async () => {
  const agent = makeFakeAgent();
  try {
    const { runner } = runnerFor(configWith(`fence node2 ${agent.path} ip=x\n`));
    assert.equal((await runner.fence(N2, 'status')).power, 'on');
    agent.setPower('off');
    assert.equal((await runner.fence(N2, 'status')).power, 'off');
    const none = await runner.fence(N1, 'off');
    assert.deepEqual([none.ok, none.method], [false, 'none']);
    assert.match(none.detail, /no fence method for node1: add a `fence node1 <agent> key=value\.\.\.` line/);
  } finally {
    agent.remove();
  }
});

void test('one node is never fenced twice at once: the same call joins, another waits', async () => {
  const agent = makeFakeAgent();
  try {
    const { runner } = runnerFor(configWith(`fence node2 ${agent.path} ip=x\n`));
    const a = runner.fence(N2, 'off');
    const b = runner.fence(N2, 'off');
    assert.equal(a, b);
    const c = runner.fence(N2, 'status');
    const [outA, , outC] = await Promise.all([a, b, c]);
    assert.equal(outA.ok, true);
    assert.equal(outC.power, 'off');
    assert.deepEqual(
      agent.calls().map((call) => call.find(([k]) => k === 'action')?.[1]),
      ['off', 'status', 'status'],
    );
  } finally {
    agent.remove();
  }
});

const STONITH = '/usr/sbin/stonith';
const noGlue = existsSync(STONITH) ? false : 'cluster-glue is not installed (apt-get install cluster-glue)';

void test(
  'stonith_host: the device is used when usable from here and its -l lists the node',
  { skip: noGlue },
  async () => {
    const config = configWith('', [
      'stonith_host node2 null node1 node2', // usable only from node2
      'stonith_host * null node3', // does not control node2
      'stonith_host * null node1 node2',
    ]);
    assert.deepEqual(
      fenceWays(config, N1, N2).map((w) => (w.kind === 'stonith' ? w.device.at.line : 0)),
      [10, 11],
    );
    const { runner } = runnerFor(config);
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, true, out.detail);
    assert.equal(out.method, 'stonith_host * null (ha.cf:11)');
    assert.match(out.detail, /null -T off node2: S_OK/);
    const { runner: r2 } = runnerFor(configWith('', ['stonith_host * null node3']));
    const refused = await r2.fence(N2, 'off');
    assert.equal(refused.ok, false);
    assert.match(refused.detail, /null does not control node2 \(stonith -l lists: node3\)/);
  },
);

void test('fence lines come before stonith devices', { skip: noGlue }, async () => {
  const agent = makeFakeAgent();
  agent.setMode('fail');
  try {
    const { runner, lines } = runnerFor(
      configWith(`fence node2 ${agent.path} ip=x\n`, ['stonith_host * null node2']),
    );
    const out = await runner.fence(N2, 'off');
    assert.equal(out.ok, true);
    assert.equal(out.method, 'stonith_host * null (ha.cf:9)');
    assert.ok(
      lines.findIndex((l) => l.includes('trying /')) <
        lines.findIndex((l) => l.includes('trying stonith_host')),
    );
  } finally {
    agent.remove();
  }
});
