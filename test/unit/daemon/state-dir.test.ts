import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
});
