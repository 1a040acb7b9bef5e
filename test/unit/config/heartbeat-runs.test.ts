// Configurations real Heartbeat 3.0.6 runs (checked with the real daemon: test/interop/corpus-verdicts
// test) are run by heartbeat-ts too, with a warning that says what they really mean; host facts
// Heartbeat refuses to start without are errors for the daemon and warnings for `hbts check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClusterConfig } from '../../../src/config/load.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { hostFactIssues, hostNamesToResolve } from '../../../src/config/load-host-facts.js';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

void test('udpport after a media line runs, and the warning names the port each medium really uses', () => {
  const r = resolve(
    texts({
      haCf: [
        'keepalive 2',
        'deadtime 10',
        'initdead 20',
        'bcast eth0',
        'ucast eth1 198.18.1.2',
        'udpport 696',
        'bcast eth2',
        'auto_failback on',
        'node node1 node2',
      ].join('\n'),
    }),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.ok(r.config !== undefined);
  assert.deepEqual(
    r.config.media.map((m) => `${m.id}=${m.kind === 'serial' ? m.baud : m.port}`),
    ['bcast:eth0=694', 'ucast:eth1:198.18.1.2=694', 'bcast:eth2=696'],
  );
  assert.deepEqual(warningsOf(r), [
    'ha.cf:6: warning: udpport 696 comes after media that Heartbeat has already set up, so it does not apply to them: ' +
      'bcast:eth0 (line 4) stays on port 694, ucast:eth1:198.18.1.2 (line 5) stays on port 694; only media below this line use 696 ' +
      '(Heartbeat keeps them there too, saying "udpport setting must precede media statements"); move udpport above line 4',
  ]);
  // the common case in the wild: the default port written after the media changes nothing
  const same = resolve(withHaCf('udpport 694'));
  assert.deepEqual(errorsOf(same), []);
  assert.match(warningsOf(same)[0] ?? '', /udpport 694 .* it changes nothing for them \(port 694 already\)/);
});

void test('baud after a serial line runs, and the warning names the rate the serial medium really uses', () => {
  const r = resolve(withHaCf('serial /dev/ttyS0', 'baud 38400', 'serial /dev/ttyS1'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(
    r.config?.media.filter((m) => m.kind === 'serial').map((m) => (m.kind === 'serial' ? m.baud : 0)),
    [19200, 38400],
  );
  assert.deepEqual(warningsOf(r), [
    'ha.cf:10: warning: baud 38400 comes after serial media that Heartbeat has already set up, so it does not apply to them: serial:/dev/ttyS0 (line 9) stays at 19200 baud; move baud above line 9',
  ]);
});

void test('nice_failback after auto_failback runs, and the warning names the value that wins (off, as Heartbeat)', () => {
  for (const value of ['on', 'off']) {
    const r = resolve(withHaCf(`nice_failback ${value}`));
    assert.deepEqual(errorsOf(r), [], value);
    assert.equal(r.config?.autoFailback, 'off', value);
    assert.deepEqual(warningsOf(r), [
      `ha.cf:9: warning: nice_failback ${value} is obsolete: after \`auto_failback on\` on line 7, Heartbeat turns any nice_failback into \`auto_failback off\`, so auto_failback is off from here on; write \`auto_failback off\` (or the on/off you mean) instead of nice_failback`,
    ]);
  }
  // a later auto_failback wins over it again
  const later = resolve(withHaCf('nice_failback on', 'auto_failback on'));
  assert.equal(later.config?.autoFailback, 'on');
});

void test('crm on with haresources runs, with a warning about Pacemaker and the resources heartbeat-ts manages', () => {
  for (const line of ['crm on', 'pacemaker respawn', 'crm yes']) {
    const r = resolve(withHaCf(line));
    assert.deepEqual(errorsOf(r), [], line);
    assert.equal(r.config?.resourceGroups.length, 1);
    const w = warningsOf(r).join('\n');
    assert.match(
      w,
      /does not run Pacemaker; heartbeat-ts manages the 1 resource group of haresources itself/,
      line,
    );
    assert.match(w, /resources a cluster kept in the Pacemaker CIB are never read, started or stopped/, line);
  }
  const none = resolve(
    texts({
      haCf: ['bcast eth0', 'node node1 node2', 'auto_failback on', 'crm on'].join('\n'),
      haresources: '',
    }),
  );
  assert.deepEqual(errorsOf(none), []);
  assert.match(warningsOf(none).join('\n'), /manages no resources at all \(membership only\)/);
});

void test('autojoin as in Heartbeat 3.0.6: any needs no node line, other needs this node listed, both need crm', () => {
  const base = ['keepalive 1', 'deadtime 10', 'initdead 20', 'bcast eth0', 'auto_failback on'];
  const run = (...lines: string[]) =>
    resolve(texts({ haCf: [...base, ...lines].join('\n'), haresources: '' }));
  // any, no node lines at all: this node is added (Heartbeat: "Current node [x] added to configuration")
  const any = run('autojoin any', 'crm on');
  assert.deepEqual(errorsOf(any), []);
  assert.deepEqual(any.config?.nodes, ['node1']);
  assert.equal(any.config?.autojoin, 'any');
  // any, only the peer listed
  assert.deepEqual(run('autojoin any', 'crm on', 'node node2').config?.nodes, ['node2', 'node1']);
  // other: this node must be listed, like Heartbeat ("no nodes defined", "Current node not in configuration")
  assert.deepEqual(errorsOf(run('autojoin other', 'crm on', 'node node1')), []);
  assert.match(errorsOf(run('autojoin other', 'crm on')).join('\n'), /no nodes defined/);
  // without crm Heartbeat refuses both
  assert.match(
    errorsOf(run('autojoin any', 'node node1')).join('\n'),
    /R1 style resource management conflicts with autojoin set/,
  );
});

void test('host facts Heartbeat checks: respawn user and program, ping and ucast host names; warnings for check, errors for the daemon (a ping_group member stays a warning, as Heartbeat runs it)', () => {
  const r = resolve(
    withHaCf(
      'respawn hbts-no-such-user0 /bin/true',
      'respawn root /hbts/no/such/program',
      'ping gw.hbts-test.invalid',
      'ping_group routers 198.18.0.1 rtr2.hbts-test.invalid',
      'ucast eth0 peer.hbts-test.invalid',
      'ucast eth0 198.18.0.2',
    ),
  );
  assert.ok(r.config !== undefined);
  assert.deepEqual(hostNamesToResolve(r.config), [
    'gw.hbts-test.invalid',
    'rtr2.hbts-test.invalid',
    'peer.hbts-test.invalid',
  ]);
  const resolved = new Map([
    ['gw.hbts-test.invalid', false],
    ['rtr2.hbts-test.invalid', false],
    ['peer.hbts-test.invalid', false],
  ]);
  const ctx = {
    configDir: '/nonexistent',
    haCfFile: 'ha.cf',
    haresourcesFile: 'haresources',
    locateResource: () => ({ ok: true as const, where: 'test' }),
    resolved,
  };
  const asCheck = hostFactIssues(r.config, { ...ctx, severity: 'warning' }).filter(
    (i) => !/interface|broadcast/.test(i.message),
  );
  const asDaemon = hostFactIssues(r.config, { ...ctx, severity: 'error' }).filter(
    (i) => !/interface|broadcast/.test(i.message),
  );
  assert.deepEqual(asDaemon.map(formatIssue), [
    `ha.cf:9: on this host: respawn user 'hbts-no-such-user0' is not in /etc/passwd (Heartbeat refuses it: "Invalid uid")`,
    'ha.cf:10: on this host: respawn program /hbts/no/such/program is not an executable file (Heartbeat refuses it: "is not executable")',
    `ha.cf:11: on this host: ping node 'gw.hbts-test.invalid' does not resolve to an IPv4 address (Heartbeat refuses it: "Illegal ping"); write its address, or add it to /etc/hosts`,
    `ha.cf:12: warning: on this host: ping_group routers member 'rtr2.hbts-test.invalid' does not resolve to an IPv4 address; Heartbeat logs "unknown host" and leaves it out, so the group has 1 member left: write its address, or add it to /etc/hosts`,
    `ha.cf:13: on this host: ucast peer 'peer.hbts-test.invalid' does not resolve to an IPv4 address (Heartbeat refuses it: "ucast: cannot resolve hostname"); write its address, or add it to /etc/hosts`,
  ]);
  assert.deepEqual(
    asCheck.map((i) => i.severity),
    asDaemon.map(() => 'warning'),
  );
  // Heartbeat runs with a ping_group member that does not resolve: a warning for the daemon too
  assert.deepEqual(
    asDaemon.map((i) => i.severity),
    ['error', 'error', 'error', 'warning', 'error'],
  );
  // a name that resolves is no news
  const ok = hostFactIssues(r.config, {
    ...ctx,
    severity: 'error',
    resolved: new Map([...resolved].map(([k]) => [k, true])),
  });
  assert.equal(ok.filter((i) => /resolve/.test(i.message)).length, 0);
});

void test('the loader resolves ping and ucast names itself: an .invalid name is an error for the daemon', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-resolve-'));
  try {
    writeFileSync(
      join(dir, 'ha.cf'),
      'node node1 node2\nauto_failback on\nbcast lo\nping hbts-no-such-host.invalid\nping 198.18.0.254\n',
    );
    writeFileSync(join(dir, 'authkeys'), 'auth 1\n1 sha1 s3cret\n');
    chmodSync(join(dir, 'authkeys'), 0o600);
    const strict = await loadClusterConfig(dir, 'node1', {
      hostFacts: 'error',
      locateResource: () => ({ ok: true, where: 'test' }),
    });
    assert.equal(strict.config, undefined);
    assert.deepEqual(
      strict.issues.filter((i) => i.severity === 'error').map((i) => i.line),
      [4],
    );
    const check = await loadClusterConfig(dir, 'node1', {
      locateResource: () => ({ ok: true, where: 'test' }),
    });
    assert.ok(check.config !== undefined);
    assert.ok(
      check.issues.some((i) => i.line === 4 && i.severity === 'warning' && /Illegal ping/.test(i.message)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('hbts check --as-daemon judges host facts as the daemon does', async () => {
  const { parseCheckArgs } = await import('../../../src/cli/commands/check.js');
  const parsed = parseCheckArgs(['--as-daemon', '--config-dir', '/x']);
  assert.equal(parsed.kind === 'ok' && parsed.args.asDaemon, true);
  assert.deepEqual(parseCheckArgs(['--as-daemon=yes']), {
    kind: 'bad',
    message: '--as-daemon takes no value',
  });
  const plain = parseCheckArgs([]);
  assert.equal(plain.kind === 'ok' && plain.args.asDaemon, false);
});

void test('apiauth users and groups that do not exist are host facts: errors for the daemon, as Heartbeat refuses them', () => {
  const r = resolve(withHaCf('apiauth ping gid=hbts-no-such-group0 uid=hbts-no-such-user0,root'));
  assert.ok(r.config !== undefined);
  const ctx = {
    configDir: '/nonexistent',
    haCfFile: 'ha.cf',
    haresourcesFile: 'haresources',
    locateResource: () => ({ ok: true as const, where: 'test' }),
  };
  const daemon = hostFactIssues(r.config, { ...ctx, severity: 'error' }).filter((i) =>
    /apiauth/.test(i.message),
  );
  assert.deepEqual(daemon.map(formatIssue), [
    `ha.cf:9: on this host: apiauth ping: user 'hbts-no-such-user0' is not in /etc/passwd (Heartbeat refuses it: "Bad uid list")`,
    `ha.cf:9: on this host: apiauth ping: group 'hbts-no-such-group0' is not in /etc/group (Heartbeat refuses it: "Bad gid list")`,
  ]);
  const check = hostFactIssues(r.config, { ...ctx, severity: 'warning' }).filter((i) =>
    /apiauth/.test(i.message),
  );
  assert.deepEqual(
    check.map((i) => i.severity),
    ['warning', 'warning'],
  );
});
