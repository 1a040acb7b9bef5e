// Fencing configuration, our extension: `fence`, `fence_delay`, `fence_timeout`, `disk_lock`, in
// hbts.cf (beside ha.cf, read after it, extensions only) or in ha.cf (one warning). Each good form
// and each bad form with its exact file:line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { configToJson, describeConfig } from '../../../src/config/describe-config.js';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const hbts = (...lines: string[]): ConfigTexts => texts({ hbtsCf: lines.join('\n') + '\n' });

void test('fence lines in hbts.cf: agent, options in order, node lowercased, no warning', () => {
  const r = resolve(
    hbts(
      'fence node2 fence_ipmilan ip=198.18.0.52 username=admin password_file=/etc/ha.d/node2.pw lanplus=1 cipher=3',
      'fence NODE1 /usr/local/sbin/fence_custom plug=1,2 # two outlets',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), []);
  assert.deepEqual(r.config?.fence, [
    {
      kind: 'fence-agent',
      target: 'node2',
      agent: 'fence_ipmilan',
      options: [
        ['ip', '198.18.0.52'],
        ['username', 'admin'],
        ['password_file', '/etc/ha.d/node2.pw'],
        ['lanplus', '1'],
        ['cipher', '3'],
      ],
      at: { file: 'hbts.cf', line: 1 },
    },
    {
      kind: 'fence-agent',
      target: 'node1',
      agent: '/usr/local/sbin/fence_custom',
      options: [['plug', '1,2']],
      at: { file: 'hbts.cf', line: 2 },
    },
  ]);
  assert.equal(r.config?.directives.has('fence'), false, 'fence lines never reach HA_* script variables');
});

void test('fence <node> sbd with disk_lock; fence_delay and fence_timeout in Heartbeat time syntax', () => {
  const r = resolve(
    hbts('disk_lock /dev/disk/by-id/sbd', 'fence node2 sbd', 'fence_delay 2', 'fence_timeout 500ms'),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(r.config?.fence, [{ kind: 'sbd', target: 'node2', at: { file: 'hbts.cf', line: 2 } }]);
  assert.deepEqual(r.config?.diskLock, { device: '/dev/disk/by-id/sbd', at: { file: 'hbts.cf', line: 1 } });
  assert.equal(r.config?.fenceDelayMs, 2000);
  assert.equal(r.config?.fenceTimeoutMs, 500);
  const plain = resolve(texts());
  assert.deepEqual(
    [plain.config?.fence, plain.config?.fenceDelayMs, plain.config?.fenceTimeoutMs, plain.config?.diskLock],
    [[], 5000, 60000, undefined],
  );
});

void test('extensions in ha.cf work, with one warning naming them all and where', () => {
  const r = resolve(
    withHaCf(
      'fence node2 fence_ipmilan ip=198.18.0.52',
      'fence_delay 3',
      'fence node1 fence_ipmilan ip=198.18.0.51',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    'ha.cf:9: warning: fence, fence_delay are heartbeat-ts extensions (lines 9, 10, 11): real Heartbeat refuses a ha.cf holding them; in a cluster with Heartbeat nodes, move these lines to hbts.cf beside it',
  ]);
  assert.equal(r.config?.fence?.length, 2);
  assert.equal(r.config?.fenceDelayMs, 3000);
});

void test('hbts.cf is read after ha.cf: its value wins, and the override is named with its file', () => {
  const r = resolve({ ...withHaCf('fence_timeout 30'), hbtsCf: 'fence_timeout 20\n' });
  assert.equal(r.config?.fenceTimeoutMs, 20_000);
  assert.ok(
    warningsOf(r).includes(
      'hbts.cf:1: warning: fence_timeout is set again here; the value on ha.cf:9 is overridden (the last one wins, as in Heartbeat)',
    ),
    warningsOf(r).join('\n'),
  );
});

const bad: readonly (readonly [string, ConfigTexts, string])[] = [
  [
    'a Heartbeat directive in hbts.cf',
    hbts('deadtime 5'),
    "hbts.cf:1: 'deadtime' is a Heartbeat directive: write it in ha.cf; hbts.cf holds only heartbeat-ts extensions (fence, fence_delay, fence_timeout, disk_lock, arbiter)",
  ],
  [
    'an unknown name in hbts.cf',
    hbts('fense node2 sbd'),
    "hbts.cf:1: unknown directive 'fense'; did you mean 'fence'?",
  ],
  [
    'fence without agent',
    hbts('fence node2'),
    'hbts.cf:1: fence needs a node and how to fence it, e.g. `fence node2 fence_ipmilan ip=198.18.0.52 username=admin password_file=/etc/ha.d/node2.pw lanplus=1` or `fence node2 sbd`',
  ],
  [
    'a target that is not a node',
    hbts('fence node3 fence_ipmilan ip=1'),
    "hbts.cf:1: fence: 'node3' is not a node in ha.cf (nodes: node1, node2); fence lines name the node to fence",
  ],
  [
    'sbd without disk_lock',
    hbts('fence node2 sbd'),
    'hbts.cf:1: fence node2 sbd needs the shared disk: add `disk_lock <device>` (the SBD device every node opens)',
  ],
  [
    'sbd with options',
    hbts('disk_lock /dev/sdb', 'fence node2 sbd x=1'),
    "hbts.cf:2: fence node2 sbd takes no options, got 'x=1'",
  ],
  [
    'a relative agent path',
    hbts('fence node2 bin/fence_x ip=1'),
    "hbts.cf:1: the fence agent 'bin/fence_x' is a relative path: write its name (looked up in /usr/sbin, then PATH) or an absolute path",
  ],
  [
    'an agent name with odd characters',
    hbts('fence node2 fence$x ip=1'),
    "hbts.cf:1: 'fence$x' is not a fence agent name: write a name such as fence_ipmilan or an absolute path",
  ],
  [
    'a bare flag',
    hbts('fence node2 fence_x lanplus'),
    "hbts.cf:1: fence node2: 'lanplus' has no value: write lanplus=1 for a flag",
  ],
  [
    'a command-line flag',
    hbts('fence node2 fence_x --ip=1'),
    "hbts.cf:1: fence node2: '--ip=1' is a command-line flag; fence options are written key=value (e.g. ip=198.18.0.52, lanplus=1)",
  ],
  [
    'not key=value',
    hbts('fence node2 fence_x 1=ip'),
    "hbts.cf:1: fence node2: '1=ip' is not a key=value option (e.g. ip=198.18.0.52, lanplus=1)",
  ],
  [
    'an empty value',
    hbts('fence node2 fence_x ip='),
    "hbts.cf:1: fence node2: option 'ip' has no value: write ip=VALUE",
  ],
  [
    'a key twice',
    hbts('fence node2 fence_x ip=1 ip=2'),
    "hbts.cf:1: fence node2: option 'ip' is given twice",
  ],
  [
    'action= on the line',
    hbts('fence node2 fence_x action=reboot'),
    'hbts.cf:1: fence node2: the action is chosen by heartbeat-ts (off, then status to confirm; `hbts fence --action` by hand): remove action=',
  ],
  [
    'nodename= on the line',
    hbts('fence node2 fence_x nodename=n2'),
    "hbts.cf:1: fence node2: nodename is passed by heartbeat-ts (the fence line's node): remove it; to name the machine on the device, use plug=",
  ],
  [
    'password and password_file',
    hbts('fence node2 fence_x password=a password_file=/etc/ha.d/pw'),
    'hbts.cf:1: fence node2: give either password_file= or the password itself, not both',
  ],
  [
    'a relative password_file',
    hbts('fence node2 fence_x password_file=node2.pw'),
    "hbts.cf:1: fence node2: password_file must be an absolute path (a mode-600 file holding the password), got 'node2.pw'",
  ],
  [
    'disk_lock not a path',
    hbts('disk_lock sdb'),
    "hbts.cf:1: disk_lock takes the shared disk's device path, e.g. `disk_lock /dev/disk/by-id/...`, got 'sdb'",
  ],
  [
    'fence_timeout 0',
    hbts('fence node2 sbd', 'disk_lock /dev/sdb', 'fence_timeout 0'),
    'hbts.cf:3: fence_timeout must be more than 0 (`0` is 0 ms)',
  ],
  [
    'fence_delay in seconds with a suffix',
    hbts('fence_delay 5s'),
    'hbts.cf:1: seconds take no suffix: write `fence_delay 5` or `fence_delay 5000ms`',
  ],
  [
    'a bad fence line in ha.cf',
    withHaCf('fence node3 sbd', 'disk_lock /dev/sdb'),
    "ha.cf:9: fence: 'node3' is not a node in ha.cf (nodes: node1, node2); fence lines name the node to fence",
  ],
];

for (const [name, input, error] of bad) {
  void test(`bad: ${name}`, () => {
    const r = resolve(input);
    assert.deepEqual(errorsOf(r), [error]);
    assert.equal(r.config, undefined);
  });
}

void test('fence_delay 0 in a two-node cluster and fence times without any fence are warnings', () => {
  assert.ok(
    warningsOf(resolve(hbts('fence node2 fence_x ip=1', 'fence_delay 0'))).includes(
      'hbts.cf:2: warning: fence_delay 0: when the two nodes lose each other, both fence at once and both may go down; keep a delay longer than one fence call (the default is 5 s)',
    ),
  );
  assert.deepEqual(warningsOf(resolve(hbts('fence_delay 3', 'fence_timeout 30'))), [
    'hbts.cf:1: warning: fence_delay has no effect: there is no fence, stonith or stonith_host line',
    'hbts.cf:2: warning: fence_timeout has no effect: there is no fence, stonith or stonith_host line',
  ]);
  assert.deepEqual(warningsOf(resolve(withHaCf('stonith_host * null node2'))), []);
});

void test('summary and JSON show the fencing setup with any inline password hidden', () => {
  const r = resolve(
    hbts('fence node2 fence_ipmilan ip=198.18.0.52 password=hunter2 lanplus=1', 'fence_delay 3'),
  );
  assert.ok(r.config !== undefined);
  const text = describeConfig(r.config);
  assert.match(text, /^fence:\n {2}node2 by fence_ipmilan \(ip=198\.18\.0\.52 password=\*\*\* lanplus=1\)$/m);
  assert.match(
    text,
    /^fence timing: {3}delay 3 s \(when the dead node ran the most groups\), timeout 60 s per method$/m,
  );
  const json = configToJson(r.config);
  assert.ok(!json.includes('hunter2'));
  assert.match(json, /"password",\s*"\*\*\*"/);
});
