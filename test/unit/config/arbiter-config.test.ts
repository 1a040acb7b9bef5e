// The lease arbiter's configuration, our extension: `arbiter etcd <endpoints> [prefix=] [ttl=]
// [cacert= cert= key=]` in hbts.cf (or ha.cf, warned). Good forms with their defaults, and each bad
// form with its exact file:line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { describeConfig } from '../../../src/config/describe-config.js';
import { configFacts } from '../../../src/config/fingerprint.js';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const hbts = (...lines: string[]): ConfigTexts => texts({ hbtsCf: lines.join('\n') + '\n' });

void test('arbiter etcd in hbts.cf: endpoints in order, default prefix names the cluster, default ttl 10 s', () => {
  const r = resolve(hbts('arbiter etcd 198.18.0.10:2379,http://198.18.0.11:2379'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    'hbts.cf:1: warning: arbiter etcd: every node must run heartbeat-ts; a real Heartbeat node never asks etcd for a key, so "never two holders" cannot hold in a cluster with one (the daemon reports such a peer at crit)',
  ]);
  assert.deepEqual(r.config?.arbiter, {
    kind: 'etcd',
    endpoints: ['198.18.0.10:2379', 'http://198.18.0.11:2379'],
    prefix: '/hbts/linux-ha',
    ttlMs: 10_000,
    tls: undefined,
    at: { file: 'hbts.cf', line: 1 },
  });
  assert.equal(r.config?.directives.has('arbiter'), false, 'never an HA_* script variable');
  assert.match(
    describeConfig(r.config!),
    /arbiter: +etcd 198\.18\.0\.10:2379,http:\/\/198\.18\.0\.11:2379 prefix \/hbts\/linux-ha ttl 10 s/,
  );
  assert.equal(resolve(texts()).config?.arbiter, undefined);
});

void test('arbiter options: prefix, ttl in Heartbeat time syntax, TLS files', () => {
  const r = resolve(
    hbts(
      'arbiter etcd https://etcd1:2379 prefix=/hbts/web ttl=4000ms cacert=/etc/ha.d/ca.pem cert=/etc/ha.d/c.pem key=/etc/ha.d/k.pem',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.equal(r.config?.arbiter?.prefix, '/hbts/web');
  assert.equal(r.config?.arbiter?.ttlMs, 4000);
  assert.deepEqual(r.config?.arbiter?.tls, {
    cacert: '/etc/ha.d/ca.pem',
    cert: '/etc/ha.d/c.pem',
    key: '/etc/ha.d/k.pem',
  });
  const facts = configFacts(r.config!).filter((f) => f.name === 'arbiter');
  assert.equal(facts.length, 1, 'a reload that changes the arbiter is seen');
  assert.equal(facts[0]?.agreed, false, 'no existing cluster fingerprint changes');
  assert.deepEqual(
    configFacts(resolve(texts()).config!).filter((f) => f.name === 'arbiter'),
    [],
  );
});

void test('arbiter in ha.cf works, with the warning that real Heartbeat refuses it', () => {
  const r = resolve(withHaCf('arbiter etcd 198.18.0.10:2379 ttl=2'));
  assert.deepEqual(errorsOf(r), []);
  assert.ok(
    warningsOf(r).some((w) =>
      /^ha\.cf:9: warning: arbiter is a heartbeat-ts extension .*real Heartbeat refuses/.test(w),
    ),
    warningsOf(r).join('\n'),
  );
  assert.equal(r.config?.arbiter?.ttlMs, 2000);
});

void test('a ttl whose half is under two keepalives is warned about', () => {
  const r = resolve({ ...withHaCf('keepalive 2'), hbtsCf: 'arbiter etcd 198.18.0.10:2379 ttl=6\n' });
  assert.ok(
    warningsOf(r).includes(
      'hbts.cf:1: warning: arbiter etcd: ttl=6 releases groups 3000 ms after the last keepalive answer, less than two keepalives (2000 ms): a short hiccup of etcd will move groups',
    ),
    warningsOf(r).join('\n'),
  );
});

const bad: readonly (readonly [string, string, string])[] = [
  [
    'no endpoints',
    'arbiter etcd',
    'hbts.cf:1: arbiter needs a kind and its endpoints, e.g. `arbiter etcd 198.18.0.10:2379,198.18.0.11:2379 ttl=10`',
  ],
  [
    'another kind',
    'arbiter zookeeper zk:2181',
    "hbts.cf:1: arbiter 'zookeeper' is not known: the only arbiter is etcd, e.g. `arbiter etcd 198.18.0.10:2379,198.18.0.11:2379 ttl=10`",
  ],
  [
    'an endpoint without port',
    'arbiter etcd 198.18.0.10',
    "hbts.cf:1: arbiter etcd: '198.18.0.10' is not an etcd endpoint: write host:port or http(s)://host:port (etcd's client port is usually 2379)",
  ],
  [
    'a port out of range',
    'arbiter etcd h:70000',
    "hbts.cf:1: arbiter etcd: endpoint 'h:70000': port 70000 is not 1-65535",
  ],
  [
    'an unknown option',
    'arbiter etcd h:2379 lease=5',
    "hbts.cf:1: arbiter etcd: unknown option 'lease=5' (options: prefix=, ttl=, cacert=, cert=, key=)",
  ],
  [
    'an empty option',
    'arbiter etcd h:2379 ttl=',
    "hbts.cf:1: arbiter etcd: option 'ttl' has no value: write ttl=VALUE",
  ],
  [
    'an option twice',
    'arbiter etcd h:2379 ttl=2 ttl=3',
    "hbts.cf:1: arbiter etcd: option 'ttl' is given twice",
  ],
  [
    'a ttl with a unit Heartbeat refuses',
    'arbiter etcd h:2379 ttl=10s',
    'hbts.cf:1: arbiter etcd: seconds take no suffix: write `ttl= 10` or `ttl= 10000ms`',
  ],
  [
    'a ttl under 2 s',
    'arbiter etcd h:2379 ttl=1',
    'hbts.cf:1: arbiter etcd: ttl=1 is 1000 ms; etcd leases last whole seconds, at least 2: write e.g. ttl=2 or ttl=10',
  ],
  [
    'a ttl of part seconds',
    'arbiter etcd h:2379 ttl=2500ms',
    'hbts.cf:1: arbiter etcd: ttl=2500ms is 2500 ms; etcd leases last whole seconds, at least 2: write e.g. ttl=2 or ttl=10',
  ],
  [
    'a relative prefix',
    'arbiter etcd h:2379 prefix=hbts',
    "hbts.cf:1: arbiter etcd: prefix must start with / and not end with one, e.g. prefix=/hbts/web, got 'hbts'",
  ],
  [
    'a relative cacert',
    'arbiter etcd h:2379 cacert=ca.pem',
    "hbts.cf:1: arbiter etcd: cacert= must be an absolute path, got 'ca.pem'",
  ],
  [
    'cert without key',
    'arbiter etcd h:2379 cacert=/ca cert=/c',
    'hbts.cf:1: arbiter etcd: a client certificate needs both cert= and key=',
  ],
  [
    'cert and key without cacert',
    'arbiter etcd h:2379 cert=/c key=/k',
    'hbts.cf:1: arbiter etcd: cert= and key= need cacert= too (the CA that signed the etcd servers)',
  ],
];

for (const [what, line, message] of bad) {
  void test(`arbiter: ${what} is an error with its line`, () => {
    const r = resolve(hbts(line));
    assert.ok(errorsOf(r).includes(message), errorsOf(r).join('\n'));
  });
}

void test('two arbiter lines: the second is refused, naming the first', () => {
  const r = resolve(hbts('arbiter etcd a:2379', 'arbiter etcd b:2379'));
  assert.ok(
    errorsOf(r).includes('hbts.cf:2: arbiter is already given on line 1: write one arbiter line'),
    errorsOf(r).join('\n'),
  );
});
