// Arbitration configuration: `quorum` and `ping_policy` (our extensions, in hbts.cf or in ha.cf
// with one warning), Heartbeat's `respawn <user> .../ipfail` line, the defaults (quorum on from 3
// nodes) and the lines `hbts check` prints about them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { describeConfig, describeQuorum } from '../../../src/config/describe-config.js';
import { configFingerprint } from '../../../src/config/fingerprint.js';
import { BASE_HA_CF, errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const hbts = (...lines: string[]): ConfigTexts => texts({ hbtsCf: lines.join('\n') + '\n' });
const threeNodes = (...extra: string[]): ConfigTexts =>
  texts({ haCf: [BASE_HA_CF, 'node node3', ...extra].join('\n') + '\n' });

void test('quorum defaults: off for 2 nodes (as Heartbeat), on from 3 nodes; ping_policy off', () => {
  const two = resolve(texts());
  assert.equal(two.config?.quorum, false);
  assert.equal(two.config?.pingPolicy, 'off');
  const three = resolve(threeNodes());
  assert.deepEqual(errorsOf(three), []);
  assert.equal(three.config?.quorum, true);
});

void test('quorum and ping_policy in hbts.cf: no warning; in ha.cf: the extension warning', () => {
  const r = resolve(hbts('quorum off', 'ping_policy ipfail'));
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config?.quorum, false);
  assert.equal(r.config?.pingPolicy, 'ipfail');
  assert.deepEqual(warningsOf(r), [
    'hbts.cf:2: warning: ipfail has no effect: there is no ping, ping6 or ping_group line to compare nodes by',
  ]);
  const inHaCf = resolve(withHaCf('quorum yes', 'ping 198.18.0.254'));
  assert.equal(inHaCf.config?.quorum, true);
  assert.match(
    warningsOf(inHaCf)[0] ?? '',
    /^ha\.cf:9: warning: quorum is a heartbeat-ts extension .*real Heartbeat refuses/,
  );
});

void test('bad values name the line and what is allowed', () => {
  assert.deepEqual(
    errorsOf(resolve(hbts('quorum maybe', 'ping_policy most'))).map((e) => e.replace(/ \(.*\)/, '')),
    [
      "hbts.cf:1: quorum takes a boolean, got 'maybe'",
      "hbts.cf:2: ping_policy takes one of off, ipfail, got 'most'",
    ],
  );
});

void test('respawn hacluster .../ipfail turns ipfail on; respawn lines are acted on (no "not acted on" news)', () => {
  const r = resolve(
    withHaCf(
      'ping 198.18.0.254',
      'respawn hacluster /usr/lib/heartbeat/ipfail',
      'respawn root /usr/local/bin/watcher',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config?.pingPolicy, 'ipfail');
  const notActed = warningsOf(r).filter((w) => w.includes('not acted on'));
  assert.deepEqual(notActed, []);
  // ping_policy off wins over the respawn line.
  assert.equal(
    resolve(
      texts({
        haCf:
          [BASE_HA_CF, 'ping 198.18.0.254', 'respawn hacluster /usr/lib/heartbeat/ipfail'].join('\n') + '\n',
        hbtsCf: 'ping_policy off\n',
      }),
    ).config?.pingPolicy,
    'off',
  );
});

void test('ping nodes and deadping are acted on now: no "not acted on" warning', () => {
  const r = resolve(withHaCf('ping 198.18.0.254', 'ping_group gw 198.18.0.1 198.18.0.2', 'deadping 12'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(
    warningsOf(r).filter((w) => w.includes('not acted on')),
    [],
  );
  assert.equal(r.config?.deadpingMs, 12_000);
});

void test('quorum on with 2 nodes and no ping node: warned (losing either node stops everything)', () => {
  const r = resolve(hbts('quorum on'));
  assert.equal(r.config?.quorum, true);
  assert.match(
    warningsOf(r).join('\n'),
    /hbts\.cf:1: warning: quorum on with 2 nodes: a node alone has no majority/,
  );
  assert.deepEqual(
    warningsOf(resolve(texts({ haCf: `${BASE_HA_CF}\nping 198.18.0.254\n`, hbtsCf: 'quorum on\n' }))),
    [],
  );
});

void test('check prints one quorum line saying how it differs from Heartbeat', () => {
  const three = resolve(threeNodes()).config;
  assert.ok(three !== undefined);
  assert.equal(
    describeQuorum(three),
    'on: a partition needs 2 of the 3 nodes to run groups, a smaller one releases them within deadtime. ' +
      'Heartbeat differs: it has no quorum in haresources mode. Every node must run heartbeat-ts (a real Heartbeat node neither counts nor obeys it)',
  );
  assert.match(describeConfig(three), /^quorum: {9}on: a partition needs 2 of the 3 nodes/m);
  const fourWithPing = resolve(
    texts({ haCf: [BASE_HA_CF, 'node node3 node4', 'ping 198.18.0.254'].join('\n') }),
  );
  assert.match(
    describeQuorum(fourWithPing.config ?? three),
    /exactly 2 hold only while they reach a ping node \(tiebreaker\)/,
  );
  const offThree = resolve(threeNodes(), 'node1').config;
  assert.ok(offThree !== undefined);
  assert.match(
    describeQuorum({ ...offThree, quorum: false }),
    /^off \(as Heartbeat: every partition runs the groups it can reach/,
  );
});

void test('quorum and ipfail are agreed facts: nodes that differ see a config mismatch', () => {
  const on = resolve(threeNodes()).config;
  const off = resolve(texts({ haCf: [BASE_HA_CF, 'node node3'].join('\n'), hbtsCf: 'quorum off\n' })).config;
  assert.ok(on !== undefined && off !== undefined);
  assert.notEqual(configFingerprint(on), configFingerprint(off));
  const ipfail = resolve(
    texts({ haCf: `${BASE_HA_CF}\nping 198.18.0.254\n`, hbtsCf: 'ping_policy ipfail\n' }),
  ).config;
  const watched = resolve(texts({ haCf: `${BASE_HA_CF}\nping 198.18.0.254\n` })).config;
  assert.ok(ipfail !== undefined && watched !== undefined);
  assert.notEqual(configFingerprint(ipfail), configFingerprint(watched));
  // Ping nodes only watched: the fingerprint of a two-node cluster is what it was without them.
  assert.equal(configFingerprint(watched), configFingerprint(resolve(texts()).config ?? watched));
});
