// Fence agent metadata and the option checks built on it, validated against the REAL
// `/usr/sbin/fence_ipmilan -o metadata` (the option names a fence line uses must be the agent's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fetchFenceMetadata } from '../../../src/fencing/fence-agents.js';
import {
  checkFenceOptions,
  parseFenceMetadata,
  type FenceMetadata,
} from '../../../src/fencing/fence-metadata.js';
import { fenceInspector } from '../../../src/fencing/inspect.js';
import { fakeMetadata } from './fake-agent.js';

const IPMILAN = '/usr/sbin/fence_ipmilan';
const noAgents = existsSync(IPMILAN) ? false : 'fence-agents is not installed (apt-get install fence-agents)';

async function ipmilan(): Promise<FenceMetadata> {
  const xml = await fetchFenceMetadata(IPMILAN, 20_000);
  assert.equal(typeof xml, 'string', JSON.stringify(xml));
  const meta = parseFenceMetadata(xml as string);
  assert.ok(meta !== undefined);
  return meta;
}

void test(
  'real fence_ipmilan metadata: the options our docs and lab use exist, with their types',
  { skip: noAgents },
  async () => {
    const meta = await ipmilan();
    const byName = new Map(meta.parameters.map((p) => [p.name, p]));
    for (const name of ['ip', 'username', 'password', 'lanplus', 'cipher', 'ipport', 'method', 'privlvl'])
      assert.ok(byName.has(name), `fence_ipmilan takes ${name}`);
    assert.equal(byName.get('lanplus')?.type, 'boolean');
    assert.equal(byName.get('ipport')?.type, 'integer');
    assert.deepEqual(byName.get('method')?.choices, ['onoff', 'cycle']);
    assert.equal(byName.get('ipaddr')?.deprecated, true);
    assert.equal(byName.get('ip')?.obsoletes, 'ipaddr');
    for (const action of ['on', 'off', 'reboot', 'status', 'monitor', 'metadata'])
      assert.ok(meta.actions.includes(action), action);
    const lab = checkFenceOptions('fence_ipmilan', meta, [
      ['ip', '198.18.0.52'],
      ['ipport', '9001'],
      ['username', 'admin'],
      ['password_file', '/etc/ha.d/node2.pw'],
      ['lanplus', '1'],
      ['cipher', '3'],
    ]);
    assert.deepEqual(lab, []);
  },
);

void test(
  'real fence_ipmilan: typos, bad values and deprecated names are found',
  { skip: noAgents },
  async () => {
    const meta = await ipmilan();
    const found = checkFenceOptions('fence_ipmilan', meta, [
      ['ipadr', '198.18.0.52'],
      ['lanplus', 'y'],
      ['ipport', 'http'],
      ['method', 'reset'],
      ['login', 'admin'],
    ]);
    assert.deepEqual(found, [
      {
        severity: 'error',
        message:
          "fence_ipmilan has no option 'ipadr'; did you mean 'ip'? (`fence_ipmilan -o metadata` lists them)",
      },
      {
        severity: 'error',
        message:
          "fence_ipmilan: lanplus=y: lanplus is a flag, write lanplus=1 (or 0); the agent would ignore 'y'",
      },
      { severity: 'error', message: 'fence_ipmilan: ipport=http: ipport takes a whole number' },
      { severity: 'error', message: 'fence_ipmilan: method=reset: method takes one of onoff, cycle' },
      { severity: 'advice', message: "fence_ipmilan: 'login' is deprecated, write username=" },
    ]);
  },
);

void test('required options: satisfied by any alias, reported when missing', () => {
  const meta = parseFenceMetadata(fakeMetadata('fence_fake'));
  assert.ok(meta !== undefined);
  assert.deepEqual(checkFenceOptions('fence_fake', meta, [['username', 'a']]), [
    { severity: 'error', message: 'fence_fake requires ip= (`fence_fake -o metadata`)' },
  ]);
  assert.deepEqual(checkFenceOptions('fence_fake', meta, [['ip', 'a']]), []);
  assert.equal(parseFenceMetadata('not xml'), undefined);
});

void test(
  'the inspector `hbts check` uses: a missing agent, a good and a bad fence line',
  { skip: noAgents },
  () => {
    const inspect = fenceInspector();
    assert.deepEqual(inspect.agent('fence_hbtsnope', []), {
      needed: [
        'fence agent fence_hbtsnope not found in /usr/sbin or PATH (is the Debian package fence-agents installed?)',
      ],
      advice: [],
    });
    assert.deepEqual(
      inspect.agent('fence_ipmilan', [
        ['ip', '198.18.0.52'],
        ['lanplus', '1'],
      ]),
      {
        needed: [],
        advice: [],
      },
    );
    assert.deepEqual(inspect.agent('fence_apc', [['ip', '198.18.0.60']]).needed, [
      'fence_apc requires plug= (`fence_apc -o metadata`)',
      'fence_apc requires username= (`fence_apc -o metadata`)',
    ]);
  },
);
