// The sample ha.cf, authkeys and haresources shipped by Debian's heartbeat package, read from the
// installed package at test time: as shipped (mostly comments) and with their example lines enabled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseHaCf } from '../../../src/config/parse-ha-cf.js';
import { parseAuthkeys } from '../../../src/config/parse-authkeys.js';
import { parseHaresources } from '../../../src/config/parse-haresources.js';
import { resolveConfigFromText } from '../../../src/config/resolve-config.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { DIRECTIVE_NAMES } from '../../../src/config/ha-cf-directives.js';

const DOC = '/usr/share/doc/heartbeat';
const files = { haCf: `${DOC}/ha.cf.gz`, authkeys: `${DOC}/authkeys`, haresources: `${DOC}/haresources.gz` };
const missing = Object.values(files).find((f) => !existsSync(f));
const skip = missing === undefined ? false : `Debian package heartbeat is not installed (${missing} missing)`;

function sample(path: string): string {
  const bytes = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

/** Removes the leading `#` from example lines `#directive value` (no space after `#`). */
function enable(text: string, wanted: (directive: string, line: string) => boolean): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^#([A-Za-z0-9_]+)[ \t]/.exec(line);
      return m !== null && wanted(m[1] ?? '', line) ? line.slice(1) : line;
    })
    .join('\n');
}

/** Enables the first example of each ha.cf directive (all `node` lines), except placeholders. */
function enableHaCfExamples(text: string): string {
  const seen = new Set<string>();
  // hbaping is refused by Heartbeat 3.0.6 too; `msgfmt classic/netstring` is a placeholder.
  const excluded = ['hbaping', 'msgfmt'];
  return enable(text, (d) => {
    if (!DIRECTIVE_NAMES.includes(d) || excluded.includes(d)) return false;
    if (d === 'node') return true;
    if (seen.has(d)) return false;
    seen.add(d);
    return true;
  });
}

void test(
  'sample ha.cf as shipped: no line-level problem; only "no nodes" and "no medium"; documented defaults',
  { skip },
  () => {
    const { haCf, issues } = parseHaCf(sample(files.haCf), 'ha.cf');
    assert.deepEqual(issues.map(formatIssue), [
      'ha.cf: no nodes defined: add a `node <name>` line for every cluster member, named as `uname -n` prints it',
      'ha.cf: no heartbeat medium: add at least one bcast, mcast, ucast or serial line, e.g. `bcast eth0`',
    ]);
    assert.equal(haCf.logfacility, 'local0');
    assert.equal(haCf.autoFailback, 'on');
    assert.equal(haCf.keepaliveMs, 1000);
    assert.equal(haCf.deadtimeMs, 30_000);
    assert.equal(haCf.warntimeMs, 15_000);
    assert.equal(haCf.initdeadMs, 30_000);
    assert.equal(haCf.deadpingMs, 30_000);
    assert.equal(haCf.udpPort, 694);
    assert.equal(haCf.baud, 19_200);
    assert.equal(haCf.hopfudge, 1);
    assert.equal(haCf.msgfmt, 'classic');
  },
);

void test('sample authkeys and haresources as shipped: all comments', { skip }, () => {
  assert.deepEqual(parseAuthkeys(sample(files.authkeys)).issues.map(formatIssue), [
    'authkeys: no `auth N` line: add one naming the key that signs outgoing packets, e.g. `auth 1`',
  ]);
  assert.deepEqual(parseHaresources(sample(files.haresources)), { groups: [], issues: [] });
});

void test('sample ha.cf with its example lines enabled resolves to the values it shows', { skip }, () => {
  const haCf = enableHaCfExamples(sample(files.haCf));
  const authkeys = enable(sample(files.authkeys), () => true).replace(/^#(\d [a-z0-9]+)/gm, '$1');
  const r = resolveConfigFromText({ haCf, authkeys, authkeysMode: 0o600, haresources: undefined }, 'ken3');
  const errors = r.issues.filter((i) => i.severity === 'error').map(formatIssue);
  assert.deepEqual(errors, []);
  const c = r.config;
  assert.ok(c !== undefined);
  assert.deepEqual(c.nodes, ['ken3', 'kathy']);
  assert.equal(c.keepaliveMs, 2000);
  assert.equal(c.deadtimeMs, 30_000);
  assert.equal(c.warntimeMs, 10_000);
  assert.equal(c.initdeadMs, 120_000);
  assert.equal(c.deadpingMs, 30_000);
  assert.equal(c.udpPort, 694);
  assert.equal(c.baud, 19_200);
  assert.equal(c.hopfudge, 1);
  assert.equal(c.debugLevel, 1);
  assert.equal(c.logfile, '/var/log/ha-log');
  assert.equal(c.debugfile, '/var/log/ha-debug');
  assert.equal(c.logfacility, 'local0');
  assert.equal(c.autoFailback, 'on');
  assert.deepEqual(
    c.media.map((m) => m.id),
    ['serial:/dev/ttyS0', 'bcast:eth0', 'mcast:eth0:225.0.0.1:694', 'ucast:eth0:192.168.1.2'],
  );
  const mcast = c.media.find((m) => m.kind === 'mcast');
  assert.deepEqual(mcast?.kind === 'mcast' ? [mcast.ttl, mcast.loop] : [], [1, false]);
  assert.deepEqual(
    c.pingTargets.map((p) => [p.kind, p.name, p.addresses]),
    [
      ['ping', '10.10.10.254', ['10.10.10.254']],
      ['ping_group', 'group1', ['10.10.10.254', '10.10.10.253']],
    ],
  );
  assert.deepEqual(
    c.stonith.map((s) => [s.kind, s.host, s.type]),
    [
      ['stonith', '*', 'baytech'],
      ['stonith_host', '*', 'baytech'],
    ],
  );
  assert.equal(c.watchdog, '/dev/watchdog');
  assert.equal(c.auth.activeIndex, 1);
  assert.deepEqual(
    [...c.auth.keys.values()].map((k) => [k.index, k.method, k.secret]),
    [
      [1, 'crc', ''],
      [2, 'sha1', 'HI!'],
      [3, 'md5', 'Hello!'],
    ],
  );
  // Every enabled directive that heartbeat-ts does not act on yet is named in a warning.
  const notActed = r.issues
    .filter((i) => i.message.endsWith('is parsed, not acted on by heartbeat-ts yet'))
    .map((i) => /'([a-z_]+)'/.exec(i.message)?.[1]);
  // (ping nodes, deadping and respawn are acted on; the sample's `respawn hacluster .../ipfail`
  // line is done by the daemon itself.)
  assert.deepEqual(notActed, [
    'apiauth',
    'hbgenmethod',
    'realtime',
    'conn_logd_time',
    'compression',
    'compression_threshold',
  ]);
});

void test(
  'sample haresources examples: each group line parses into the documented resources',
  { skip },
  () => {
    const text = sample(files.haresources);
    const examples = text
      .split('\n')
      .filter((l) => /^#[a-z0-9.-]+[ \t]+\S/.test(l) && !l.startsWith('#node-name'))
      .map((l) => l.slice(1));
    assert.ok(examples.length >= 5, `found ${examples.length} examples`);
    for (const line of examples) {
      const owner = line.split(/\s+/)[0] ?? '';
      const r = resolveConfigFromText(
        {
          haCf: `node ${owner} peer\nbcast eth0\nauto_failback on\n`,
          authkeys: 'auth 1\n1 sha1 k\n',
          haresources: line,
        },
        owner,
      );
      assert.deepEqual(r.issues.filter((i) => i.severity === 'error').map(formatIssue), [], line);
      assert.equal(r.config?.resourceGroups.length, 1, line);
    }
    const fs = parseHaresources(examples.find((l) => l.includes('Filesystem')) ?? '');
    assert.deepEqual(
      fs.groups[0]?.resources.map((x) => [x.agent, x.args]),
      [
        ['IPaddr', ['10.0.0.170']],
        ['Filesystem', ['/dev/sda1', '/data1', 'ext2']],
      ],
    );
    const withBroadcast = parseHaresources(examples.find((l) => l.includes('135.9.216.3/28')) ?? '');
    assert.deepEqual(withBroadcast.groups[0]?.id, '135.9.216.3/28/eth0/135.9.216.12');
    assert.deepEqual(withBroadcast.groups[0]?.owner, 'just.linux-ha.org');
    // Enabled all at once, the examples reuse 135.9.216.110, which is then an error naming both lines.
    const all = parseHaresources(examples.join('\n'));
    assert.ok(
      all.issues.some(
        (i) => i.severity === 'error' && /'135\.9\.216\.110' is already a resource on line 1/.test(i.message),
      ),
    );
  },
);
