// The daemon side of the disk lock on image files: our slot taken at start, poison pills, test
// messages, and losing/regaining the disk (the image truncated away and put back).
import assert from 'node:assert/strict';
import { openSync, closeSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SbdDevice } from '../../../src/fencing/sbd-device.js';
import { mailboxSector } from '../../../src/fencing/sbd-layout.js';
import type { PoisonPill, SbdWatcherHooks } from '../../../src/fencing/sbd-watcher.js';
import { SbdWatcher } from '../../../src/fencing/sbd-watcher.js';
import { imageSkipReason, tempImage, waitFor } from './sbd-helpers.js';

const skip = imageSkipReason();

interface Seen {
  pills: [PoisonPill, string][];
  lost: string[];
  regained: number;
  logs: string[];
}

function recorder(): { seen: Seen; hooks: SbdWatcherHooks } {
  const seen: Seen = { pills: [], lost: [], regained: 0, logs: [] };
  return {
    seen,
    hooks: {
      poisonPill: (c, from) => seen.pills.push([c, from]),
      lost: (r) => seen.lost.push(r),
      regained: () => seen.regained++,
      log: (level, line) => seen.logs.push(`${level} ${line}`),
    },
  };
}

/** An image with `create` done, a watcher for `node1` and a second handle playing the peer. */
async function setup(
  opts: { pollMs?: number; lostAfterMs?: number } = {},
): Promise<{ path: string; peer: SbdDevice; watcher: SbdWatcher; seen: Seen; done(): Promise<void> }> {
  const img = tempImage();
  await SbdDevice.create(img.path, { allocate: 0, loop: 1, watchdog: 1, msgwait: 2 });
  const own = await SbdDevice.open(img.path);
  const peer = await SbdDevice.open(img.path);
  await peer.allocateSlot('node2');
  const { seen, hooks } = recorder();
  const watcher = await SbdWatcher.start(own, 'node1', hooks, opts);
  return {
    path: img.path,
    peer,
    watcher,
    seen,
    done: async () => {
      watcher.stop();
      await own.close();
      await peer.close();
      img.cleanup();
    },
  };
}

void describe('SbdWatcher on an image file', { skip }, () => {
  void it('takes a slot at start and clears a message left from before, logging it', async () => {
    const img = tempImage();
    await SbdDevice.create(img.path, { allocate: 0 });
    const peer = await SbdDevice.open(img.path);
    const own = await SbdDevice.open(img.path);
    const { seen, hooks } = recorder();
    try {
      const slot = await peer.allocateSlot('node1');
      await peer.writeMailbox(slot, 'off', 'node2');
      const w = await SbdWatcher.start(own, 'node1', hooks);
      w.stop();
      assert.equal(w.slot, slot);
      assert.deepEqual(await peer.readMailbox(slot), { command: 'clear', code: 0, from: '' });
      assert.match(
        seen.logs.join('\n'),
        /warn sbd: off from node2 was waiting in our slot \d+ .* at start; cleared/,
      );
      assert.deepEqual(seen.pills, []);
    } finally {
      await own.close();
      await peer.close();
      img.cleanup();
    }
  });

  void it('off from a peer is a poison pill, seen within a loop timeout, reported once', async () => {
    const s = await setup(); // loop timeout 1 s from the header
    try {
      await s.peer.writeMailbox(s.watcher.slot, 'off', 'node2');
      const t = performance.now();
      await waitFor('the poison pill', () => s.seen.pills.length > 0, 3000);
      assert.ok(performance.now() - t <= 1500, 'seen within one loop timeout (plus I/O)');
      assert.deepEqual(s.seen.pills, [['off', 'node2']]);
      assert.match(s.seen.logs.join('\n'), /crit sbd: poison pill: off from node2 in our slot \d+/);
      // the message stays on the disk (sbd list shows it), and the watch has ended
      await new Promise((r) => setTimeout(r, 1300));
      assert.deepEqual(s.seen.pills, [['off', 'node2']]);
      assert.equal((await s.peer.readMailbox(s.watcher.slot)).command, 'off');
    } finally {
      await s.done();
    }
  });

  void it('reset and crashdump are poison pills too', async () => {
    for (const cmd of ['reset', 'crashdump'] as const) {
      const s = await setup({ pollMs: 50 });
      try {
        await s.peer.writeMailbox(s.watcher.slot, cmd, 'node2');
        await waitFor(cmd, () => s.seen.pills.length > 0, 2000);
        assert.deepEqual(s.seen.pills, [[cmd, 'node2']]);
      } finally {
        await s.done();
      }
    }
  });

  void it('test and exit are logged and cleared, an unknown code too; none stops anything', async () => {
    const s = await setup({ pollMs: 50 });
    try {
      for (const cmd of ['test', 'exit'] as const) {
        await s.peer.writeMailbox(s.watcher.slot, cmd, 'node2');
        await waitFor(`${cmd} cleared`, () => s.seen.logs.some((l) => l.includes(`${cmd} from node2`)), 2000);
        let cleared = false;
        for (let i = 0; i < 40 && !cleared; i++) {
          cleared = (await s.peer.readMailbox(s.watcher.slot)).code === 0;
          if (!cleared) await new Promise((r) => setTimeout(r, 25));
        }
        assert.ok(cleared, `${cmd} cleared`);
      }
      // a torn write: a code sbd does not define
      const fd = openSync(s.path, 'r+');
      writeSync(fd, Buffer.from([9]), 0, 1, mailboxSector(s.watcher.slot) * 512);
      closeSync(fd);
      await waitFor(
        'unknown code logged',
        () => s.seen.logs.some((l) => /error .*unknown command code 9/.test(l)),
        2000,
      );
      assert.deepEqual(s.seen.pills, []);
      assert.deepEqual(s.seen.lost, []);
    } finally {
      await s.done();
    }
  });

  void it('no good read for longer than the watchdog timeout: lost; the disk back: regained', async () => {
    const s = await setup({ pollMs: 50, lostAfterMs: 400 });
    try {
      const saved = readFileSync(s.path);
      const t = performance.now();
      truncateSync(s.path, 0);
      await waitFor('lost', () => s.seen.lost.length > 0, 3000);
      const after = performance.now() - t;
      assert.ok(after >= 350 && after < 1500, `lost after ${after} ms (limit 400 ms)`);
      assert.match(s.seen.lost[0] ?? '', /no access to disk lock .* for 400 ms \(.*short read/);
      assert.equal(s.watcher.state().lost, true);
      assert.equal(s.seen.regained, 0);
      writeFileSync(s.path, saved);
      await waitFor('regained', () => s.seen.regained > 0, 2000);
      assert.equal(s.watcher.state().lost, false);
      assert.equal(s.seen.lost.length, 1, 'lost is reported once per outage');
      // one error line for the whole outage, not one per poll
      assert.equal(s.seen.logs.filter((l) => l.startsWith('error sbd: watch round failed')).length, 1);
    } finally {
      await s.done();
    }
  });

  void it('our slot taken by another node or the device re-created counts as losing the disk', async () => {
    const s = await setup({ pollMs: 50, lostAfterMs: 300 });
    try {
      const saved = readFileSync(s.path);
      // someone frees our slot and another node takes it
      const fd = openSync(s.path, 'r+');
      writeSync(fd, Buffer.from('\x01intruder\0'), 0, 10, 512 * (1 + 2 * s.watcher.slot));
      closeSync(fd);
      await waitFor('lost', () => s.seen.lost.length > 0, 2000);
      assert.match(s.seen.lost[0] ?? '', /our slot \d+ now belongs to "intruder"/);
      writeFileSync(s.path, saved);
      await waitFor('regained', () => s.seen.regained > 0, 2000);
      // re-created: new UUID and timeouts
      await SbdDevice.create(s.path, { allocate: 0, watchdog: 7 });
      await waitFor('lost again', () => s.seen.lost.length > 1, 2000);
      assert.match(s.seen.lost[1] ?? '', /header changed since start .*watchdog 7 s.*restart the daemon/);
    } finally {
      await s.done();
    }
  });
});
