// The real `hbts daemon` against unsafe run and state dirs: symlinks planted where it writes
// (hbts.pid, hb_generation.tmp, held-groups.json.tmp) never redirect a write, and a dir others can
// write (or that is not ours) is refused before anything is written into it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hbtsMain } from '../../../src/lab/dist-paths.js';

const isRoot = process.getuid?.() === 0;
const PORT = 10000 + (process.pid % 5000);

let root: string;
let victim: string;
let runDir: string;
let stateDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hbts-dirs-'));
  victim = join(root, 'victim');
  writeFileSync(victim, 'precious\n');
  runDir = join(root, 'run');
  stateDir = join(root, 'state');
  const cfg = join(root, 'ha.d');
  mkdirSync(cfg);
  writeFileSync(
    join(cfg, 'ha.cf'),
    `keepalive 200ms\ndeadtime 2\ninitdead 4\nudpport ${PORT}\nucast lo 127.0.0.3\nauto_failback on\nnode a b\n`,
  );
  writeFileSync(join(cfg, 'authkeys'), 'auth 1\n1 sha1 s\n', { mode: 0o600 });
  chmodSync(join(cfg, 'authkeys'), 0o600);
  writeFileSync(join(cfg, 'haresources'), '');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  /** The control socket and pid file appeared. */
  readonly started: boolean;
  readonly stderr: string;
  /** hbts.pid as the running daemon left it: its content, and whether it was a regular file. */
  readonly pid: string;
  readonly pidWasFile: boolean;
}

/** Starts the daemon; stops it (SIGTERM) once its control socket exists. */
function runDaemon(): Promise<Run> {
  const child = spawn(
    process.execPath,
    [
      hbtsMain,
      'daemon',
      '--foreground',
      '--config-dir',
      join(root, 'ha.d'),
      '--node-name',
      'a',
      '--run-dir',
      runDir,
      '--state-dir',
      stateDir,
      '--bind-address',
      '127.0.0.2',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  let started = false;
  let pid = '';
  let pidWasFile = false;
  const poll = setInterval(() => {
    if (existsSync(join(runDir, 'hbts.sock')) && existsSync(join(runDir, 'hbts.pid')) && !started) {
      started = true;
      // what the daemon wrote is checked by the test while it still runs
      pid = readFileSync(join(runDir, 'hbts.pid'), 'utf8');
      pidWasFile = lstatSync(join(runDir, 'hbts.pid')).isFile();
      child.kill('SIGTERM');
    }
  }, 20);
  const limit = setTimeout(() => child.kill('SIGKILL'), 15000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(limit);
      resolve({ code, started, stderr, pid, pidWasFile });
    }),
  );
}

void describe('hbts daemon: run and state dirs', () => {
  void it('creates missing run and state dirs 0700', async () => {
    const r = await runDaemon();
    assert.ok(r.started, r.stderr);
    assert.equal(statSync(runDir).mode & 0o7777, 0o700);
    assert.equal(statSync(stateDir).mode & 0o7777, 0o700);
    assert.equal(statSync(join(stateDir, 'scripts')).mode & 0o7777, 0o700);
  });

  void it('a world-writable run dir with hbts.pid planted as a symlink: refused, target untouched', async () => {
    mkdirSync(runDir);
    chmodSync(runDir, 0o777);
    symlinkSync(victim, join(runDir, 'hbts.pid'));
    const r = await runDaemon();
    assert.equal(r.started, false);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`run dir ${runDir} is writable by group or others \\(mode 0777\\): chmod 0700`),
    );
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  });

  void it('a world-writable state dir with hb_generation.tmp planted: refused, target untouched', async () => {
    mkdirSync(stateDir);
    chmodSync(stateDir, 0o1777);
    symlinkSync(victim, join(stateDir, 'hb_generation.tmp'));
    symlinkSync(victim, join(stateDir, 'held-groups.json.tmp'));
    const r = await runDaemon();
    assert.equal(r.started, false);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /state dir .* is writable by group or others \(mode 01777\): chmod 0700/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  });

  void it('private dirs with planted links: the daemon runs, writes real files, never the targets', async () => {
    mkdirSync(runDir, { mode: 0o700 });
    mkdirSync(stateDir, { mode: 0o700 });
    symlinkSync(victim, join(runDir, 'hbts.pid'));
    symlinkSync(victim, join(stateDir, 'hb_generation.tmp'));
    symlinkSync(victim, join(stateDir, 'held-groups.json.tmp'));
    symlinkSync(victim, join(stateDir, 'hb_uuid.tmp'));
    const r = await runDaemon();
    assert.ok(r.started, r.stderr);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.ok(r.pidWasFile, 'hbts.pid was a regular file');
    assert.match(r.pid, /^\d+\n$/);
    assert.ok(lstatSync(join(stateDir, 'hb_generation')).isFile());
  });

  void it(
    'a run dir owned by another uid: refused, saying chown',
    { skip: isRoot ? false : 'needs root (chown)' },
    async () => {
      mkdirSync(runDir, { mode: 0o700 });
      chownSync(runDir, 65534, 65534);
      const r = await runDaemon();
      assert.equal(r.started, false);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `run dir ${runDir} is owned by uid 65534, not by this daemon \\(uid 0\\): chown 0 ${runDir}`,
        ),
      );
    },
  );
});
