// SbdDevice and fenceViaSbd on image files (no root needed): the layout round trip, slot
// allocation, mailboxes, and clear errors for what is not an SBD device.
import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SbdDevice } from '../../../src/fencing/sbd-device.js';
import { SbdFormatError, SbdIoError, SbdSlotError } from '../../../src/fencing/sbd-errors.js';
import { fenceViaSbd } from '../../../src/fencing/sbd-fence.js';
import { imageSkipReason, tempImage } from './sbd-helpers.js';

const skip = imageSkipReason();

void describe('SbdDevice on an image file', { skip }, () => {
  void it('create writes what open reads back; every slot starts free', async () => {
    const img = tempImage();
    try {
      const created = await SbdDevice.create(img.path, { watchdog: 3, allocate: 0, loop: 1, msgwait: 6 });
      const dev = await SbdDevice.open(img.path);
      try {
        assert.deepEqual(dev.header, created);
        assert.match(created.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(dev.msgwaitMs, 6000);
        assert.equal(dev.watchdogMs, 3000);
        assert.equal(dev.ioTimeoutMs, 3000); // 3 loop timeouts, sbd's -I default
        assert.deepEqual(await dev.list(), []);
        // 1 header sector + 255 slots x 2 sectors
        const bytes = readFileSync(img.path);
        assert.equal(bytes.subarray(0, 8).toString(), 'SBD_SBD_');
        assert.ok(bytes.subarray(512, 511 * 512).every((b) => b === 0));
      } finally {
        await dev.close();
      }
    } finally {
      img.cleanup();
    }
  });

  void it('allocates slots as sbd does: by name, case-insensitive, waiting the allocate timeout', async () => {
    const img = tempImage();
    try {
      await SbdDevice.create(img.path, { allocate: 1, slots: 3 });
      const a = await SbdDevice.open(img.path);
      const b = await SbdDevice.open(img.path);
      try {
        let t = performance.now();
        assert.equal(await a.allocateSlot('alpha'), 0);
        assert.ok(performance.now() - t >= 1000, 'a new slot waits the allocate timeout');
        t = performance.now();
        assert.equal(await b.allocateSlot('ALPHA'), 0, 'found by name, any case');
        assert.ok(performance.now() - t < 900, 'a known slot is not waited for');
        assert.equal(await b.allocateSlot('beta'), 1);
        assert.equal(await a.findSlot('beta'), 1, 'the other handle reads the disk, not a cache');
        assert.equal(await a.findSlot('gamma'), undefined);
        assert.equal(await a.allocateSlot('gamma'), 2);
        await assert.rejects(a.allocateSlot('delta'), (e: unknown) => {
          assert.ok(e instanceof SbdSlotError);
          assert.match(e.message, /no free slot left for delta/);
          return true;
        });
        assert.deepEqual(
          (await a.list()).map((e) => [e.slot.index, e.slot.name, e.mailbox.command]),
          [
            [0, 'alpha', 'clear'],
            [1, 'beta', 'clear'],
            [2, 'gamma', 'clear'],
          ],
        );
        await assert.rejects(a.readMailbox(3), /slot 3 does not exist \(the device has 3\)/);
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      img.cleanup();
    }
  });

  void it('mailboxes: written by one handle, read by another, verified on request', async () => {
    const img = tempImage();
    try {
      await SbdDevice.create(img.path, { allocate: 0 });
      const a = await SbdDevice.open(img.path);
      const b = await SbdDevice.open(img.path);
      try {
        const slot = await a.allocateSlot('node1');
        await b.writeMailbox(slot, 'test', 'node2', true);
        assert.deepEqual(await a.readMailbox(slot), { command: 'test', code: 1, from: 'node2' });
        await a.writeMailbox(slot, 'clear', 'node1');
        assert.deepEqual(await b.readMailbox(slot), { command: 'clear', code: 0, from: '' });
        const own = await a.readOwn(slot);
        assert.deepEqual(own.header, a.header);
        assert.equal(own.slot.name, 'node1');
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      img.cleanup();
    }
  });

  void it('refuses a device that is not SBD-formatted, saying how to create one', async () => {
    const img = tempImage();
    try {
      await assert.rejects(SbdDevice.open(img.path), (e: unknown) => {
        assert.ok(e instanceof SbdFormatError);
        assert.match(e.message, /is not an SBD device: no SBD header/);
        assert.match(e.message, new RegExp(`sbd -d ${img.path} create`));
        return true;
      });
      writeFileSync(img.path, 'SBD_SBD_\x03'.padEnd(4096, '\0'));
      await assert.rejects(SbdDevice.open(img.path), /SBD header version 3/);
      await assert.rejects(SbdDevice.open(`${img.path}.missing`), (e: unknown) => {
        assert.ok(e instanceof SbdIoError);
        assert.equal(e.code, 'ENOENT');
        return true;
      });
    } finally {
      img.cleanup();
    }
  });

  void it('a device that shrinks under us fails its reads, and works again when back', async () => {
    const img = tempImage();
    try {
      await SbdDevice.create(img.path, { allocate: 0 });
      const saved = readFileSync(img.path);
      const dev = await SbdDevice.open(img.path);
      try {
        const slot = await dev.allocateSlot('node1');
        truncateSync(img.path, 0);
        await assert.rejects(
          dev.readOwn(slot),
          (e: unknown) => e instanceof SbdIoError && /short read/.test(e.message),
        );
        // back as it was saved (before the allocation): the read sees the disk, not a cache
        writeFileSync(img.path, saved);
        assert.equal((await dev.readSlot(slot)).inUse, false);
      } finally {
        await dev.close();
      }
    } finally {
      img.cleanup();
    }
  });
});

void describe('fenceViaSbd on an image file', { skip }, () => {
  void it('writes off into the node slot, waits msgwait, reports ok', async () => {
    const img = tempImage();
    try {
      await SbdDevice.create(img.path, { allocate: 0, msgwait: 1 });
      const dev = await SbdDevice.open(img.path);
      try {
        const slot = await dev.allocateSlot('node2');
        const lines: string[] = [];
        const t = performance.now();
        const out = await fenceViaSbd(img.path, 'NODE2', (l) => lines.push(l), { from: 'node1' });
        const took = performance.now() - t;
        assert.equal(out.ok, true, out.detail);
        assert.equal(out.method, `sbd ${img.path}`);
        assert.match(out.detail, /off delivered to NODE2 \(slot 0\) and msgwait 1 s passed/);
        assert.ok(took >= 1000, `waited msgwait (${took} ms)`);
        assert.deepEqual(await dev.readMailbox(slot), { command: 'off', code: 3, from: 'node1' });
        assert.match(lines.join('\n'), /wrote off into slot 0 \(NODE2\)/);
      } finally {
        await dev.close();
      }
    } finally {
      img.cleanup();
    }
  });

  void it('fails (without throwing) for a node with no slot, a non-SBD device, or a cancelled wait', async () => {
    const img = tempImage();
    try {
      const log = (): void => undefined;
      const notSbd = await fenceViaSbd(img.path, 'node2', log);
      assert.equal(notSbd.ok, false);
      assert.match(notSbd.detail, /not an SBD device/);
      await SbdDevice.create(img.path, { allocate: 0, msgwait: 5 });
      const noSlot = await fenceViaSbd(img.path, 'node2', log);
      assert.equal(noSlot.ok, false);
      assert.match(noSlot.detail, /node2 has no slot on .*: it never watched this disk/);
      const dev = await SbdDevice.open(img.path);
      try {
        await dev.allocateSlot('node2');
        const t = performance.now();
        const cancelled = await fenceViaSbd(dev, 'node2', log, { signal: AbortSignal.timeout(200) });
        assert.equal(cancelled.ok, false);
        assert.match(cancelled.detail, /cancelled while waiting msgwait/);
        assert.ok(performance.now() - t < 2000);
        // the device passed in stays open for its owner
        assert.equal((await dev.readMailbox(0)).command, 'off');
      } finally {
        await dev.close();
      }
    } finally {
      img.cleanup();
    }
  });
});
