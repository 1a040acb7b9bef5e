// Our SBD code and Debian's sbd on the same loop device (sbd refuses image files: it asks the
// kernel for the sector size), both ways: what one writes the other reads. Needs root and the
// sbd package; every loop device is detached in cleanup.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AdminCommand } from '../../../src/cluster/types.js';
import { startDiskLock } from '../../../src/daemon/disk-lock.js';
import { DaemonStartError } from '../../../src/daemon/errors.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import { SbdDevice } from '../../../src/fencing/sbd-device.js';
import { fenceViaSbd } from '../../../src/fencing/sbd-fence.js';
import { attachLoop, loopSkipReason, sbdAsync, sbdList, sbdSync, tempImage, waitFor } from './sbd-helpers.js';
import { hangSkipReason, hangableLoop } from './hung-disk.js';

const skip = loopSkipReason();

/** A loop device over a fresh 8 MiB image; `done` detaches it and removes the image. */
function loopDevice(): { dev: string; done(): void } {
  const img = tempImage(8 << 20);
  try {
    const loop = attachLoop(img.path);
    return {
      dev: loop.dev,
      done: () => {
        loop.detach();
        img.cleanup();
      },
    };
  } catch (err) {
    img.cleanup();
    throw err;
  }
}

void describe('SBD on a loop device, with Debian sbd', { skip }, () => {
  void it('sbd dump and list read what we wrote', async () => {
    const d = loopDevice();
    try {
      const h = await SbdDevice.create(d.dev, { watchdog: 3, allocate: 0, loop: 1, msgwait: 7 });
      const dump = sbdSync(['-d', d.dev, 'dump']);
      assert.equal(dump.code, 0, dump.stderr);
      assert.match(dump.stdout, /Header version\s+: 2\.1/);
      assert.match(dump.stdout, new RegExp(`UUID\\s+: ${h.uuid ?? '?'}`));
      assert.match(dump.stdout, /Number of slots\s+: 255/);
      assert.match(dump.stdout, /Sector size\s+: 512/);
      assert.match(dump.stdout, /Timeout \(watchdog\) : 3\n/);
      assert.match(dump.stdout, /Timeout \(allocate\) : 0\n/);
      assert.match(dump.stdout, /Timeout \(msgwait\) {2}: 7\n/);
      const dev = await SbdDevice.open(d.dev);
      try {
        await dev.allocateSlot('node1');
        await dev.allocateSlot('node2');
        await dev.writeMailbox(1, 'test', 'node1');
        assert.deepEqual(sbdList(d.dev), [
          ['0', 'node1', 'clear', ''],
          ['1', 'node2', 'test', 'node1'],
        ]);
      } finally {
        await dev.close();
      }
    } finally {
      d.done();
    }
  });

  void it('we read what sbd create, allocate and message wrote', async () => {
    const d = loopDevice();
    try {
      assert.equal(sbdSync(['-d', d.dev, '-1', '2', '-2', '0', '-4', '4', 'create']).code, 0);
      assert.equal(sbdSync(['-d', d.dev, 'allocate', 'Node1']).code, 0);
      const dev = await SbdDevice.open(d.dev);
      try {
        assert.equal(dev.header.timeoutWatchdog, 2);
        assert.equal(dev.header.timeoutMsgwait, 4);
        assert.equal(dev.header.timeoutLoop, 1);
        assert.equal(dev.header.slots, 255);
        assert.equal(await dev.findSlot('node1'), 0);
        // sbd waits msgwait after every message but exit
        const r = await sbdAsync(['-d', d.dev, '-n', 'fencer', 'message', 'node1', 'test']);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await dev.readMailbox(0), { command: 'test', code: 1, from: 'fencer' });
      } finally {
        await dev.close();
      }
    } finally {
      d.done();
    }
  });

  void it('daemon side: our slot shows in sbd list; sbd message off is a poison pill; losing nothing else', async () => {
    const d = loopDevice();
    const dir = mkdtempSync(join(tmpdir(), 'hbts-sbdlog-'));
    const logfile = join(dir, 'ha-log');
    const log = new EventLog('node1', { logfile, stderr: false, debug: false });
    const admin: AdminCommand[] = [];
    let shutdowns = 0;
    try {
      assert.equal(sbdSync(['-d', d.dev, '-1', '1', '-2', '0', '-4', '2', 'create']).code, 0);
      assert.equal(sbdSync(['-d', d.dev, 'allocate', 'node2']).code, 0);
      const lock = await startDiskLock(d.dev, 'node1', log, {
        admin: (c) => admin.push(c),
        shutdown: () => shutdowns++,
      });
      assert.ok(lock !== undefined);
      assert.equal(
        await startDiskLock(undefined, 'node1', log, { admin: () => 0, shutdown: () => 0 }),
        undefined,
      );
      try {
        assert.deepEqual(sbdList(d.dev), [
          ['0', 'node2', 'clear', ''],
          ['1', 'node1', 'clear', ''],
        ]);
        const t = performance.now();
        const msg = sbdAsync(['-d', d.dev, '-n', 'node2', 'message', 'node1', 'off']);
        await waitFor('shutdown on the poison pill', () => shutdowns > 0, 5000);
        const seenMs = performance.now() - t;
        assert.ok(seenMs < 1800, `seen within a loop timeout (${seenMs} ms)`);
        const r = await msg;
        assert.equal(r.code, 0, r.stderr);
        assert.ok(performance.now() - t >= 2000, 'sbd itself waited msgwait');
        assert.equal(shutdowns, 1);
        assert.deepEqual(admin, []);
        assert.deepEqual(sbdList(d.dev)[1], ['1', 'node1', 'off', 'node2']);
        log.close();
        assert.match(
          readFileSync(logfile, 'utf8'),
          /disk lock: poison pill; releasing every group and stopping now .*command=off from=node2/,
        );
      } finally {
        await lock.close();
      }
    } finally {
      log.close();
      rmSync(dir, { recursive: true, force: true });
      d.done();
    }
  });

  void it('daemon side refuses a device sbd never created, saying how to', async () => {
    const d = loopDevice();
    const log = new EventLog('node1', { stderr: false, debug: false });
    try {
      await assert.rejects(
        startDiskLock(d.dev, 'node1', log, { admin: () => undefined, shutdown: () => undefined }),
        (e: unknown) => {
          assert.ok(e instanceof DaemonStartError);
          assert.equal(e.exitCode, 6);
          assert.match(
            e.message,
            new RegExp(`disk_lock: ${d.dev} is not an SBD device: .*sbd -d ${d.dev} create`),
          );
          return true;
        },
      );
    } finally {
      log.close();
      d.done();
    }
  });

  void it('fenceViaSbd writes off that sbd list shows, and waits msgwait', async () => {
    const d = loopDevice();
    try {
      assert.equal(sbdSync(['-d', d.dev, '-1', '1', '-2', '0', '-4', '2', 'create']).code, 0);
      assert.equal(sbdSync(['-d', d.dev, 'allocate', 'node2']).code, 0);
      const t = performance.now();
      let shownAtMs: number | undefined;
      const fencing = fenceViaSbd(d.dev, 'node2', () => undefined, { from: 'node1' });
      await waitFor(
        'off in sbd list',
        () => {
          const shown = sbdList(d.dev)[0]?.[2] === 'off';
          if (shown) shownAtMs = performance.now() - t;
          return shown;
        },
        3000,
      );
      const out = await fencing;
      const took = performance.now() - t;
      assert.equal(out.ok, true, out.detail);
      assert.ok((shownAtMs ?? Infinity) < 1000, `off on the disk at once (${shownAtMs} ms)`);
      assert.ok(took >= 2000, `waited msgwait 2 s (${took} ms)`);
      assert.deepEqual(sbdList(d.dev), [['0', 'node2', 'off', 'node1']]);
      // the default sender is uname -n, as with sbd
      await fenceViaSbd(d.dev, 'node2', () => undefined, { command: 'reset' });
      assert.deepEqual(sbdList(d.dev), [['0', 'node2', 'reset', hostname()]]);
    } finally {
      d.done();
    }
  });
});

void describe('SBD on a disk that hangs', { skip: skip ?? hangSkipReason() }, () => {
  void it('a hung write fails within the I/O timeout, the event loop keeps running, the next request works', async () => {
    const disk = await hangableLoop();
    try {
      await SbdDevice.create(disk.dev, { allocate: 0, msgwait: 1 });
      const dev = await SbdDevice.open(disk.dev, { ioTimeoutMs: 500 });
      try {
        await dev.allocateSlot('node2');
        disk.freeze();
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 10);
        const t = performance.now();
        const out = await fenceViaSbd(dev, 'node2', () => undefined, { from: 'node1' });
        const took = performance.now() - t;
        clearInterval(ticker);
        assert.equal(out.ok, false);
        assert.match(out.detail, /write did not finish within 500 ms/);
        assert.ok(took >= 500 && took < 1500, `failed after ${took} ms`);
        assert.ok(ticks >= 30, `timers ran during the hang (${ticks} ticks of 10 ms in ${took} ms)`);
        // two more hung writes make three stuck threads; then requests fail at once, not pile up
        for (let i = 0; i < 2; i++)
          await assert.rejects(dev.writeMailbox(0, 'test', 'node1'), /write did not finish within 500 ms/);
        const t2 = performance.now();
        await assert.rejects(dev.readMailbox(0), /3 I\/O threads are still stuck on the device/);
        assert.ok(performance.now() - t2 < 100, 'refused at once');
        disk.thaw();
        // the stuck threads end once the kernel lets go of them; then a fresh thread works
        let slot: number | undefined;
        for (let i = 0; i < 50 && slot === undefined; i++) {
          try {
            slot = await dev.findSlot('node2');
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        assert.equal(slot, 0);
        const again = await fenceViaSbd(dev, 'node2', () => undefined, { from: 'node1' });
        assert.equal(again.ok, true, again.detail);
        assert.deepEqual(sbdList(disk.dev), [['0', 'node2', 'off', 'node1']]);
      } finally {
        disk.thaw();
        await dev.close();
      }
    } finally {
      disk.done();
    }
  });
});
