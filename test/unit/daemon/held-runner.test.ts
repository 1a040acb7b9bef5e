// The daemon's ActionRunner around the resource runner: held-groups bookkeeping, and every optional
// action (the heal's gratuitous-ARP `announce`) passed through rather than silently dropped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { GroupId } from '../../../src/config/types.js';
import type { ActionRunner } from '../../../src/daemon/driver.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import { heldRunner } from '../../../src/daemon/held-runner.js';
import { HeldGroups, StateDir } from '../../../src/daemon/state-dir.js';

void describe('heldRunner', () => {
  void it('passes announce through and records held groups around acquire and release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-held-'));
    const log = new EventLog('a', { stderr: false, debug: false });
    try {
      const calls: string[] = [];
      const inner: ActionRunner = {
        acquire: (g) => (calls.push(`acquire ${g}`), Promise.resolve({ ok: true })),
        release: (g) => (calls.push(`release ${g}`), Promise.resolve({ ok: true })),
        probe: () => Promise.resolve({ ok: false }),
        gate: () => Promise.resolve({ ok: true }),
        announce: (g, reason) => (calls.push(`announce ${g} ${reason}`), Promise.resolve({ ok: true })),
      };
      const state = new StateDir(dir);
      state.openIdentity();
      const held = new HeldGroups(state);
      const r = heldRunner(inner, held, [], log);
      const web = 'web' as GroupId;
      await r.acquire(web, 'placement');
      assert.deepEqual(new HeldGroups(new StateDir(dir)).previouslyHeld(), ['web']);
      assert.ok(r.announce, 'announce is offered');
      await r.announce(web, 'split brain resolved');
      await r.release(web, 'standby');
      assert.deepEqual(new HeldGroups(new StateDir(dir)).previouslyHeld(), []);
      assert.deepEqual(calls, ['acquire web', 'announce web split brain resolved', 'release web']);
    } finally {
      log.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
