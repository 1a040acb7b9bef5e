// Mixed cluster with the other auth methods and media: md5 over ucast, and crc with our node on
// `msgfmt netstring` (no inner auth field). Each: both sides see each other active, each home
// node serves its VIP, and hb_standby on the real node moves its group to ours and back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep } from '../lab/lab.js';
import type { ProbeClient } from '../lab/lab.js';
import {
  cleanupMixed,
  createMixed,
  mixedSkipReason,
  oursStatus,
  oursViewOf,
  poll,
  startMixed,
} from './mixed-setup.js';
import type { Mixed, MixedOptions } from './mixed-setup.js';

const skip = mixedSkipReason();

const variants: { name: string; options: MixedOptions }[] = [
  {
    name: 'md5, ucast',
    options: {
      tag: 'iopm',
      auth: 'auth 3\n3 md5 hbts-interop-md5\n',
      media: ['ucast eth0 198.18.32.1', 'ucast eth0 198.18.32.2'],
    },
  },
  {
    // msgfmt netstring on OUR side: a real node with msgfmt netstring ignores the classic messages
    // its own scripts write into the FIFO (hb_standby, mach_down), a quirk of 3.0.6
    name: 'crc, bcast, our node with msgfmt netstring',
    options: { tag: 'iopc', auth: 'auth 1\n1 crc\n', oursExtra: ['msgfmt netstring'] },
  },
];

for (const v of variants) {
  void describe(`mixed cluster (${v.name})`, { skip: skip ?? false }, () => {
    let m: Mixed;
    let c1: ProbeClient | undefined;
    let c2: ProbeClient | undefined;
    before(async () => {
      m = createMixed(v.options);
      [c1, c2] = await startMixed(m);
    });
    after(async () => {
      await cleanupMixed(m, [c1, c2]);
    });

    void it('both sides active, each home node serves its VIP', async () => {
      assert.ok(c1 && c2);
      await poll(
        'real node sees node2 active',
        () => m.real.clStatus(['nodestatus', 'node2']) === 'active',
        30000,
      );
      await poll('hbts sees node1 active', () => oursViewOf(m, 'node1') === 'active', 10000);
      await c1.waitFor('node1', 30000);
      await c2.waitFor('node2', 30000);
      assert.equal(oursStatus(m)?.resourceHold, 'local');
      // Heartbeat ignores a standby request while its own resources are in flux ("local resources
      // in flux"), and hb_standby gives no feedback: wait until it reports its transition is over.
      await poll('real rscstatus local', () => m.real.clStatus(['rscstatus']) === 'local', 15000);
    });

    void it('hb_standby on the real node and back with hbts standby foreign', async () => {
      assert.ok(c1 && c2);
      assert.equal(m.real.hbStandby('all').code, 0);
      await c1.waitFor('node2', 15000);
      await sleep(1500);
      m.lab.hbts(m.ours, ['standby', 'foreign']);
      await c1.waitFor('node1', 15000);
      assert.equal(c2.lastAnswer(), 'node2');
      assert.doesNotMatch(m.real.log(), /authentication failed|bad node/i);
    });
  });
}
