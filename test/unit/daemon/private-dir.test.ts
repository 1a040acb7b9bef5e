// The run and state dirs are private to the daemon and nothing in them is written or read through a
// symlink: planted links leave their targets untouched, unsafe dirs are refused with the fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
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
import { ensurePrivateDir, readFileNoFollow, writeFileNoFollow } from '../../../src/daemon/private-dir.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

let root: string;
/** A file outside the dirs under test that an attacker wants root to overwrite. */
let target: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hbts-priv-'));
  target = join(root, 'victim');
  writeFileSync(target, 'precious\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

void describe('ensurePrivateDir', () => {
  void it('creates a missing dir (and its parents) 0700, whatever the umask', () => {
    const old = process.umask(0o000);
    try {
      ensurePrivateDir(join(root, 'a', 'b'), 'run dir');
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(root, 'a', 'b')).mode & 0o7777, 0o700);
    assert.equal(statSync(join(root, 'a')).mode & 0o7777, 0o700);
  });

  void it('accepts an existing dir of ours that others can read but not write (0755)', () => {
    const d = join(root, 'run');
    mkdirSync(d);
    chmodSync(d, 0o755);
    ensurePrivateDir(d, 'run dir');
  });

  for (const mode of [0o777, 0o775, 0o757, 0o1777]) {
    void it(`refuses an existing dir with mode ${mode.toString(8)}, saying how to fix it`, () => {
      const d = join(root, 'run');
      mkdirSync(d);
      chmodSync(d, mode);
      assert.throws(
        () => ensurePrivateDir(d, 'run dir'),
        (err: Error) =>
          err.message.includes(`run dir ${d} is writable by group or others`) &&
          err.message.includes(`chmod 0700 ${d}`),
      );
    });
  }

  void it(
    'refuses a dir owned by another uid, saying chown',
    { skip: isRoot ? false : 'needs root (chown)' },
    () => {
      const d = join(root, 'state');
      mkdirSync(d, { mode: 0o700 });
      chownSync(d, NOBODY, NOBODY);
      assert.throws(
        () => ensurePrivateDir(d, 'state dir'),
        new RegExp(`state dir ${d} is owned by uid ${NOBODY}, not by this daemon \\(uid 0\\): chown 0 ${d}`),
      );
    },
  );

  void it('refuses a dir that is a symlink, even to a private dir of ours', () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(root, 'link'));
    assert.throws(() => ensurePrivateDir(join(root, 'link'), 'run dir'), /is a symbolic link/);
  });

  void it('refuses a dir inside a parent that others can write without the sticky bit', () => {
    const parent = join(root, 'open');
    mkdirSync(parent);
    chmodSync(parent, 0o777);
    assert.throws(
      () => ensurePrivateDir(join(parent, 'run'), 'run dir'),
      new RegExp(`${parent} is writable by group or others \\(mode 0777\\) without the sticky bit`),
    );
    // with the sticky bit (like /tmp) others cannot rename what is ours: accepted
    chmodSync(parent, 0o1777);
    ensurePrivateDir(join(parent, 'run'), 'run dir');
  });

  void it(
    'refuses a dir inside a parent owned by another user',
    { skip: isRoot ? false : 'needs root (chown)' },
    () => {
      const parent = join(root, 'theirs');
      mkdirSync(parent, { mode: 0o755 });
      chownSync(parent, NOBODY, NOBODY);
      assert.throws(() => ensurePrivateDir(join(parent, 'state'), 'state dir'), /owned by uid 65534/);
    },
  );
});

void describe('writeFileNoFollow / readFileNoFollow', () => {
  void it('a symlink planted at the temp name: unlinked, not followed; the target is untouched', () => {
    const d = join(root, 'state');
    mkdirSync(d, { mode: 0o700 });
    symlinkSync(target, join(d, 'hb_generation.tmp'));
    writeFileNoFollow(join(d, 'hb_generation'), '              1\n', true);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.equal(readFileSync(join(d, 'hb_generation'), 'utf8'), '              1\n');
    assert.ok(lstatSync(join(d, 'hb_generation')).isFile());
    assert.equal(lstatSync(join(d, 'hb_generation')).mode & 0o777, 0o600);
  });

  void it('a symlink planted at the file name itself: replaced by the file, the target untouched', () => {
    const d = join(root, 'run');
    mkdirSync(d, { mode: 0o700 });
    symlinkSync(target, join(d, 'hbts.pid'));
    writeFileNoFollow(join(d, 'hbts.pid'), '123\n', false);
    assert.equal(readFileSync(target, 'utf8'), 'precious\n');
    assert.ok(lstatSync(join(d, 'hbts.pid')).isFile());
    assert.equal(readFileSync(join(d, 'hbts.pid'), 'utf8'), '123\n');
  });

  void it('reads refuse a symlink and a FIFO (without hanging), and return undefined when missing', () => {
    const d = join(root, 'state');
    mkdirSync(d, { mode: 0o700 });
    symlinkSync(target, join(d, 'hb_uuid'));
    assert.throws(() => readFileNoFollow(join(d, 'hb_uuid')), /hb_uuid is a symbolic link; not following it/);
    assert.equal(spawnSync('mkfifo', [join(d, 'fifo')]).status, 0);
    assert.throws(() => readFileNoFollow(join(d, 'fifo')), /fifo is not a regular file/);
    assert.equal(readFileNoFollow(join(d, 'missing')), undefined);
  });
});
