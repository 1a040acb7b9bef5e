// ha.cf: time syntax, lexical rules (comments, splitting, whole-line directives), defaults and
// derived defaults, order effects, media ids, and the warnings where Heartbeat fails silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHeartbeatTime, formatDuration } from '../../../src/config/heartbeat-time.js';
import { parseHaCf } from '../../../src/config/parse-ha-cf.js';
import { defaultInitdeadMs } from '../../../src/config/ha-cf-defaults.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { HA_CF_DIRECTIVES } from '../../../src/config/ha-cf-directives.js';
import { closestName, editDistance } from '../../../src/config/did-you-mean.js';
import { errorsOf, resolve, warningsOf, withHaCf } from './config-fixtures.js';

const minimal = (...lines: string[]): string =>
  ['node node1 node2', 'bcast eth0', 'auto_failback on', ...lines].join('\n');
const errors = (text: string): string[] =>
  parseHaCf(text)
    .issues.filter((i) => i.severity === 'error')
    .map(formatIssue);
const warnings = (text: string): string[] =>
  parseHaCf(text)
    .issues.filter((i) => i.severity === 'warning')
    .map(formatIssue);

void test('time syntax: seconds, fractions, ms/msec, us/usec, case-insensitive, rounded like Heartbeat', () => {
  const ok: Array<[string, number]> = [
    ['2', 2000],
    ['0.5', 500],
    ['.5', 500],
    ['10.', 10_000],
    ['1500ms', 1500],
    ['1500MS', 1500],
    ['250msec', 250],
    ['2000us', 2],
    ['2000USEC', 2],
    ['1499us', 1],
    ['1500us', 2],
    ['0.0004', 0],
    ['0.0005', 1],
  ];
  for (const [token, ms] of ok) {
    assert.deepEqual(parseHeartbeatTime('keepalive', token), { kind: 'ok', ms }, token);
  }
  for (const token of ['2s', '2sec', '1m', '1h', '5x', '', '.', 'ms', '-1', '+1', '1e3', '2 ms']) {
    assert.equal(parseHeartbeatTime('keepalive', token).kind, 'error', token);
  }
  assert.deepEqual(parseHeartbeatTime('deadtime', '1.5m'), {
    kind: 'error',
    message: 'minutes are not accepted: write `deadtime 90` or `deadtime 90000ms`',
  });
  assert.deepEqual(parseHeartbeatTime('keepalive', '0.5s'), {
    kind: 'error',
    message: 'seconds take no suffix: write `keepalive 0.5` or `keepalive 500ms`',
  });
  assert.equal(formatDuration(2000), '2 s');
  assert.equal(formatDuration(1500), '1500 ms');
});

void test('defaults: keepalive 1 s, deadtime 30 s, warntime deadtime/2, initdead and deadping derived, udpport 694, baud 19200', () => {
  const { haCf, issues } = parseHaCf(minimal());
  assert.deepEqual(
    issues.filter((i) => i.severity === 'error'),
    [],
  );
  assert.equal(haCf.keepaliveMs, 1000);
  assert.equal(haCf.deadtimeMs, 30_000);
  assert.equal(haCf.warntimeMs, 15_000);
  assert.equal(haCf.initdeadMs, 30_000);
  assert.equal(haCf.deadpingMs, 30_000);
  assert.equal(haCf.udpPort, 694);
  assert.equal(haCf.baud, 19_200);
  assert.equal(haCf.hopfudge, 1);
  assert.equal(haCf.maxRexmitDelayMs, 250);
  assert.equal(haCf.msgfmt, 'classic');
  assert.equal(haCf.autojoin, 'none');
  assert.equal(haCf.clusterName, 'linux-ha');
  assert.equal(haCf.debugLevel, 0);
  assert.equal(haCf.logfile, undefined);
});

void test('initdead default follows deadtime: = deadtime above 10 s, 12 s below 6 s, else twice deadtime', () => {
  assert.equal(defaultInitdeadMs(30_000), 30_000);
  assert.equal(defaultInitdeadMs(10_001), 10_001);
  assert.equal(defaultInitdeadMs(10_000), 20_000);
  assert.equal(defaultInitdeadMs(6_000), 12_000);
  assert.equal(defaultInitdeadMs(5_999), 12_000);
  assert.equal(defaultInitdeadMs(3_000), 12_000);
  const h = parseHaCf(minimal('keepalive 500ms', 'deadtime 8')).haCf;
  assert.equal(h.initdeadMs, 16_000);
  assert.equal(h.warntimeMs, 4000);
  assert.equal(h.deadpingMs, 8000);
});

void test('explicit timings are kept; a warntime at or above deadtime and a small initdead are warnings', () => {
  const h = parseHaCf(minimal('keepalive 2', 'deadtime 10', 'warntime 6', 'initdead 20', 'deadping 12')).haCf;
  assert.deepEqual(
    [h.keepaliveMs, h.deadtimeMs, h.warntimeMs, h.initdeadMs, h.deadpingMs],
    [2000, 10_000, 6000, 20_000, 12_000],
  );
  assert.deepEqual(warnings(minimal('keepalive 1', 'deadtime 5', 'warntime 5', 'initdead 8')), [
    'ha.cf:6: warning: warntime 5 (5000 ms) is not below deadtime 5 (5000 ms), so no late-heartbeat warning can come before a node is declared dead',
    "ha.cf:7: warning: initdead 8 (8000 ms) may be too small: a rebooted node's network often needs more than 10 s to come up",
  ]);
});

void test('# starts a comment anywhere; blank lines, leading whitespace and CRLF are fine', () => {
  const { haCf, issues } = parseHaCf(
    '# full comment\r\n\r\n   node node1 # trailing comment\r\n\tnode node2\r\nbcast eth0#glued comment\r\nauto_failback on\r\n',
  );
  assert.deepEqual(issues, []);
  assert.deepEqual(
    haCf.nodes.map((n) => n.name),
    ['node1', 'node2'],
  );
  assert.deepEqual(
    haCf.media.map((m) => m.id),
    ['bcast:eth0'],
  );
});

void test('ordinary directives split on spaces, tabs and commas: each value is applied on its own', () => {
  const { haCf } = parseHaCf(
    'node a,b\tc  d\nbcast eth0,eth1 eth2\nserial /dev/ttyS0,/dev/ttyS1\nping 198.18.0.1,198.18.0.2\nauto_failback on\n',
  );
  assert.deepEqual(
    haCf.nodes.map((n) => n.name),
    ['a', 'b', 'c', 'd'],
  );
  assert.deepEqual(
    haCf.media.map((m) => m.id),
    ['bcast:eth0', 'bcast:eth1', 'bcast:eth2', 'serial:/dev/ttyS0', 'serial:/dev/ttyS1'],
  );
  assert.deepEqual(
    haCf.pingTargets.map((p) => p.name),
    ['198.18.0.1', '198.18.0.2'],
  );
});

void test('a scalar with several values: the last wins (as in Heartbeat), with a warning; a comma fraction gets a hint', () => {
  const text = minimal('keepalive 1,5', 'deadtime 20');
  assert.equal(parseHaCf(text).haCf.keepaliveMs, 5000);
  assert.deepEqual(warnings(text), [
    "ha.cf:4: warning: keepalive has 2 values (1, 5); Heartbeat applies them one after another, so '5' wins; commas separate values in ha.cf, for a fraction write `keepalive 1.5`",
  ]);
  assert.deepEqual(warnings(minimal('deadtime 20', 'deadtime 40')), [
    'ha.cf:5: warning: deadtime is set again here; the value on line 4 is overridden (the last one wins, as in Heartbeat)',
  ]);
  assert.equal(parseHaCf(minimal('deadtime 20', 'deadtime 40')).haCf.deadtimeMs, 40_000);
});

void test('whole-line directives keep their line: mcast, ucast, ping_group, stonith_host, respawn, apiauth', () => {
  const { haCf, issues } = parseHaCf(
    minimal(
      'mcast eth1 239.0.0.1 695 1 0',
      'ucast eth0 198.18.0.2',
      'ping_group routers 198.18.0.1 198.18.0.254',
      'stonith_host * external/ipmi node2 198.18.0.50 admin pass,word',
      'stonith baytech /etc/ha.d/conf/stonith.baytech',
      'respawn hacluster /usr/lib/heartbeat/ipfail -v,x',
      'apiauth ipfail uid=hacluster,root gid=haclient',
      'mcast6 eth1 ff05::694 694 3 1',
      'ucast6 eth1 fd00::2',
    ),
  );
  assert.deepEqual(
    issues.filter((i) => i.severity === 'error'),
    [],
  );
  assert.deepEqual(haCf.media.slice(1), [
    {
      kind: 'mcast',
      id: 'mcast:eth1:239.0.0.1:695',
      iface: 'eth1',
      group: '239.0.0.1',
      port: 695,
      ttl: 1,
      loop: false,
      at: { file: 'ha.cf', line: 4 },
    },
    {
      kind: 'ucast',
      id: 'ucast:eth0:198.18.0.2',
      iface: 'eth0',
      peer: '198.18.0.2',
      port: 694,
      at: { file: 'ha.cf', line: 5 },
    },
    {
      kind: 'mcast6',
      id: 'mcast6:eth1:ff05::694:694',
      iface: 'eth1',
      group: 'ff05::694',
      port: 694,
      hops: 3,
      loop: true,
      at: { file: 'ha.cf', line: 11 },
    },
    {
      kind: 'ucast6',
      id: 'ucast6:eth1:fd00::2',
      iface: 'eth1',
      peer: 'fd00::2',
      port: 694,
      at: { file: 'ha.cf', line: 12 },
    },
  ]);
  assert.deepEqual(haCf.pingTargets, [
    {
      kind: 'ping_group',
      name: 'routers',
      addresses: ['198.18.0.1', '198.18.0.254'],
      at: { file: 'ha.cf', line: 6 },
    },
  ]);
  assert.deepEqual(haCf.stonith, [
    {
      kind: 'stonith_host',
      host: '*',
      type: 'external/ipmi',
      params: ['node2', '198.18.0.50', 'admin', 'pass,word'],
      at: { file: 'ha.cf', line: 7 },
    },
    {
      kind: 'stonith',
      host: '*',
      type: 'baytech',
      params: ['/etc/ha.d/conf/stonith.baytech'],
      at: { file: 'ha.cf', line: 8 },
    },
  ]);
  assert.deepEqual(haCf.clients, [
    {
      kind: 'respawn',
      user: 'hacluster',
      path: '/usr/lib/heartbeat/ipfail',
      args: ['-v,x'],
      at: { file: 'ha.cf', line: 9 },
    },
  ]);
  assert.deepEqual(haCf.apiauth, [
    { client: 'ipfail', uids: ['hacluster', 'root'], gids: ['haclient'], at: { file: 'ha.cf', line: 10 } },
  ]);
  assert.deepEqual(haCf.directives.get('stonith_host'), [
    '* external/ipmi node2 198.18.0.50 admin pass,word',
  ]);
  assert.deepEqual(haCf.directives.get('node'), ['node1', 'node2']);
});

void test('order matters: a medium uses the udpport and baud in effect on its line', () => {
  const { haCf } = parseHaCf(
    [
      'node a b',
      'auto_failback on',
      'udpport 7000',
      'baud 115200',
      'bcast eth0',
      'serial /dev/ttyS0',
      'ucast eth1 198.18.0.9',
    ].join('\n'),
  );
  assert.deepEqual(
    haCf.media.map((m) => (m.kind === 'serial' ? m.baud : m.port)),
    [7000, 115200, 7000],
  );
  // A late udpport leaves the earlier medium on the old port, like Heartbeat, with a warning.
  const late = parseHaCf(
    ['node a b', 'auto_failback on', 'bcast eth0', 'udpport 7000', 'ucast eth0 198.18.0.9'].join('\n'),
  );
  assert.deepEqual(
    late.haCf.media.map((m) => (m.kind === 'serial' ? m.baud : m.port)),
    [694, 7000],
  );
  assert.equal(late.issues.filter((i) => i.severity === 'error').length, 0);
});

void test('node names are lowercased; duplicates (also by case) are warnings naming the first line', () => {
  const text = 'node Alice BOB\nnode alice\nbcast eth0\nauto_failback on\n';
  assert.deepEqual(
    parseHaCf(text).haCf.nodes.map((n) => n.name),
    ['alice', 'bob'],
  );
  assert.deepEqual(warnings(text), [
    "ha.cf:2: warning: node 'alice' is already listed on line 1; the duplicate is ignored",
  ]);
  assert.deepEqual(warnings('node alice\nnode Alice\nbcast eth0\nauto_failback on\n'), [
    "ha.cf:2: warning: node 'Alice' (node names are lowercased: 'alice') is already listed on line 1; the duplicate is ignored",
  ]);
});

void test('booleans: true/on/yes/y/1 and false/off/no/n/0 in any case; auto_failback takes booleans and legacy', () => {
  for (const word of ['true', 'ON', 'Yes', 'y', '1']) {
    assert.equal(parseHaCf(minimal(`auto_failback ${word}`)).haCf.autoFailback, 'on', word);
  }
  for (const word of ['false', 'Off', 'NO', 'n', '0']) {
    assert.equal(parseHaCf(minimal(`auto_failback ${word}`)).haCf.autoFailback, 'off', word);
  }
  assert.deepEqual(errors(minimal('realtime off', 'coredumps YES', 'log_badpack n')), []);
});

void test("legacy auto_failback, the 'udp' alias and nice_failback are explained", () => {
  const noFailback = parseHaCf('node a b\nbcast eth0\n');
  assert.equal(noFailback.haCf.autoFailback, 'legacy');
  assert.match(
    noFailback.issues.map(formatIssue).join('\n'),
    /^ha\.cf: warning: no auto_failback line, so Heartbeat's default 'legacy' applies/,
  );
  assert.match(
    warnings('node a b\nbcast eth0\nauto_failback legacy\n')[0] ?? '',
    /^ha\.cf:3: warning: auto_failback legacy: 'legacy' is deprecated/,
  );
  const udp = parseHaCf('node a b\nudp eth0\nauto_failback on\n');
  assert.deepEqual(
    udp.haCf.media.map((m) => m.id),
    ['bcast:eth0'],
  );
  assert.deepEqual(udp.issues.map(formatIssue), [
    "ha.cf:2: warning: 'udp' is an old alias of 'bcast' (Heartbeat replaces it too): write `bcast eth0`",
  ]);
  // Alone, Heartbeat 3.0.6 reads any nice_failback as legacy (its set_nice_failback tests the global flag).
  const nice = parseHaCf('node a b\nbcast eth0\nnice_failback on\n');
  assert.equal(nice.haCf.autoFailback, 'legacy');
  assert.deepEqual(nice.issues.map(formatIssue), [
    'ha.cf:3: warning: nice_failback on is obsolete: with no auto_failback on/off above it, Heartbeat reads any nice_failback as `auto_failback legacy`, so auto_failback is legacy from here on; write `auto_failback legacy` (or the on/off you mean) instead of nice_failback',
    "ha.cf:3: warning: auto_failback is legacy: 'legacy' is deprecated: a returning home node takes its groups back through the old ip-request exchange, and hb_standby, hb_takeover and ipfail are silently disabled; write `auto_failback on` (groups return to their home node) or `auto_failback off` (they stay where they run)",
  ]);
});

void test('directives parsed but not acted on are warnings, never silent; crm gets its own warning (resolve-config)', () => {
  const text = minimal(
    'watchdog /dev/watchdog',
    'realtime off',
    'compression bz2',
    'crm off',
    'crm respawn',
    'hbgenmethod time',
  );
  assert.deepEqual(warnings(text), [
    "ha.cf:5: warning: 'realtime' is parsed, not acted on by heartbeat-ts yet",
    "ha.cf:6: warning: 'compression' is parsed, not acted on by heartbeat-ts yet",
    'ha.cf:8: warning: crm is set again here; the value on line 7 is overridden (the last one wins, as in Heartbeat)',
    "ha.cf:9: warning: 'hbgenmethod' is parsed, not acted on by heartbeat-ts yet",
  ]);
  for (const spec of HA_CF_DIRECTIVES.filter((s) => !s.acted)) {
    assert.ok(spec.syntax.length > 0 && spec.defaultText.length > 0, spec.name);
  }
});

void test('every directive in the table is accepted with a sensible value (no handler is missing)', () => {
  const sample: Record<string, string> = {
    node: 'node3',
    keepalive: '1',
    deadtime: '10',
    warntime: '5',
    initdead: '20',
    deadping: '10',
    udpport: '694',
    baud: '19200',
    bcast: 'eth1',
    udp: 'eth2',
    mcast: 'eth0 239.0.0.1 694 1 0',
    mcast6: 'eth0 ff02::1 694 1 0',
    ucast: 'eth0 peer.example',
    ucast6: 'eth0 fd00::1',
    serial: '/dev/ttyS0',
    ping: '198.18.0.1',
    ping6: 'fd00::9',
    ping_group: 'g 198.18.0.2',
    hopfudge: '2',
    auto_failback: 'on',
    nice_failback: 'off',
    stonith: 'baytech /etc/ha.d/conf/stonith.baytech',
    stonith_host: '* null node1',
    logfile: '/var/log/ha-log',
    debugfile: '/var/log/ha-debug',
    logfacility: 'local0',
    debug: '1',
    max_rexmit_delay: '500',
    msgfmt: 'netstring',
    autojoin: 'none',
    cluster: 'web',
    watchdog: '/dev/watchdog',
    respawn: 'hacluster /usr/lib/heartbeat/ipfail',
    failfast: 'hacluster /usr/bin/true',
    apiauth: 'ping gid=haclient uid=root',
    use_logd: 'yes',
    conn_logd_time: '60',
    syslogmsgfmt: 'true',
    log_badpack: 'false',
    realtime: 'on',
    rtprio: '50',
    memreserve: '6500',
    coredumps: 'yes',
    coreroot: '/var/lib/heartbeat/cores',
    hbgenmethod: 'file',
    uuidfrom: 'nodename',
    compression: 'zlib',
    compression_threshold: '2',
    traditional_compression: 'no',
    env: 'FOO=bar',
    crm: 'off',
    pacemaker: 'no',
    crm_daemon_dir: '/usr/lib/pacemaker',
    crmd_spawns_pengine: 'yes',
    record_config_changes: 'on',
    record_pengine_inputs: 'on',
    enable_config_writes: 'on',
    use_apphbd: 'no',
    quorum_server: 'q.example',
    fence: 'node1 fence_dummy type=file',
    fence_delay: '5',
    fence_timeout: '60',
    disk_lock: '/dev/sdb',
    monitor: 'httpd interval=2 timeout=1 http GET http://127.0.0.1/ expect 200',
    monitor_policy: 'httpd restarts=1 window=60 migration_threshold=3',
    api_listen: '127.0.0.1:8443',
    api_token_file: '/etc/ha.d/api.token',
    api_cert: '/etc/ha.d/api.crt',
    api_key: '/etc/ha.d/api.key',
    metrics_listen: '127.0.0.1:9100',
    quorum: 'on',
    ping_policy: 'ipfail',
    notify: '/etc/ha.d/notify.sh',
    notify_timeout: '30',
    arbiter: 'etcd 198.18.0.10:2379 ttl=10',
  };
  const missing = HA_CF_DIRECTIVES.map((s) => s.name).filter((n) => sample[n] === undefined);
  assert.deepEqual(missing, []);
  // nice_failback and auto_failback exclude each other, so they go into separate files.
  const lines = (skip: string): string =>
    [
      'node node1',
      ...Object.entries(sample)
        .filter(([k]) => k !== skip)
        .map(([k, v]) => `${k} ${v}`),
    ].join('\n');
  assert.deepEqual(errors(lines('nice_failback')), []);
  assert.deepEqual(errors(lines('auto_failback')), []);
});

void test('a directive without a value is a warning, as Heartbeat ignores it', () => {
  assert.deepEqual(warnings(minimal('keepalive')), [
    "ha.cf:4: warning: 'keepalive' has no value; Heartbeat ignores this line (syntax: keepalive time)",
  ]);
});

void test('ucast: extra words are ignored with a warning; duplicate media are dropped with a warning', () => {
  const text = minimal('ucast eth0 198.18.0.2 198.18.0.3', 'bcast eth0');
  assert.deepEqual(warnings(text), [
    "ha.cf:4: warning: ucast takes one peer per line; '198.18.0.3' is ignored (Heartbeat ignores it too): write one ucast line per peer",
    'ha.cf:5: warning: medium bcast:eth0 is already defined on line 2; this duplicate is ignored',
  ]);
  assert.equal(parseHaCf(text).haCf.media.length, 2);
});

void test('ucast lines that all point at this host are a warning when local addresses are known', () => {
  const r = resolve({ ...withHaCf('ucast eth0 198.18.0.1'), localAddresses: ['127.0.0.1', '198.18.0.1'] });
  assert.ok(r.config !== undefined);
  assert.deepEqual(
    warningsOf(r).filter((w) => w.includes('ucast')),
    [
      "ha.cf:9: warning: every ucast line (line 9) points at an address of this host (198.18.0.1), so ucast reaches no peer; add a ucast line for each peer's address",
    ],
  );
  // The usual identical-on-all-nodes ha.cf, with one line for each node: no warning.
  const both = resolve({
    ...withHaCf('ucast eth0 198.18.0.1', 'ucast eth0 198.18.0.2'),
    localAddresses: ['198.18.0.1'],
  });
  assert.deepEqual(
    warningsOf(both).filter((w) => w.includes('ucast')),
    [],
  );
});

void test('did-you-mean uses edit distance with transpositions', () => {
  assert.equal(editDistance('deadtim', 'deadtime'), 1);
  assert.equal(editDistance('auht', 'auth'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(closestName('keepalvie', ['keepalive', 'deadtime']), 'keepalive');
  assert.equal(closestName('bcats', ['bcast', 'mcast']), 'bcast');
  assert.equal(closestName('zzz', ['bcast']), undefined);
});

void test('the resolved config carries every field and the directives as written', () => {
  const r = resolve(withHaCf('ping 198.18.0.254', 'cluster web'));
  assert.deepEqual(errorsOf(r), []);
  const c = r.config;
  assert.ok(c !== undefined);
  assert.equal(c.localNode, 'node1');
  assert.deepEqual(c.nodes, ['node1', 'node2']);
  assert.equal(c.clusterName, 'web');
  assert.deepEqual(c.directives.get('keepalive'), ['2']);
  assert.deepEqual(c.directives.get('ping'), ['198.18.0.254']);
  assert.equal(c.auth.activeIndex, 1);
  assert.deepEqual(c.auth.keys.get(1), { index: 1, method: 'sha1', secret: 's3cret' });
  assert.deepEqual(
    c.resourceGroups.map((g) => [g.id, g.homeNode, g.resources.map((x) => x.agent)]),
    [['198.18.0.100', 'node1', ['IPaddr', 'apache']]],
  );
});
