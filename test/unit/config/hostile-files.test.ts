// Config files that are not what they should be: a FIFO (the open would wait for a writer for
// ever), /dev/zero (endless), a directory, 2 MiB of text, a 100,000-character resource, raw escape
// sequences, OCF names that climb out of the OCF root. `hbts check` and `hbts daemon` run as real
// processes; each must answer at once with file and reason, and print nothing raw.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_CONFIG_FILE_BYTES, readConfigFile } from '../../../src/config/load-file.js';
import { locateResource } from '../../../src/resources/resolve-agent.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const HA_CF = 'keepalive 2\ndeadtime 10\ninitdead 20\nbcast lo\nauto_failback on\nnode node1 node2\n';
const AUTHKEYS = 'auth 1\n1 sha1 s3cret\n';

interface Run {
  readonly code: number | string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs hbts; a hang is cut at 8 s and shows as code 'SIGTERM'. */
function hbts(...args: string[]): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { timeout: 8000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code =
          error === null ? 0 : (error.signal ?? (typeof error.code === 'number' ? error.code : -1));
        resolve({ code, stdout, stderr, ms: performance.now() - t0 });
      },
    );
  });
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-hostile-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  if (files['authkeys'] !== undefined) chmodSync(join(dir, 'authkeys'), 0o600);
  return dir;
}

const fifo = (path: string): void => {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, 'mkfifo');
};

void test('ha.cf as a FIFO: hbts check and hbts daemon refuse it at once', async () => {
  const dir = dirWith({ authkeys: AUTHKEYS, haresources: '' });
  try {
    fifo(join(dir, 'ha.cf'));
    const check = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(check.code, 2, `${check.code} after ${Math.round(check.ms)} ms`);
    assert.match(
      check.stderr,
      new RegExp(`${dir}/ha\\.cf: is a FIFO, not a regular file: refusing to read it`),
    );
    const daemon = await hbts(
      'daemon',
      '--foreground',
      '--config-dir',
      dir,
      '--node-name',
      'node1',
      '--run-dir',
      join(dir, 'run'),
      '--state-dir',
      join(dir, 'state'),
    );
    assert.equal(daemon.code, 6, `${daemon.code} after ${Math.round(daemon.ms)} ms`);
    assert.match(daemon.stderr, /ha\.cf: is a FIFO/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('authkeys pointing at /dev/zero, haresources a directory, ha.cf of 2 MiB: refused, not read', async () => {
  const dir = dirWith({ 'ha.cf': HA_CF });
  try {
    symlinkSync('/dev/zero', join(dir, 'authkeys'));
    mkdirSync(join(dir, 'haresources'));
    const r = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r.code, 2);
    assert.ok(r.ms < 5000, `${Math.round(r.ms)} ms`);
    assert.match(r.stderr, /authkeys: is a character device, not a regular file: refusing to read it/);
    assert.match(r.stderr, /haresources: is a directory, not a regular file/);
    writeFileSync(join(dir, 'ha.cf'), '#'.repeat(2 * MAX_CONFIG_FILE_BYTES));
    const big = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.match(big.stderr, /ha\.cf: is 2097152 bytes long, more than the 1 MiB a config file may have/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('the reader: a file of exactly 1 MiB is read, one byte more is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-hostile-'));
  try {
    const f = join(dir, 'f');
    writeFileSync(f, 'x'.repeat(MAX_CONFIG_FILE_BYTES));
    const ok = await readConfigFile(f, 'utf8');
    assert.ok(ok.kind === 'ok' && ok.text.length === MAX_CONFIG_FILE_BYTES);
    writeFileSync(f, 'x'.repeat(MAX_CONFIG_FILE_BYTES + 1));
    assert.equal((await readConfigFile(f, 'utf8')).kind, 'error');
    assert.deepEqual(await readConfigFile(join(dir, 'nope'), 'utf8'), { kind: 'missing' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a 100,000-character resource name is an error at file:line, and the message stays short', async () => {
  const dir = dirWith({ 'ha.cf': HA_CF, authkeys: AUTHKEYS, haresources: `node1 ${'A'.repeat(100_000)}\n` });
  try {
    const r = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${dir}/haresources:1: line is 100006 characters long; at most 4096`));
    assert.ok(r.stderr.length < 2000, `${r.stderr.length} characters of output`);
    // within a line of sane length, a name of 2,000 characters
    writeFileSync(join(dir, 'haresources'), `node1 ${'A'.repeat(2000)}\n`);
    const r2 = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r2.code, 2);
    assert.match(
      r2.stderr,
      new RegExp(
        `${dir}/haresources:1: resource 'A{80}\\.\\.\\. \\(2000 characters\\)' is too long: at most 255 characters for its name`,
      ),
    );
    assert.ok(r2.stderr.length < 2000, `${r2.stderr.length} characters of output`);
    // and a node name of 300 characters in ha.cf
    writeFileSync(join(dir, 'ha.cf'), HA_CF + `node ${'n'.repeat(300)}\n`);
    writeFileSync(join(dir, 'haresources'), '');
    const n = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.match(
      n.stderr,
      /ha\.cf:7: node name 'n{80}\.\.\. \(300 characters\)' is longer than 255 characters/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('raw escape sequences from a bad file reach the terminal escaped', async () => {
  const evil = '\u001b]0;owned\u0007\u001b[2J\u009b31m\r';
  const dir = dirWith({
    'ha.cf': HA_CF + `keepalive ${evil}\n`,
    authkeys: `auth 1\n1 sha1 s3cret\n${evil}\n`,
  });
  try {
    const r = await hbts('check', '--config-dir', dir, '--node-name', 'node1');
    assert.equal(r.code, 2);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(r.stderr, /ha\.cf:7: .*\\x1b\]0;owned\\x07\\x1b\[2J\\x9b31m/);
    assert.match(r.stderr, /authkeys:3: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('ocf:PROVIDER:TYPE and OCF::TYPE::INSTANCE take plain names: nothing above the OCF root', () => {
  const root = mkdtempSync(join(tmpdir(), 'hbts-ocf-'));
  try {
    // an executable one level above <ocfRoot>/resource.d, and a provider directory below it
    mkdirSync(join(root, 'resource.d', 'acme'), { recursive: true });
    writeFileSync(join(root, 'escape'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(join(root, 'resource.d', 'acme', 'Web'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const where = (agent: string, args: string[] = []): ReturnType<typeof locateResource> =>
      locateResource({ raw: [agent, ...args].join('::'), agent, args }, { configDir: root, ocfRoot: root });
    assert.equal(where('ocf:acme:Web').ok, true);
    for (const bad of ['ocf:..:escape', 'ocf:.:Web', 'ocf:acme:..', 'ocf:.hidden:Web']) {
      const r = where(bad);
      assert.ok(!r.ok && /plain names/.test(r.error), `${bad}: ${JSON.stringify(r)}`);
    }
    const inst = where('OCF', ['..', 'x']);
    assert.ok(!inst.ok && /plain names/.test(inst.error), JSON.stringify(inst));
    const inst2 = where('OCF', ['Web', '..']);
    assert.ok(!inst2.ok && /plain names/.test(inst2.error), JSON.stringify(inst2));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('an OCF instance file that is a FIFO does not hang the lookup', () => {
  const root = mkdtempSync(join(tmpdir(), 'hbts-ocf-'));
  try {
    mkdirSync(join(root, 'resource.d', 'acme'), { recursive: true });
    writeFileSync(join(root, 'resource.d', 'acme', 'Web'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    mkdirSync(join(root, 'conf', 'OCF', 'Web'), { recursive: true });
    fifo(join(root, 'conf', 'OCF', 'Web', 'site'));
    const r = locateResource(
      { raw: 'OCF::Web::site', agent: 'OCF', args: ['Web', 'site'] },
      { configDir: root, ocfRoot: root },
    );
    assert.ok(!r.ok && /is a FIFO, not a regular file/.test(r.error), JSON.stringify(r));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
