// Health-check configuration, our extension: `monitor` and `monitor_policy` in hbts.cf (or ha.cf
// with one warning), resolved against haresources. Each good form and each bad form with its
// exact file:line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { healthPolicy } from '../../../src/config/resolve-monitors.js';
import { describeConfig } from '../../../src/config/describe-config.js';
import type { GroupId } from '../../../src/config/types.js';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const hbts = (...lines: string[]): ConfigTexts => texts({ hbtsCf: lines.join('\n') + '\n' });
const GROUP = '198.18.0.100' as GroupId;

void test('monitor lines in hbts.cf: every check kind, Heartbeat times, resource by name or as written', () => {
  const r = resolve(
    hbts(
      'monitor apache interval=500ms timeout=2 http GET http://198.18.0.100/ expect 200',
      'monitor apache tcp 198.18.0.100:80',
      'monitor apache exec /usr/local/bin/check-web --quiet',
      'monitor 198.18.0.100 interval=1',
      'monitor apache monitor depth=10',
      'monitor_policy apache restarts=2 window=30 migration_threshold=4',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), []);
  const at = (line: number): { file: string; line: number } => ({ file: 'hbts.cf', line });
  assert.deepEqual(r.config?.monitors, [
    {
      group: GROUP,
      resourceIndex: 1,
      resource: 'apache',
      intervalMs: 500,
      timeoutMs: 2000,
      check: { kind: 'http', url: 'http://198.18.0.100/', expect: 200 },
      at: at(1),
    },
    {
      group: GROUP,
      resourceIndex: 1,
      resource: 'apache',
      intervalMs: 10000,
      timeoutMs: 20000,
      check: { kind: 'tcp', host: '198.18.0.100', port: 80 },
      at: at(2),
    },
    {
      group: GROUP,
      resourceIndex: 1,
      resource: 'apache',
      intervalMs: 10000,
      timeoutMs: 20000,
      check: { kind: 'exec', file: '/usr/local/bin/check-web', args: ['--quiet'] },
      at: at(3),
    },
    {
      group: GROUP,
      resourceIndex: 0,
      resource: '198.18.0.100',
      intervalMs: 1000,
      timeoutMs: 20000,
      check: { kind: 'agent', depth: 0 },
      at: at(4),
    },
    {
      group: GROUP,
      resourceIndex: 1,
      resource: 'apache',
      intervalMs: 10000,
      timeoutMs: 20000,
      check: { kind: 'agent', depth: 10 },
      at: at(5),
    },
  ]);
  assert.deepEqual(r.config?.healthPolicies, [
    { group: GROUP, restarts: 2, windowMs: 30000, migrationThreshold: 4 },
  ]);
  assert.equal(r.config?.directives.has('monitor'), false, 'our lines never reach HA_* script variables');
});

void test('a group without monitor_policy gets the defaults; no monitor line, no monitors field', () => {
  const r = resolve(hbts('monitor apache'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(healthPolicy(r.config ?? {}, GROUP), {
    group: GROUP,
    restarts: 1,
    windowMs: 60000,
    migrationThreshold: 3,
  });
  const plain = resolve(texts());
  assert.equal(plain.config?.monitors, undefined);
});

void test('monitor in ha.cf: accepted with the one warning that real Heartbeat refuses the file', () => {
  const r = resolve(withHaCf('monitor apache interval=2'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    'ha.cf:9: warning: monitor is a heartbeat-ts extension (line 9): real Heartbeat refuses a ha.cf holding them; in a cluster with Heartbeat nodes, move this line to hbts.cf beside it',
  ]);
  assert.equal(r.config?.monitors?.length, 1);
});

void test('bad monitor and monitor_policy lines: one clear error each, at file:line', () => {
  const r = resolve(
    hbts(
      'monitor apachee',
      'monitor apache interval=5s',
      'monitor apache http GET 198.18.0.100/ expect 200',
      'monitor apache http GET http://198.18.0.100/ expect ok',
      'monitor apache tcp 198.18.0.100',
      'monitor apache exec check-web',
      'monitor apache ping 198.18.0.100',
      'monitor apache depth=10 tcp 198.18.0.100:80',
      'monitor apache color=red',
      'monitor_policy apache restarts=-1',
      'monitor_policy apache tries=2',
      'monitor interval=2',
    ),
  );
  const e = errorsOf(r);
  const expect = [
    'hbts.cf:1: monitor apachee: no such resource in haresources (did you mean apache?); resources: 198.18.0.100, apache',
    'hbts.cf:2: monitor apache: seconds take no suffix: write `interval 5` or `interval 5000ms`',
    "hbts.cf:3: monitor apache: '198.18.0.100/' is not an http:// or https:// URL",
    'hbts.cf:4: monitor apache: after the URL write `expect <code>`',
    'hbts.cf:5: monitor apache: a tcp check is written `tcp <host>:<port>`',
    "hbts.cf:6: monitor apache: exec takes an absolute path to run (no shell), got 'check-web'",
    "hbts.cf:7: monitor apache: unknown check 'ping'",
    'hbts.cf:8: monitor apache: depth= is the OCF check level',
    "hbts.cf:9: monitor apache: unknown option 'color='",
    "hbts.cf:10: monitor_policy apache: restarts takes a whole number from 0 to 1000, got '-1'",
    "hbts.cf:11: monitor_policy apache: unknown option 'tries=2'",
    'hbts.cf:12: monitor needs the resource to check first',
  ];
  assert.equal(e.length, expect.length, e.join('\n'));
  expect.forEach((want, i) =>
    assert.ok(e[i]?.startsWith(want), `${e[i] ?? ''}\n  should start with\n${want}`),
  );
});

void test('monitor_policy: two lines for one group is an error; restarts never reached is a warning', () => {
  const r = resolve(
    hbts(
      'monitor apache',
      'monitor_policy apache restarts=3 migration_threshold=2',
      'monitor_policy 198.18.0.100 restarts=1',
    ),
  );
  assert.deepEqual(errorsOf(r), [
    'hbts.cf:3: monitor_policy: group 198.18.0.100 already has a policy on hbts.cf:2; write one line per group',
  ]);
  assert.deepEqual(warningsOf(r), [
    'hbts.cf:2: warning: monitor_policy apache: restarts=3 is never reached, the group moves at migration_threshold=2 failures',
  ]);
});

void test('hbts check describes the checks and each monitored group policy', () => {
  const r = resolve(
    hbts('monitor apache interval=500ms timeout=2 tcp 198.18.0.100:80', 'monitor_policy apache restarts=2'),
  );
  const text = describeConfig(r.config ?? assert.fail('no config'));
  assert.match(
    text,
    /health checks:\n {2}apache \(group 198\.18\.0\.100\): tcp 198\.18\.0\.100:80 every 500 ms, timeout 2 s\n/,
  );
  assert.match(
    text,
    /group 198\.18\.0\.100: restart in place up to 2 time\(s\) in 60 s, then move; a node is not chosen again after 3 failure\(s\) until hbts cleanup/,
  );
});
