// src/config/fingerprint.ts: the wire value `hbts_cfg` is pinned to what heartbeat-ts sent before
// the fingerprints were merged (mixed-version clusters compare it, the simulator's trace hashes
// contain it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { configFacts, configFingerprint } from '../../../src/config/fingerprint.js';
import type { ClusterConfig } from '../../../src/config/types.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';
import { errorsOf, resolve, texts } from './config-fixtures.js';

function configOf(t: Parameters<typeof resolve>[0], node = 'node1'): ClusterConfig {
  const r = resolve(t, node);
  assert.deepEqual(errorsOf(r), []);
  assert.ok(r.config !== undefined);
  return r.config;
}

const BASE = (): ClusterConfig => configOf(texts());

// The values below were computed by src/cluster/fingerprint.ts before it was merged into
// src/config/fingerprint.ts; they must never change.
void test('fingerprint: the wire value of known configs is byte-identical to the old one', () => {
  assert.equal(configFingerprint(BASE()), 'ba0fb1f852c7');
  const several = configOf(
    {
      haCf: [
        'keepalive 200ms',
        'deadtime 1500ms',
        'initdead 30',
        'mcast eth1 239.0.0.7 694 1 0',
        'ucast eth0 198.18.0.2',
        'node Alpha',
        'node beta, gamma',
      ].join('\n'),
      authkeys: 'auth 3\n1 sha1 old\n3 md5 newer\n',
      haresources:
        'alpha IPaddr::198.18.0.100/24/eth0 apache\n' +
        'gamma 198.18.0.101 Filesystem::/dev/sdb1::/data::ext4 mysql\n' +
        'beta IPaddr2::198.18.0.102\n',
      authkeysMode: 0o600,
    },
    'alpha',
  );
  // Three nodes: quorum is on by default since the arbitration issue (the agreed fact `quorum=on`
  // was added; it was 'abdc53485576' before): a node of an older version runs without quorum,
  // and the mismatch says so before a partition does.
  assert.equal(configFingerprint(several), '56210a57694e');
  assert.equal(configFingerprint({ ...several, quorum: false }), 'abdc53485576');
  const noGroups = configOf(
    {
      haCf: 'bcast eth0\nnode n1\nnode n2\nauto_failback off\n',
      authkeys: 'auth 2\n2 crc\n',
      authkeysMode: 0o600,
    },
    'n1',
  );
  assert.equal(configFingerprint(noGroups), '1fa567ab59b5');
  assert.equal(
    configFingerprint(simClusterConfig({ nodes: 3, keepaliveMs: 100, deadtimeMs: 500 })),
    '364a95a60860',
  );
});

void test('fingerprint: hbts_cfg hashes the agreed facts as name=value lines, in their fixed order', () => {
  const config = BASE();
  const canonical = [
    'nodes=node1,node2',
    'keepalive=2000',
    'deadtime=10000',
    'warntime=6000',
    'initdead=20000',
    'auto_failback=on',
    'auth=sha1',
    'group=node1:198.18.0.100 apache',
  ].join('\n');
  assert.equal(configFingerprint(config), createHash('sha256').update(canonical).digest('hex').slice(0, 12));
  assert.deepEqual(
    configFacts(config)
      .filter((f) => !f.agreed)
      .map((f) => f.name),
    ['media', 'authkeys', 'fencing'],
  );
  assert.ok(
    configFacts(config).every((f) => !f.value.includes('s3cret')),
    'the description holds no secret',
  );
});

void test('fingerprint: what nodes must agree on changes hbts_cfg; local facts do not', () => {
  const base = BASE();
  const retimed = configOf(texts({ haCf: texts().haCf.replace('deadtime 10', 'deadtime 12') }));
  assert.notEqual(configFingerprint(retimed), configFingerprint(base));
  const otherMedium = configOf(texts({ haCf: texts().haCf.replace('bcast eth0', 'bcast eth1') }));
  assert.equal(configFingerprint(otherMedium), configFingerprint(base));
  const otherSecret = configOf(texts({ authkeys: 'auth 1\n1 sha1 another\n' }));
  assert.equal(configFingerprint(otherSecret), configFingerprint(base));
  const otherMethod = configOf(texts({ authkeys: 'auth 1\n1 md5 s3cret\n' }));
  assert.notEqual(configFingerprint(otherMethod), configFingerprint(base));
});
