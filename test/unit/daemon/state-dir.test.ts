import assert from 'node:assert/strict';
import {
  chmodSync,
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
import { describe, it } from 'node:test';
import { HeldGroups, StateDir } from '../../../src/daemon/state-dir.js';
import { StateDirError } from '../../../src/daemon/errors.js';

void describe('StateDir', () => {
  void it('keeps the uuid and increments the generation on every start, in Heartbeat format', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      const s = new StateDir(join(dir, 'sub'));
      const a = s.openIdentity();
      const b = s.openIdentity();
      assert.equal(a.uuid.length, 16);
      assert.deepEqual(b.uuid, a.uuid);
      assert.equal(b.generation, a.generation + 1);
      const gen = readFileSync(join(dir, 'sub', 'hb_generation'), 'latin1');
      assert.equal(gen, `${String(b.generation).padStart(15, ' ')}\n`);
      assert.equal(gen.length, 16);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('continues from a generation written by real Heartbeat', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      writeFileSync(join(dir, 'hb_generation'), '     1795611201\n');
      assert.equal(new StateDir(dir).openIdentity().generation, 1795611202);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('refuses a corrupt uuid or generation with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      writeFileSync(join(dir, 'hb_uuid'), 'short');
      assert.throws(() => new StateDir(dir).openIdentity(), /hb_uuid: expected 16 bytes, found 5/);
      rmSync(join(dir, 'hb_uuid'));
      writeFileSync(join(dir, 'hb_generation'), 'garbage\n');
      assert.throws(() => new StateDir(dir).openIdentity(), /hb_generation: not a number/);
      assert.throws(() => new StateDir(dir).openIdentity(), StateDirError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('records held groups across restarts and forgets released ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      const s = new StateDir(dir);
      const h = new HeldGroups(s);
      h.starting('IPaddr::198.18.16.200');
      h.starting('web');
      h.released('web');
      h.starting('db');
      h.stopFailed('db');
      const again = new HeldGroups(new StateDir(dir));
      assert.deepEqual(again.previouslyHeld().sort(), ['IPaddr::198.18.16.200', 'db']);
      assert.deepEqual(again.snapshot().failed, ['db']);
      writeFileSync(join(dir, 'held-groups.json'), '{torn');
      assert.deepEqual(new HeldGroups(new StateDir(dir)).previouslyHeld(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('creates a missing state dir 0700', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      new StateDir(join(dir, 'new')).openIdentity();
      assert.equal(statSync(join(dir, 'new')).mode & 0o7777, 0o700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('planted symlinks at hb_generation.tmp and held-groups.json.tmp: targets untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious\n');
      const s = join(dir, 'st');
      mkdirSync(s, { mode: 0o700 });
      symlinkSync(victim, join(s, 'hb_generation.tmp'));
      symlinkSync(victim, join(s, 'held-groups.json.tmp'));
      symlinkSync(victim, join(s, 'hb_uuid.tmp'));
      const state = new StateDir(s);
      assert.equal(state.openIdentity().generation, 1);
      new HeldGroups(state).starting('web');
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
      assert.ok(lstatSync(join(s, 'hb_generation')).isFile());
      assert.deepEqual(new HeldGroups(new StateDir(s)).previouslyHeld(), ['web']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('refuses a world-writable state dir before writing anything into it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      const victim = join(dir, 'victim');
      writeFileSync(victim, 'precious\n');
      const s = join(dir, 'st');
      mkdirSync(s);
      chmodSync(s, 0o777);
      symlinkSync(victim, join(s, 'hb_generation'));
      assert.throws(
        () => new StateDir(s).openIdentity(),
        /writable by group or others \(mode 0777\): chmod 0700/,
      );
      assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('refuses an hb_generation that is a symlink (never read through it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-state-'));
    try {
      const victim = join(dir, 'victim');
      writeFileSync(victim, '             41\n');
      const s = join(dir, 'st');
      mkdirSync(s, { mode: 0o700 });
      symlinkSync(victim, join(s, 'hb_generation'));
      assert.throws(() => new StateDir(s).openIdentity(), /hb_generation is a symbolic link/);
      assert.equal(readFileSync(victim, 'utf8'), '             41\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
