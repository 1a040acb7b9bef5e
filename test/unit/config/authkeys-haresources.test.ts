// authkeys (methods, indexes, permissions) and haresources (groups, resource forms, continuations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authkeysModeProblem, parseAuthkeys } from '../../../src/config/parse-authkeys.js';
import { parseHaresources, parseResource } from '../../../src/config/parse-haresources.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { errorsOf, resolve, texts } from './config-fixtures.js';

void test('authkeys: active key, several keys, comments, index 0 works', () => {
  const r = parseAuthkeys('# keys\nauth 0 # active\n0 sha1 abc\n\n3 md5 abc\n7 crc\n', 'authkeys', 0o600);
  assert.ok(r.auth !== undefined);
  assert.equal(r.auth.activeIndex, 0);
  assert.deepEqual(
    [...r.auth.keys.values()],
    [
      { index: 0, method: 'sha1', secret: 'abc' },
      { index: 3, method: 'md5', secret: 'abc' },
      { index: 7, method: 'crc', secret: '' },
    ],
  );
  // crc has no secret, so it differs from the active key's secret: a key-rotation warning.
  assert.deepEqual(r.issues.map(formatIssue), [
    "authkeys:6: warning: key 7 has a different secret from the active key 0; Heartbeat verifies every key index with the active key's secret, so packets signed with key 7 would not verify on Heartbeat peers",
  ]);
});

void test('authkeys: the secret is the first word only (with a warning); bytes kept as written', () => {
  const r = parseAuthkeys('auth 1\n1 sha1 my pass phrase\n');
  assert.equal(r.auth?.keys.get(1)?.secret, 'my');
  assert.deepEqual(r.issues.map(formatIssue), [
    "authkeys:2: warning: only the first word after the method is the secret ('my'); 'pass phrase' is ignored, as in Heartbeat",
  ]);
  const latin1 = parseAuthkeys('auth 1\n1 md5 k\u00e9y\u00ff\n');
  assert.equal(latin1.auth?.keys.get(1)?.secret, 'k\u00e9y\u00ff');
});

void test('authkeys: sha256 and sha512 are accepted with a warning that Heartbeat peers cannot verify them', () => {
  for (const method of ['sha256', 'sha512'] as const) {
    const r = parseAuthkeys(`auth 2\n2 ${method} secret\n`);
    assert.equal(r.auth?.keys.get(2)?.method, method);
    assert.deepEqual(r.issues.map(formatIssue), [
      `authkeys:2: warning: ${method} is a heartbeat-ts extension: real Heartbeat peers cannot verify packets signed with it`,
    ]);
  }
});

void test('authkeys permissions: 0600, 0400, 0700, 0620 pass; 0644, 0640, 0604 fail with the exact chmod', () => {
  for (const mode of [0o600, 0o400, 0o700, 0o620, 0o100600]) {
    assert.equal(authkeysModeProblem(mode, '/etc/ha.d/authkeys'), undefined, mode.toString(8));
  }
  for (const mode of [0o644, 0o640, 0o604, 0o100644]) {
    assert.equal(
      authkeysModeProblem(mode, '/etc/ha.d/authkeys'),
      `readable by group or others (mode 0${(mode & 0o777).toString(8)}); Heartbeat refuses it as well: run \`chmod 600 /etc/ha.d/authkeys\``,
    );
  }
  // Without a mode (e.g. text from a test), no permission check is made.
  assert.deepEqual(parseAuthkeys('auth 1\n1 crc\n').issues, []);
});

void test('haresources: resource forms (bare address, Agent::args, plain script)', () => {
  assert.deepEqual(parseResource('198.18.0.100'), {
    raw: '198.18.0.100',
    agent: 'IPaddr',
    args: ['198.18.0.100'],
  });
  assert.deepEqual(parseResource('198.18.0.100/24/eth0/198.18.0.255'), {
    raw: '198.18.0.100/24/eth0/198.18.0.255',
    agent: 'IPaddr',
    args: ['198.18.0.100/24/eth0/198.18.0.255'],
  });
  assert.deepEqual(parseResource('Filesystem::/dev/sdb1::/data::ext4'), {
    raw: 'Filesystem::/dev/sdb1::/data::ext4',
    agent: 'Filesystem',
    args: ['/dev/sdb1', '/data', 'ext4'],
  });
  assert.deepEqual(parseResource('IPaddr2::198.18.0.5/24'), {
    raw: 'IPaddr2::198.18.0.5/24',
    agent: 'IPaddr2',
    args: ['198.18.0.5/24'],
  });
  assert.deepEqual(parseResource('apache'), { raw: 'apache', agent: 'apache', args: [] });
  assert.deepEqual(parseResource('OCF::Dummy::web'), {
    raw: 'OCF::Dummy::web',
    agent: 'OCF',
    args: ['Dummy', 'web'],
  });
});

void test('haresources: groups in order, continuations, comments, owners lowercased, group id = first resource', () => {
  const text = [
    '# web group',
    'Node1  198.18.0.100 Filesystem::/dev/sdb1::/data::ext4 \\',
    '       apache   # the web server',
    '',
    'node2 IPaddr2::198.18.0.101/24/eth0 \\',
    '  mysql \\',
    '  exim4',
  ].join('\n');
  const r = parseHaresources(text);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(
    r.groups.map((g) => ({ id: g.id, owner: g.owner, line: g.at.line, rs: g.resources.map((x) => x.raw) })),
    [
      {
        id: '198.18.0.100',
        owner: 'node1',
        line: 2,
        rs: ['198.18.0.100', 'Filesystem::/dev/sdb1::/data::ext4', 'apache'],
      },
      {
        id: 'IPaddr2::198.18.0.101/24/eth0',
        owner: 'node2',
        line: 5,
        rs: ['IPaddr2::198.18.0.101/24/eth0', 'mysql', 'exim4'],
      },
    ],
  );
  const resolved = resolve(texts({ haresources: text }));
  assert.deepEqual(errorsOf(resolved), []);
  assert.deepEqual(
    resolved.config?.resourceGroups.map((g) => g.homeNode),
    ['node1', 'node2'],
  );
});

void test('haresources: a comment ending in a backslash swallows the next line, with a warning', () => {
  const r = parseHaresources('# old group \\\nnode1 198.18.0.100\nnode2 apache\n');
  assert.deepEqual(
    r.groups.map((g) => g.id),
    ['apache'],
  );
  assert.deepEqual(r.issues.map(formatIssue), [
    "haresources:1: warning: this comment ends in '\\', so line 2 is joined to it and ignored as part of the comment",
  ]);
});

void test('haresources: absent file means no groups; an empty file too', () => {
  const none = resolve(texts({ haresources: undefined }));
  assert.deepEqual(none.config?.resourceGroups, []);
  assert.deepEqual(parseHaresources('\n# nothing\n').groups, []);
});
