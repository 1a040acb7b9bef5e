// Heartbeat's stonith/stonith_host lines through the REAL cluster-glue `stonith` command: the
// parameter split (cluster-glue's own -p rule, passed as -E environment), the host list, resets,
// device status and its exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StonithDevice } from '../../../src/config/fencing-config.js';
import type { NodeName } from '../../../src/config/types.js';
import {
  deviceConfig,
  stonithCodeText,
  stonithConfigNames,
  stonithDeviceStatus,
  stonithHostList,
  stonithReset,
} from '../../../src/fencing/stonith-glue.js';
import { fenceInspector } from '../../../src/fencing/inspect.js';

const at = { file: 'ha.cf', line: 7 };
const host = (type: string, ...params: string[]): StonithDevice => ({
  kind: 'stonith_host',
  host: '*',
  type,
  params,
  at,
});
const noGlue = existsSync('/usr/sbin/stonith')
  ? false
  : 'cluster-glue is not installed (apt-get install cluster-glue)';

void test('stonith_host parameters: in -n order, the last one takes the rest; too few is refused', () => {
  const names = ['hostname', 'ipaddr', 'userid', 'passwd', 'interface'];
  assert.deepEqual(
    deviceConfig(host('external/ipmi', 'node2', '198.18.0.52', 'admin', 'pw', 'lanplus'), names),
    {
      args: ['-t', 'external/ipmi', '-E'],
      env: { hostname: 'node2', ipaddr: '198.18.0.52', userid: 'admin', passwd: 'pw', interface: 'lanplus' },
    },
  );
  assert.deepEqual(deviceConfig(host('null', 'node1', 'node2', 'node3'), ['hostlist']), {
    args: ['-t', 'null', '-E'],
    env: { hostlist: 'node1 node2 node3' },
  });
  assert.equal(
    deviceConfig(host('external/ipmi', 'node2', '198.18.0.52'), names),
    'external/ipmi takes 5 parameters (hostname ipaddr userid passwd interface), the line gives 2; cluster-glue refuses this too ("Invalid STONITH -p parameter")',
  );
  const file: StonithDevice = {
    kind: 'stonith',
    host: '*',
    type: 'baytech',
    params: ['/etc/ha.d/st.cfg'],
    at,
  };
  assert.deepEqual(deviceConfig(file, []), { args: ['-t', 'baytech', '-F', '/etc/ha.d/st.cfg'], env: {} });
  assert.equal(stonithCodeText(4), 'S_BADHOST: the device does not know this host');
});

void test(
  'real stonith: -n names, -l hosts, -T off, -S status; an unknown type fails with its code',
  { skip: noGlue },
  async () => {
    assert.deepEqual(await stonithConfigNames('external/ipmi', 5000), [
      'hostname',
      'ipaddr',
      'userid',
      'passwd',
      'interface',
    ]);
    const d = host('null', 'Node1', 'node2');
    const cfg = deviceConfig(d, ['hostlist']);
    assert.ok(typeof cfg !== 'string');
    assert.deepEqual(await stonithHostList(d, cfg, 5000), ['node1', 'node2']);
    assert.deepEqual(await stonithReset(d, cfg, 'off', 'node2' as NodeName, 5000), {
      ok: true,
      detail: 'null -T off node2: S_OK',
    });
    assert.deepEqual(await stonithDeviceStatus(d, cfg, 5000), { ok: true, detail: 'null -S: device OK' });
    const bad = await stonithConfigNames('hbts/nosuch', 5000);
    assert.ok(!Array.isArray(bad));
    assert.match(bad.error, /^stonith -t hbts\/nosuch -n: S_OOPS/);
  },
);

void test('real stonith via -F: a config file holds the parameters', { skip: noGlue }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-stonith-'));
  try {
    const file = join(dir, 'null.cfg');
    writeFileSync(file, 'node1 node2\n', { mode: 0o600 });
    const d: StonithDevice = { kind: 'stonith', host: '*', type: 'null', params: [file], at };
    const cfg = deviceConfig(d, []);
    assert.ok(typeof cfg !== 'string');
    assert.deepEqual(await stonithHostList(d, cfg, 5000), ['node1', 'node2']);
    // What `hbts check` asks: the type exists, the file exists, enough parameters.
    const inspect = fenceInspector();
    assert.deepEqual(inspect.stonith(d), { needed: [], advice: [] });
    assert.deepEqual(inspect.stonith({ ...d, params: [join(dir, 'missing.cfg')] }).needed, [
      `configuration file ${join(dir, 'missing.cfg')} does not exist`,
    ]);
    assert.deepEqual(inspect.stonith(host('external/ipmi', 'node2')).needed, [
      'external/ipmi takes 5 parameters (hostname ipaddr userid passwd interface), the line gives 1; cluster-glue refuses this too ("Invalid STONITH -p parameter")',
    ]);
    assert.match(
      inspect.stonith(host('hbtsnope', 'x')).needed[0] ?? '',
      /stonith -t hbtsnope -n` failed \(exit 8\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
