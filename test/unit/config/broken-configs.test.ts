// Table of broken configurations: each must yield exactly the listed errors (file:line: message),
// no config, and no exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { BASE_HA_CF, errorsOf, resolve, texts, withHaCf } from './config-fixtures.js';

interface BrokenCase {
  readonly name: string;
  readonly input: ConfigTexts;
  readonly node?: string;
  readonly errors: readonly string[];
}

const baseWithout = (directive: string): string =>
  BASE_HA_CF.split('\n')
    .filter((l) => !l.startsWith(directive + ' '))
    .join('\n');

const cases: BrokenCase[] = [
  // --- time syntax
  {
    name: 'keepalive with an s suffix',
    input: withHaCf('keepalive 2s'),
    errors: ['ha.cf:9: seconds take no suffix: write `keepalive 2` or `keepalive 2000ms`'],
  },
  {
    name: 'deadtime in minutes',
    input: withHaCf('deadtime 1m'),
    errors: ['ha.cf:9: minutes are not accepted: write `deadtime 60` or `deadtime 60000ms`'],
  },
  {
    name: 'unit separated from the number',
    input: withHaCf('keepalive 500 ms'),
    errors: ['ha.cf:9: the unit must be glued to the number: write `keepalive 500ms`'],
  },
  {
    name: 'unknown time unit',
    input: withHaCf('warntime 5x'),
    errors: [
      "ha.cf:9: unknown time unit 'x' in '5x': Heartbeat accepts only seconds without a suffix (`warntime 2`), `ms`/`msec` or `us`/`usec`",
    ],
  },
  {
    name: 'time that is not a number',
    input: withHaCf('deadtime abc'),
    errors: [
      "ha.cf:9: 'abc' is not a time: write seconds (`deadtime 2`, `deadtime 0.5`) or milliseconds (`deadtime 500ms`)",
    ],
  },
  {
    name: 'negative keepalive',
    input: withHaCf('keepalive -1'),
    errors: ["ha.cf:9: keepalive must be a positive time, got '-1'"],
  },
  {
    name: 'zero keepalive',
    input: withHaCf('keepalive 0'),
    errors: ['ha.cf:9: keepalive must be more than 0 (`0` is 0 ms)'],
  },
  // --- timing relations
  {
    name: 'deadtime not more than twice keepalive',
    input: withHaCf('deadtime 4'),
    errors: [
      'ha.cf:9: deadtime 4 (4000 ms) must be more than twice keepalive 2 (2000 ms); Heartbeat refuses this too ("Dead time [4000] is too small compared to keeplive [2000]"): raise deadtime above 4000ms or lower keepalive below 2000ms',
    ],
  },
  {
    name: 'warntime zero',
    input: withHaCf('warntime 0'),
    errors: ['ha.cf:9: warntime must be more than 0 (`0` is 0 ms)'],
  },
  {
    name: 'initdead below deadtime',
    input: withHaCf('initdead 5'),
    errors: [
      'ha.cf:9: initdead 5 (5000 ms) is smaller than deadtime 10 (10000 ms); Heartbeat refuses this too: set initdead to at least 10000ms (twice deadtime is usual)',
    ],
  },
  {
    name: 'deadping not more than twice keepalive',
    input: withHaCf('deadping 3'),
    errors: [
      'ha.cf:9: deadping 3 (3000 ms) must be more than twice keepalive 2 (2000 ms): raise it above 4000ms',
    ],
  },
  // --- media
  {
    name: 'mcast ttl above 4',
    input: withHaCf('mcast eth0 239.0.0.1 694 5 0'),
    errors: [
      "ha.cf:9: mcast ttl must be from 0 to 4 (Heartbeat 3.0.6 refuses more, whatever its man page says), got '5'",
    ],
  },
  {
    name: 'mcast group not class D',
    input: withHaCf('mcast eth0 192.168.1.1 694 1 0'),
    errors: [
      "ha.cf:9: mcast group '192.168.1.1' is not a class D multicast address (224.0.0.0 - 239.255.255.255)",
    ],
  },
  {
    name: 'mcast loop not 0/1',
    input: withHaCf('mcast eth0 239.0.0.1 694 1 2'),
    errors: ["ha.cf:9: mcast loop must be 0 or 1, got '2'"],
  },
  {
    name: 'mcast with too few values',
    input: withHaCf('mcast eth0 239.0.0.1 694'),
    errors: [
      'ha.cf:9: mcast needs 5 values: interface group port ttl loop, e.g. `mcast eth0 239.0.0.1 694 1 0`; got 3',
    ],
  },
  {
    name: 'mcast port out of range',
    input: withHaCf('mcast eth0 239.0.0.1 70000 1 0'),
    errors: ["ha.cf:9: mcast port must be a whole number from 1 to 65535, got '70000'"],
  },
  {
    name: 'mcast6 group not multicast',
    input: withHaCf('mcast6 eth0 fd00::1 694 1 0'),
    errors: ["ha.cf:9: mcast6 group 'fd00::1' is not an IPv6 multicast address (ff00::/8)"],
  },
  {
    name: 'ucast without a peer',
    input: withHaCf('ucast eth0'),
    errors: ['ha.cf:9: ucast needs an interface and a peer address, e.g. `ucast eth0 198.18.0.2`'],
  },
  {
    name: 'ucast split with a comma',
    input: withHaCf('ucast eth0,198.18.0.2'),
    errors: [
      'ha.cf:9: ucast needs an interface and a peer address, e.g. `ucast eth0 198.18.0.2` (ucast lines are split on spaces only, not commas)',
    ],
  },
  {
    name: 'ucast to an IPv6 peer',
    input: withHaCf('ucast eth0 fd00::2'),
    errors: ["ha.cf:9: 'fd00::2' is an IPv6 address: write `ucast6 eth0 fd00::2`"],
  },
  {
    name: 'ucast peer that is no address',
    input: withHaCf('ucast eth0 300.1.1.1'),
    errors: ["ha.cf:9: ucast peer '300.1.1.1' is not an IPv4 address or host name"],
  },
  {
    name: 'interface name too long',
    input: withHaCf('bcast averyveryverylongname0'),
    errors: [
      "ha.cf:9: interface name 'averyveryverylongname0' is longer than 15 characters, which Linux does not allow",
    ],
  },
  {
    name: 'serial device without a path',
    input: withHaCf('serial ttyS0'),
    errors: ["ha.cf:9: serial takes a device path such as /dev/ttyS0, got 'ttyS0'"],
  },
  {
    name: 'no medium at all',
    input: texts({ haCf: baseWithout('bcast') }),
    errors: [
      'ha.cf: no heartbeat medium: add at least one bcast, mcast, ucast or serial line, e.g. `bcast eth0`',
    ],
  },
  // --- order and once-only
  {
    name: 'udpport zero',
    input: texts({ haCf: BASE_HA_CF.replace('udpport 694', 'udpport 0') }),
    errors: ["ha.cf:5: udpport takes a whole number from 1 to 65535, got '0'"],
  },
  {
    name: 'baud rate that does not exist',
    input: withHaCf('baud 12345'),
    errors: ["ha.cf:9: baud takes one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, got '12345'"],
  },
  {
    name: 'baud twice',
    input: withHaCf('baud 9600', 'baud 19200'),
    errors: [
      'ha.cf:10: baud may be set only once (Heartbeat refuses a second one); it is already set on line 9',
    ],
  },
  // --- values
  {
    name: 'auto_failback nonsense',
    input: texts({ haCf: BASE_HA_CF.replace('auto_failback on', 'auto_failback maybe') }),
    errors: ["ha.cf:7: auto_failback takes on, off or legacy, got 'maybe'"],
  },
  {
    name: 'hopfudge out of range',
    input: withHaCf('hopfudge 300'),
    errors: ["ha.cf:9: hopfudge takes a whole number from 0 to 255, got '300'"],
  },
  {
    name: 'logfacility that syslog does not have',
    input: withHaCf('logfacility local9'),
    errors: [
      "ha.cf:9: logfacility takes one of auth, authpriv, cron, daemon, ftp, kern, lpr, mail, news, syslog, user, uucp, local0, local1, local2, local3, local4, local5, local6, local7, none, got 'local9'",
    ],
  },
  {
    name: 'msgfmt unknown',
    input: withHaCf('msgfmt binary'),
    errors: ["ha.cf:9: msgfmt takes one of classic, netstring, got 'binary'"],
  },
  {
    name: 'boolean that is not one',
    input: withHaCf('realtime maybe'),
    errors: ["ha.cf:9: realtime takes a boolean (true/on/yes/y/1 or false/off/no/n/0), got 'maybe'"],
  },
  {
    name: 'use_logd off with nowhere to log',
    input: withHaCf('use_logd no'),
    errors: [
      'ha.cf:9: use_logd is off and there is no logfile, debugfile or logfacility line, so nothing would be logged (Heartbeat refuses this too)',
    ],
  },
  {
    name: 'respawn with a relative program',
    input: withHaCf('respawn hacluster ipfail'),
    errors: ["ha.cf:9: respawn: the program must be an absolute path, got 'ipfail'"],
  },
  {
    name: 'apiauth with a malformed list',
    input: withHaCf('apiauth ipfail uid'),
    errors: ["ha.cf:9: apiauth ipfail: expected uid=user[,user...] or gid=group[,group...], got 'uid'"],
  },
  {
    name: 'ping with an IPv6 address',
    input: withHaCf('ping fd00::1'),
    errors: ["ha.cf:9: 'fd00::1' is an IPv6 address: write `ping6 fd00::1`"],
  },
  {
    name: 'ping_group without members',
    input: withHaCf('ping_group routers'),
    errors: [
      'ha.cf:9: ping_group needs a name and at least one address, e.g. `ping_group routers 198.18.0.1 198.18.0.254`',
    ],
  },
  {
    name: 'ping node named like a cluster node',
    input: withHaCf('ping_group node2 198.18.0.1'),
    errors: ["ha.cf:9: ping node 'node2' has the same name as the cluster node on line 8"],
  },
  {
    name: 'env without =',
    input: withHaCf('env FOO'),
    errors: ["ha.cf:9: env takes NAME=value, got 'FOO'"],
  },
  // --- directive names
  {
    name: 'misspelt directive',
    input: withHaCf('deadtim 3'),
    errors: [
      "ha.cf:9: unknown directive 'deadtim'; did you mean 'deadtime'? (Heartbeat refuses to start on it too)",
    ],
  },
  {
    name: 'directive with a capital letter',
    input: withHaCf('Keepalive 2'),
    errors: ["ha.cf:9: unknown directive 'Keepalive': directive names are case-sensitive, write 'keepalive'"],
  },
  {
    name: 'directive glued to its values with a comma',
    input: withHaCf('node,node3'),
    errors: ["ha.cf:9: unknown directive 'node,node3': put a space between 'node' and its values"],
  },
  {
    name: 'unknown directive far from any known one',
    input: withHaCf('frobnicate 1'),
    errors: ["ha.cf:9: unknown directive 'frobnicate' (Heartbeat refuses to start on it too)"],
  },
  {
    name: 'hbaping, documented but not shipped',
    input: withHaCf('hbaping fc-card-name'),
    errors: [
      "ha.cf:9: 'hbaping' is not supported: the hbaping plugin is not shipped with Heartbeat 3.0.6, which refuses this directive too",
    ],
  },
  {
    name: 'line longer than Heartbeat reads',
    input: withHaCf(`# ${'x'.repeat(1100)}`),
    errors: [
      'ha.cf:9: line is 1102 characters long; Heartbeat reads at most 1023 per line and would split it',
    ],
  },
  // --- nodes
  {
    name: 'no node lines',
    input: texts({ haCf: baseWithout('node'), haresources: '' }),
    errors: [
      'ha.cf: no nodes defined: add a `node <name>` line for every cluster member, named as `uname -n` prints it',
    ],
  },
  {
    name: 'this node not among the nodes',
    input: texts(),
    node: 'node3',
    errors: [
      'ha.cf: this node \'node3\' is not among the node lines (node1, node2): add `node node3`, or pass --node-name if this host is known by another name (Heartbeat: "Current node not in configuration")',
    ],
  },
  {
    name: 'autojoin without crm',
    input: withHaCf('autojoin any'),
    errors: [
      'ha.cf:9: autojoin any needs `crm on`: Heartbeat refuses it otherwise ("R1 style resource management conflicts with autojoin set"); set `autojoin none` and list every node on a node line, or add `crm on`',
    ],
  },
  {
    name: 'autojoin with crm on and haresources groups',
    input: withHaCf('crm on', 'autojoin other'),
    errors: [
      'ha.cf:10: autojoin other with resource groups in haresources: a node that joins is on no haresources line, so no group could say where it may run; set `autojoin none` and list the nodes on node lines',
    ],
  },
  // --- authkeys
  {
    name: 'authkeys readable by others',
    input: texts({ authkeysMode: 0o100644 }),
    errors: [
      'authkeys: readable by group or others (mode 0644); Heartbeat refuses it as well: run `chmod 600 authkeys`',
    ],
  },
  {
    name: 'authkeys readable by the group',
    input: texts({ authkeysMode: 0o640 }),
    errors: [
      'authkeys: readable by group or others (mode 0640); Heartbeat refuses it as well: run `chmod 600 authkeys`',
    ],
  },
  {
    name: 'authkeys missing',
    input: texts({ authkeys: undefined }),
    errors: ['authkeys: file is missing: create it with `auth 1` and `1 sha1 <secret>` lines, mode 600'],
  },
  {
    name: 'authkeys without an auth line',
    input: texts({ authkeys: '1 sha1 s3cret\n' }),
    errors: ['authkeys: no `auth N` line: add one naming the key that signs outgoing packets, e.g. `auth 1`'],
  },
  {
    name: 'active key not defined',
    input: texts({ authkeys: 'auth 2\n1 sha1 s3cret\n' }),
    errors: ['authkeys:1: auth 2: key 2 is not defined in this file (defined: 1)'],
  },
  {
    name: 'key index 16',
    input: texts({ authkeys: 'auth 1\n1 sha1 s3cret\n16 sha1 other\n' }),
    errors: ['authkeys:3: key index 16 is out of range: Heartbeat allows 0 to 15'],
  },
  {
    name: 'md5 without a secret',
    input: texts({ authkeys: 'auth 1\n1 md5\n' }),
    errors: ['authkeys:2: md5 requires a secret: write `1 md5 <secret>`'],
  },
  {
    name: 'crc with a secret',
    input: texts({ authkeys: 'auth 1\n1 sha1 s3cret\n2 crc oops\n' }),
    errors: [
      'authkeys:3: crc takes no secret (Heartbeat then drops the key): write `2 crc`, or use sha1 to keep the secret',
    ],
  },
  {
    name: 'unknown auth method',
    input: texts({ authkeys: 'auth 1\n1 sha2 s3cret\n' }),
    errors: [
      "authkeys:2: unknown auth method 'sha2'; did you mean 'sha1'? (methods: sha1, md5, crc; sha256 and sha512 as a heartbeat-ts extension)",
    ],
  },
  {
    name: 'key defined twice',
    input: texts({ authkeys: 'auth 1\n1 sha1 s3cret\n1 md5 s3cret\n' }),
    errors: ['authkeys:3: key 1 is already defined on line 2'],
  },
  {
    name: 'two auth lines',
    input: texts({ authkeys: 'auth 1\nauth 1\n1 sha1 s3cret\n' }),
    errors: ["authkeys:2: a second 'auth' line; the active key is already chosen on line 1"],
  },
  {
    name: 'auth with a word',
    input: texts({ authkeys: 'auth one\n1 sha1 s3cret\n' }),
    errors: [
      "authkeys:1: 'auth' takes the index (0-15) of the key that signs outgoing packets, e.g. `auth 1`; got 'one'",
    ],
  },
  {
    name: 'misspelt auth',
    input: texts({ authkeys: 'auht 1\n1 sha1 s3cret\n' }),
    errors: ["authkeys:1: expected `auth N` or `N method [secret]`, got 'auht'; did you mean 'auth'?"],
  },
  // --- haresources
  {
    name: 'group owner that is not a node',
    input: texts({ haresources: 'node7 198.18.0.100\n' }),
    errors: [
      'haresources:1: \'node7\' is not a node in ha.cf (nodes: node1, node2); the first word of a group line is its home node (Heartbeat: "Bad nodename")',
    ],
  },
  {
    name: 'empty group',
    input: texts({ haresources: 'node1\n' }),
    errors: ["haresources:1: resource group for 'node1' is empty: write `node1 <resource> [<resource>...]`"],
  },
  {
    name: 'same address in two groups, written two ways',
    input: texts({ haresources: 'node1 198.18.0.100 apache\nnode2 IPaddr2::198.18.0.100/24/eth0 mysql\n' }),
    errors: [
      "haresources:2: 'IPaddr2::198.18.0.100/24/eth0' is already a resource on line 1 (as '198.18.0.100'); a resource may belong to only one group, once",
    ],
  },
  {
    name: 'same script twice in one group',
    input: texts({ haresources: 'node1 198.18.0.100 apache apache\n' }),
    errors: [
      "haresources:1: 'apache' is already a resource earlier on this line (as 'apache'); a resource may belong to only one group, once",
    ],
  },
  {
    name: 'address that is not one',
    input: texts({ haresources: 'node1 300.0.0.1 apache\n' }),
    errors: ["haresources:1: '300.0.0.1' in 300.0.0.1 is not a valid IPv4 address"],
  },
  {
    name: 'prefix length out of range',
    input: texts({ haresources: 'node1 IPaddr::198.18.0.100/40 apache\n' }),
    errors: ["haresources:1: '40' in IPaddr::198.18.0.100/40 is not a prefix length (0-32) or netmask"],
  },
  {
    name: 'resource with an empty agent',
    input: texts({ haresources: 'node1 ::foo\n' }),
    errors: ["haresources:1: '::foo' is not a resource: write Agent or Agent::arg1::arg2 (no empty parts)"],
  },
  {
    name: 'resource given as a path',
    input: texts({ haresources: 'node1 /etc/init.d/apache\n' }),
    errors: [
      "haresources:1: '/etc/init.d/apache' is not a resource name: scripts are looked up by name in resource.d and /etc/init.d, not by path",
    ],
  },
  {
    name: 'group line without its home node',
    input: texts({ haresources: '198.18.0.100 apache\n' }),
    errors: [
      "haresources:1: a group line starts with its home node's name, but '198.18.0.100' looks like a resource",
    ],
  },
  {
    name: 'continued group whose owner is wrong is reported at its first line',
    input: texts({ haresources: '# web\nnodeX 198.18.0.100 \\\n  apache\n' }),
    errors: [
      'haresources:2: \'nodeX\' is not a node in ha.cf (nodes: node1, node2); the first word of a group line is its home node (Heartbeat: "Bad nodename")',
    ],
  },
];

void test(`table of ${cases.length} broken configurations`, async (t) => {
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    await t.test(c.name, () => {
      const r = resolve(c.input, c.node ?? 'node1');
      assert.equal(r.config, undefined, 'no config is produced');
      assert.deepEqual(errorsOf(r), c.errors);
    });
  }
});
