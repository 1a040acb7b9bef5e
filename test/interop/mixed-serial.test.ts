// Mixed cluster over a serial line only: real Heartbeat on node1 and `hbts daemon` on node2 talk
// through a socat pty pair (classic `>>>` text format, sha1), no UDP medium at all. The VIPs are
// still on the lab's service net, probed by the client.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Lab, sleep } from '../lab/lab.js';
import type { ProbeClient } from '../lab/lab.js';
import {
  VIP2,
  cleanupMixed,
  createMixed,
  mixedSkipReason,
  oursViewOf,
  poll,
  startMixed,
} from './mixed-setup.js';
import type { Mixed } from './mixed-setup.js';

const skip =
  mixedSkipReason() ?? (spawnSync('socat', ['-V']).status === 0 ? undefined : 'socat is not installed');

void describe('mixed cluster over a serial line (socat pty pair, sha1)', { skip: skip ?? false }, () => {
  let m: Mixed | undefined;
  let c1: ProbeClient | undefined;
  let c2: ProbeClient | undefined;
  let ptyLab: Lab | undefined;

  before(async () => {
    // The pty pair lives in a lab of its own so that its socat is tracked and killed by pid.
    ptyLab = Lab.create({ nodes: 0, net: 34, tag: 'iops' });
    const a = join(ptyLab.dir, 'tty1');
    const b = join(ptyLab.dir, 'tty2');
    ptyLab.spawnIn(ptyLab.sw, 'socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
    await poll('the pty pair', () => existsSync(a) && existsSync(b), 5000);
    // Heartbeat locks the tty by its real name (/dev/pts/N), so both sides get the resolved path.
    const tty = { node1: realpathSync(a), node2: realpathSync(b) };
    m = createMixed({
      tag: 'iopr',
      mediaOf: (node) => ['baud 19200', `serial ${tty[node]}`],
    });
    [c1, c2] = await startMixed(m);
  });
  after(async () => {
    await cleanupMixed(m, [c1, c2]);
    await ptyLab?.cleanup();
  });

  void it('both sides active over the serial line, each home node serves its VIP', async () => {
    assert.ok(m && c1 && c2);
    const mm = m;
    await poll(
      'real node sees node2 active',
      () => mm.real.clStatus(['nodestatus', 'node2']) === 'active',
      30000,
    );
    await poll('hbts sees node1 active', () => oursViewOf(mm, 'node1') === 'active', 10000);
    await c1.waitFor('node1', 30000);
    await c2.waitFor('node2', 30000);
    assert.match(m.real.clStatus(['listhblinks', 'node2']), /\/dev\/pts\//);
  });

  void it('hb_standby on the real node over serial, and back with hbts standby foreign', async () => {
    assert.ok(m && c1 && c2);
    assert.equal(m.real.hbStandby('all').code, 0);
    await c1.waitFor('node2', 15000);
    await sleep(1500);
    m.lab.hbts(m.ours, ['standby', 'foreign']);
    await c1.waitFor('node1', 15000);
    assert.equal(c2.lastAnswer(), 'node2');
  });

  void it('crash of our node: the real node takes over vip2 after deadtime on the serial link', async () => {
    assert.ok(m && c1 && c2);
    const t = c2.nowT();
    m.lab.kill(m.ours.daemon, 'SIGKILL');
    await m.lab.waitExit(m.ours.daemon, 5000);
    m.lab.exec(m.ours.ns, 'ip', ['addr', 'del', `${VIP2}/24`, 'dev', 'eth0'], true);
    await c2.waitFor('node1', 20000);
    process.stdout.write(`# serial: crash of hbts node: vip2 outage ${c2.outageMs(t)} ms\n`);
  });
});
