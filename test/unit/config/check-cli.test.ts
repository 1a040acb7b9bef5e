// `hbts check` run as a real process on temporary config directories, and the loader's host facts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadClusterConfig } from '../../../src/config/load.js';
import { resourceLocator } from '../../../src/resources/index.js';
import { formatIssue } from '../../../src/config/config-issues.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function hbts(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const VALID_HA_CF = `# two nodes over loopback
keepalive 2
deadtime 10
warntime 6
initdead 20
udpport 694
bcast lo
ucast lo 198.18.0.2
auto_failback on
node node1 node2
`;

function configDir(files: {
  haCf?: string;
  authkeys?: string;
  haresources?: string;
  nodeinfo?: string;
  authkeysMode?: number;
}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-config-'));
  if (files.haCf !== undefined) writeFileSync(join(dir, 'ha.cf'), files.haCf);
  if (files.authkeys !== undefined) {
    writeFileSync(join(dir, 'authkeys'), files.authkeys);
    chmodSync(join(dir, 'authkeys'), files.authkeysMode ?? 0o600);
  }
  if (files.haresources !== undefined) writeFileSync(join(dir, 'haresources'), files.haresources);
  if (files.nodeinfo !== undefined) writeFileSync(join(dir, 'nodeinfo'), files.nodeinfo);
  return dir;
}

const valid = (): string =>
  configDir({
    haCf: VALID_HA_CF,
    authkeys: 'auth 1\n1 sha1 s3cret\n',
    haresources: 'node1 198.18.0.100/24/lo IPaddr2::198.18.0.101/24/lo\n',
  });

void test('hbts check on a valid directory: exit 0 and a summary with nodes, media, timings, groups, auth', async () => {
  const dir = valid();
  try {
    const r = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, new RegExp(`^configuration in ${dir} is valid for node node1\n`));
    assert.match(out, /^nodes: +node1 \(this node\), node2$/m);
    assert.match(out, /^ {2}bcast:lo +bcast on lo, UDP port 694$/m);
    assert.match(out, /^ {2}ucast:lo:198\.18\.0\.2 +ucast on lo to 198\.18\.0\.2, UDP port 694$/m);
    assert.match(out, /^timing: +keepalive 2 s, deadtime 10 s, warntime 6 s, initdead 20 s$/m);
    assert.match(out, /^auth: +key 1 \(sha1\) signs outgoing packets$/m);
    assert.match(
      out,
      /^resource groups \(1; started in this order, stopped in reverse\):\n {2}198\.18\.0\.100\/24\/lo {2}home node1/m,
    );
    assert.match(
      out,
      /^ {6}1\. 198\.18\.0\.100\/24\/lo \(IPaddr\)\n {6}2\. IPaddr2 198\.18\.0\.101\/24\/lo$/m,
    );
    assert.match(out, /^node name: +node1 \(from --node-name\)$/m);
    assert.equal(r.stderr, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('hbts check on a broken directory: exit 2 and every error as file:line: message on stderr', async () => {
  const dir = configDir({
    haCf: VALID_HA_CF + 'keepalive 2s\ndeadtim 30\n',
    authkeys: 'auth 1\n1 sha1 s3cret\n',
    authkeysMode: 0o644,
    haresources: 'node7 198.18.0.100\n',
  });
  try {
    const r = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.split('\n'), [
      `${dir}/ha.cf:11: seconds take no suffix: write \`keepalive 2\` or \`keepalive 2000ms\``,
      `${dir}/ha.cf:12: unknown directive 'deadtim'; did you mean 'deadtime'? (Heartbeat refuses to start on it too)`,
      `${dir}/authkeys: readable by group or others (mode 0644); Heartbeat refuses it as well: run \`chmod 600 ${dir}/authkeys\``,
      `${dir}/haresources:1: 'node7' is not a node in ${dir}/ha.cf (nodes: node1, node2); the first word of a group line is its home node (Heartbeat: "Bad nodename")`,
      `hbts check: ${dir} is not a valid configuration for node 'node1': 4 errors, 0 warnings`,
      '',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('hbts check --json prints the resolved config with Maps as objects', async () => {
  const dir = valid();
  try {
    const r = await hbts('check', '--json', `--config-dir=${dir}`, '--node-name=NODE1');
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as {
      nodes: string[];
      localNode: string;
      deadtimeMs: number;
      media: Array<{ id: string }>;
      auth: { activeIndex: number; keys: Record<string, { method: string; secret: string }> };
      resourceGroups: Array<{
        id: string;
        homeNode: string;
        resources: Array<{ agent: string; args: string[] }>;
      }>;
      directives: Record<string, string[]>;
    };
    assert.deepEqual(c.nodes, ['node1', 'node2']);
    assert.equal(c.localNode, 'node1');
    assert.equal(c.deadtimeMs, 10_000);
    assert.deepEqual(
      c.media.map((m) => m.id),
      ['bcast:lo', 'ucast:lo:198.18.0.2'],
    );
    assert.equal(c.auth.activeIndex, 1);
    assert.equal(c.auth.keys['1']?.method, 'sha1');
    assert.deepEqual(c.resourceGroups[0]?.resources[1], {
      raw: 'IPaddr2::198.18.0.101/24/lo',
      agent: 'IPaddr2',
      args: ['198.18.0.101/24/lo'],
    });
    assert.deepEqual(c.directives['node'], ['node1', 'node2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('hbts check takes the node name from nodeinfo when --node-name is absent', async () => {
  const dir = configDir({
    haCf: VALID_HA_CF,
    authkeys: 'auth 1\n1 sha1 s3cret\n',
    nodeinfo: 'Node2\nignored\n',
  });
  try {
    const r = await hbts('check', '--config-dir', dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nodes: +node1, node2 \(this node\)$/m);
    assert.match(r.stdout, new RegExp(`^node name: +Node2 \\(from ${dir}/nodeinfo\\)$`, 'm'));
    assert.match(r.stdout, /^resource groups: none$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('hbts check: bad flags print usage and exit 2; --help exits 0; a missing directory is an error', async () => {
  const bad = await hbts('check', '--frobnicate');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^hbts check: unknown argument '--frobnicate'\nusage: hbts check/);
  const noValue = await hbts('check', '--config-dir');
  assert.equal(noValue.code, 2);
  assert.match(noValue.stderr, /^hbts check: --config-dir needs a directory\n/);
  const help = await hbts('check', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: hbts check \[--config-dir DIR\] \[--node-name NAME\] \[--json\]/);
  const gone = await hbts('check', '--config-dir', '/nonexistent/hbts', '--node-name', 'a');
  assert.equal(gone.code, 2);
  assert.match(
    gone.stderr,
    /^\/nonexistent\/hbts\/ha\.cf: file is missing \(is \/nonexistent\/hbts the right --config-dir\?\)\n/,
  );
  assert.match(gone.stderr, /^\/nonexistent\/hbts\/authkeys: file is missing/m);
});

void test('host facts: missing interface, serial device, script, user are warnings; needed ones are errors when the daemon asks', async () => {
  const dir = configDir({
    haCf: 'node node1 node2\nauto_failback on\nbcast nosuchif0\nserial /dev/hbts-no-such-tty\nrespawn nosuchuser0 /bin/true\n',
    authkeys: 'auth 1\n1 sha1 s3cret\n',
    haresources:
      'node1 198.18.0.100 hbts-local-script hbts-no-such-script OCF::hbtsNoSuchType::x ocf:heartbeat:hbtsNoSuch::a=b\n',
  });
  mkdirSync(join(dir, 'resource.d'));
  writeFileSync(join(dir, 'resource.d', 'hbts-local-script'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'resource.d', 'hbts-local-script'), 0o755);
  try {
    const loaded = await loadClusterConfig(dir, 'node1', { locateResource: resourceLocator() });
    assert.ok(loaded.config !== undefined);
    const hostFacts = loaded.issues.filter((i) => i.message.startsWith('on this host:')).map(formatIssue);
    assert.deepEqual(hostFacts, [
      `${dir}/ha.cf:3: warning: on this host: network interface nosuchif0 does not exist`,
      `${dir}/ha.cf:4: warning: on this host: serial device /dev/hbts-no-such-tty does not exist`,
      `${dir}/ha.cf:5: warning: on this host: respawn user 'nosuchuser0' is not in /etc/passwd (Heartbeat refuses it: "Invalid uid")`,
      `${dir}/haresources:1: warning: on this host: Cannot locate resource script hbts-no-such-script (looked for an executable file in ${dir}/resource.d and /etc/init.d)`,
      `${dir}/haresources:1: warning: on this host: OCF::hbtsNoSuchType::x: no OCF agent hbtsNoSuchType in /usr/lib/ocf/resource.d/*/`,
      `${dir}/haresources:1: warning: on this host: ocf:heartbeat:hbtsNoSuch::a=b: OCF agent /usr/lib/ocf/resource.d/heartbeat/hbtsNoSuch not found or not executable`,
    ]);
    // The daemon's view: what it needs, and what Heartbeat refuses to start without (the respawn user), is an error.
    const strict = await loadClusterConfig(dir, 'node1', {
      hostFacts: 'error',
      locateResource: resourceLocator(),
    });
    assert.equal(strict.config, undefined);
    assert.deepEqual(
      strict.issues.filter((i) => i.message.startsWith('on this host:')).map((i) => i.severity),
      ['error', 'error', 'error', 'error', 'error', 'error'],
    );
    // The loader asks the locator it is given (the daemon and `hbts check` pass the runner's), for every resource.
    const asked: string[] = [];
    const plugged = await loadClusterConfig(dir, 'node1', {
      locateResource: (rsc) => {
        asked.push(rsc.raw);
        return { ok: true, where: 'test' };
      },
    });
    assert.equal(plugged.issues.filter((i) => i.file.endsWith('haresources')).length, 0);
    assert.equal(asked.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
