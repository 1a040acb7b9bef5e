// The SBD disk lock end to end: 2 daemons in namespaces share one loop device (`disk_lock` in
// hbts.cf), Debian's sbd sees both slots, and `sbd -d DEV message <active> off` moves the group:
// the poisoned node releases everything and stops, the peer takes over, and at no 10 ms sample
// do both nodes hold the VIP. A restarted node clears the old message and rejoins.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  attachLoop,
  loopSkipReason,
  sbdAsync,
  sbdList,
  sbdSync,
  tempImage,
} from '../unit/fencing/sbd-helpers.js';
import type { LabNode, ProbeClient } from './lab.js';
import { Lab, cleanupLab, labSkipReason, sleep, startAllNodes, waitUntil } from './lab.js';
import { haCf } from './lab-config.js';

const skip = labSkipReason() ?? loopSkipReason();
const vip = '198.18.16.200';
const vip2 = '198.18.20.200';

function holds(n: LabNode): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('ip', ['-n', n.ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0'], { timeout: 2000 }, (err, out) =>
      resolve(err === null && out.includes(` ${vip}/`)),
    );
  });
}

/**
 * Every add and delete of the VIP on every node, as `ip monitor address` reports them (stronger
 * than sampling every 10 ms: an overlap however short is seen); receive times within ~1 ms.
 */
function watchHolders(
  nodes: readonly LabNode[],
  initially: readonly string[],
  address = vip,
): {
  stop(): { overlaps: number; maxHolders: number; events: string[]; gapMs: number | undefined };
} {
  const events: { t: number; node: string; present: boolean }[] = [];
  const monitors: ChildProcess[] = nodes.map((n) => {
    const m = spawn('ip', ['-n', n.ns, '-o', '-4', 'monitor', 'address'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let buf = '';
    m.stdout.on('data', (d: Buffer) => {
      const t = Date.now();
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines)
        if (l.includes(` ${address}/`)) events.push({ t, node: n.name, present: !l.startsWith('Deleted') });
    });
    return m;
  });
  return {
    stop: () => {
      for (const m of monitors) m.kill('SIGTERM');
      const held = new Set(initially);
      let overlaps = 0;
      let maxHolders = held.size;
      let lastGone: number | undefined;
      let gapMs: number | undefined;
      for (const e of [...events].sort((a, b) => a.t - b.t)) {
        if (e.present) {
          held.add(e.node);
          if (held.size > 1) overlaps++;
          if (held.size === 1 && lastGone !== undefined) gapMs = e.t - lastGone;
        } else {
          held.delete(e.node);
          if (held.size === 0) lastGone = e.t;
        }
        maxHolders = Math.max(maxHolders, held.size);
      }
      return {
        overlaps,
        maxHolders,
        gapMs,
        events: events.map((e) => `${e.t} ${e.node} ${e.present ? '+' : '-'}`),
      };
    },
  };
}

void describe('disk lock (SBD) in the lab: poison pill moves the group', { skip: skip ?? false }, () => {
  let lab: Lab;
  let client: ProbeClient;
  let dev = '';
  let detach = (): void => undefined;
  let removeImage = (): void => undefined;

  before(async () => {
    const img = tempImage(8 << 20);
    removeImage = img.cleanup;
    const loop = attachLoop(img.path);
    dev = loop.dev;
    detach = loop.detach;
    // watchdog 1 s, allocate 0 s, msgwait 2 s (loop 1 s)
    const created = sbdSync(['-d', dev, '-1', '1', '-2', '0', '-4', '2', 'create']);
    assert.equal(created.code, 0, created.stderr);
    lab = Lab.create({ nodes: 2, tag: 'sbd' });
    lab.writeConfig({
      haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'off' }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
      scripts: { 'hbts.cf': `disk_lock ${dev}\n` },
    });
    startAllNodes(lab);
    client = lab.startClient(vip);
    await client.waitFor('node1', 15000);
  });
  after(async () => {
    if (lab !== undefined) await cleanupLab(lab);
    detach();
    removeImage();
  });

  void it("sbd list shows both daemons' slots", async () => {
    await waitUntil('both slots', () => sbdList(dev).length === 2, 5000, 100);
    const rows = sbdList(dev)
      .map((r) => `${r[1]} ${r[2]}`)
      .sort();
    assert.deepEqual(rows, ['node1 clear', 'node2 clear']);
    const [n1] = lab.nodes;
    assert.ok(n1);
    // The slot is visible to `sbd list` as soon as it is allocated; the daemon logs that it watches
    // it only after clearing its mailbox, a moment later.
    await waitUntil(
      'the watching line in node1 log',
      () => /sbd: watching slot \d on \/dev\/loop\d+ every 500 ms/.test(lab.log(n1)),
      5000,
      100,
    );
    const status = lab.hbts(n1, ['status']);
    assert.match(status, /disk lock \/dev\/loop\d+: slot \d, ok/);
  });

  void it('sbd message node1 off: node1 releases and stops, node2 takes over, never two holders', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    assert.ok(await holds(n1));
    const watch = watchHolders([n1, n2], ['node1']);
    await sleep(300); // the monitors are listening
    const t = client.nowT();
    const started = Date.now();
    const message = sbdAsync(['-d', dev, 'message', 'node1', 'off']);
    await client.waitFor('node2', 15000);
    const servedMs = Date.now() - started;
    const code = await lab.waitExit(n1.daemon, 15000);
    await sleep(300);
    const { overlaps, maxHolders, gapMs, events } = watch.stop();
    const outage = await client.settledOutageMs(t);
    const sent = await message;
    process.stdout.write(
      `# sbd message node1 off: node2 serves the VIP ${servedMs} ms after the message was sent; VIP nowhere for ${gapMs ?? '?'} ms; client outage ${outage} ms; most holders at once ${maxHolders}\n`,
    );
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(overlaps, 0, `never two holders: ${events.join(', ')}`);
    assert.equal(maxHolders, 1);
    assert.equal(events.length, 2, `one delete on node1, one add on node2: ${events.join(', ')}`);
    assert.equal(code, 0, 'the poisoned daemon stopped cleanly');
    assert.ok(!(await holds(n1)) && (await holds(n2)));
    assert.match(lab.log(n1), /disk lock: poison pill; releasing every group and stopping now .*command=off/);
    assert.deepEqual(
      sbdList(dev)
        .map((r) => `${r[1]} ${r[2]}`)
        .sort(),
      ['node1 off', 'node2 clear'],
    );
  });

  void it('node1 restarted: the old message is cleared, node1 rejoins, node2 keeps the group', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    lab.startDaemon(n1);
    await waitUntil(
      'node1 clear again',
      () => sbdList(dev).some((r) => r[1] === 'node1' && r[2] === 'clear'),
      10000,
      100,
    );
    await waitUntil(
      'node1 rejoined',
      () => /node2\s+active/.test(lab.hbts(n1, ['status'], true)),
      10000,
      200,
    );
    // logged before the slot was cleared, but the lab copies the daemon's output into the log
    // file from a pipe, which the checks above (spawnSync) may not have let it read yet
    await waitUntil(
      'the cleared message in the log',
      () => /sbd: off from \S+ was waiting in our slot \d .* at start; cleared/.test(lab.log(n1)),
      5000,
      50,
    );
    assert.ok(await holds(n2));
    assert.ok(!(await holds(n1)));
  });
});

void describe(
  'disk lock (SBD) in the lab: heartbeat link cut, fence <node> sbd',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let dev = '';
    let detach = (): void => undefined;
    let removeImage = (): void => undefined;

    before(async () => {
      const img = tempImage(8 << 20);
      removeImage = img.cleanup;
      const loop = attachLoop(img.path);
      dev = loop.dev;
      detach = loop.detach;
      const created = sbdSync(['-d', dev, '-1', '1', '-2', '0', '-4', '2', 'create']);
      assert.equal(created.code, 0, created.stderr);
      // heartbeats on eth1 only, the VIP on eth0: cutting eth1 partitions the cluster
      lab = Lab.create({ nodes: 2, tag: 'sbdf', secondNet: true, net: 20 });
      lab.writeConfig({
        haCf: haCf(lab, { media: ['bcast eth1'], autoFailback: 'off' }),
        haresources: `node1 IPaddr2::${vip2}/24/eth0\n`,
        scripts: { 'hbts.cf': `disk_lock ${dev}\nfence node1 sbd\nfence node2 sbd\nfence_delay 2\n` },
      });
      startAllNodes(lab);
      const [n1] = lab.nodes;
      assert.ok(n1);
      await waitUntil('node1 holds the VIP', () => lab.addressesOf(n1).includes(vip2), 15000, 100);
      await waitUntil('both slots', () => sbdList(dev).length === 2, 5000, 100);
    });
    after(async () => {
      if (lab !== undefined) await cleanupLab(lab);
      detach();
      removeImage();
    });

    void it('node1 (holding the group) fences node2 through the disk; node2 stops; never two holders', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await sleep(1000);
      const watch = watchHolders([n1, n2], ['node1'], vip2);
      await sleep(300);
      const started = Date.now();
      lab.linkDown(n1, 'eth1');
      const code = await lab.waitExit(n2.daemon, 15000);
      const stoppedMs = Date.now() - started;
      await waitUntil(
        'node1 logs node2 fenced',
        () => /node fenced node=node2/.test(lab.log(n1)),
        10000,
        100,
      );
      const fencedMs = Date.now() - started;
      await sleep(500);
      const { overlaps, maxHolders, events } = watch.stop();
      process.stdout.write(
        `# heartbeat link cut: node2 got the poison pill and stopped ${stoppedMs} ms after the cut; node1 counted it fenced after ${fencedMs} ms (msgwait 2 s); VIP changes: ${events.length}\n`,
      );
      assert.equal(code, 0, 'node2 stopped cleanly');
      assert.equal(overlaps, 0, `never two holders: ${events.join(', ')}`);
      assert.equal(maxHolders, 1);
      assert.deepEqual(events, [], 'the VIP stayed on node1 throughout');
      assert.ok(lab.addressesOf(n1).includes(vip2));
      assert.match(
        lab.log(n2),
        /disk lock: poison pill; releasing every group and stopping now .*command=off from=/,
      );
      assert.deepEqual(
        sbdList(dev)
          .map((r) => `${r[1]} ${r[2]}`)
          .sort(),
        ['node1 clear', 'node2 off'],
        'node2 never fenced node1 back',
      );
    });
  },
);
