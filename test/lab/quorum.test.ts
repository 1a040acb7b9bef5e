// Quorum in real namespaces: 3 nodes (quorum on by default), heartbeats on eth0, keepalive 200ms,
// deadtime 2, warntime 1. The VIP holder is cut off (its link down): it releases the VIP within
// deadtime, and only then does one of the two others add it; the VIP's presence on every node is
// watched through every change (ip monitor) and sampled every 10 ms: never two holders. `hbts
// status` on the isolated node says it has no quorum. The link back: it rejoins and takes nothing
// (auto_failback off). Figures (release after the cut, takeover after the cut) are printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';
import { VipWatch } from './vip-watch.js';

const skip = labSkipReason();
const DEADTIME_MS = 2000;

void describe('quorum: 3 nodes, the VIP holder isolated', { skip: skip ?? false }, () => {
  let lab: Lab;
  const vip = '198.18.24.200';
  before(async () => {
    lab = Lab.create({ nodes: 3, tag: 'quorum', net: 24 });
    lab.writeConfig({
      haCf: haCf(lab, {
        media: ['bcast eth0'],
        keepalive: '200ms',
        deadtime: '2',
        warntime: '1',
        initdead: '4',
        autoFailback: 'off',
      }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    startAllNodes(lab);
    const n1 = lab.node('node1');
    await waitUntil('node1 holds the VIP', () => lab.addressesOf(n1).includes(vip), 20000, 50);
  });
  after(() => cleanupLab(lab));

  void it('the isolated holder releases within deadtime, the two others take the VIP after it, never two holders', async () => {
    const [n1, n2, n3] = lab.nodes;
    assert.ok(n1 && n2 && n3);
    const startup = lab.log(n1);
    assert.match(startup, /quorum on: a partition needs 2 of the 3 nodes/);
    assert.match(lab.hbts(n1, ['status']), /quorum: yes: 3 of 3 nodes: a majority/);
    const watch = await VipWatch.start(lab, vip);
    await sleep(1000);
    const cutT = Date.now();
    lab.linkDown(n1, 'eth0');
    await waitUntil('node1 released the VIP', () => !lab.addressesOf(n1).includes(vip), 2 * DEADTIME_MS, 10);
    await waitUntil(
      'node2 or node3 holds the VIP',
      () => lab.addressesOf(n2).includes(vip) || lab.addressesOf(n3).includes(vip),
      3 * DEADTIME_MS,
      10,
    );
    const status = lab.hbts(n1, ['status']);
    assert.match(status, /quorum: NO \(releases everything, takes nothing\): 1 of 3 nodes: 2 needed/);
    await sleep(1000);
    lab.linkUp(n1, 'eth0');
    const healT = Date.now();
    await sleep(4000);
    const endT = Date.now();
    const released = watch.changesOf('node1', cutT).find((c) => !c.present);
    const taken = [...watch.changesOf('node2', cutT), ...watch.changesOf('node3', cutT)].find(
      (c) => c.present,
    );
    assert.ok(released && taken, 'a release on node1 and an addition elsewhere were seen');
    const releaseMs = Math.round(released.t - cutT);
    const takeMs = Math.round(taken.t - cutT);
    const { samples, dual } = watch.sample(watch.startedAt, endT, 10);
    process.stdout.write(
      `quorum (3 nodes, keepalive 200ms, deadtime 2, warntime 1): VIP gone from the isolated node ${releaseMs} ms after the cut, ` +
        `added on the majority side ${takeMs} ms after it; ${samples} samples every 10 ms, ${dual.length} with two holders; ` +
        `exact overlap ${watch.overlapMs(watch.startedAt, endT).toFixed(1)} ms\n`,
    );
    assert.ok(releaseMs < DEADTIME_MS, `released ${releaseMs} ms after the cut, deadtime ${DEADTIME_MS}`);
    assert.ok(released.t < taken.t, 'released before the majority took it');
    assert.deepEqual(dual, []);
    assert.equal(watch.overlapMs(watch.startedAt, endT), 0);
    // Back in the cluster: it regains quorum and takes nothing (auto_failback off).
    assert.equal(watch.holdersAt(endT).length, 1);
    assert.ok(!watch.holds('node1', endT));
    assert.match(lab.log(n1), /quorum lost: 1 of 3 nodes: 2 needed/);
    assert.match(lab.log(n1), /quorum gained/);
    assert.ok(healT > cutT);
  });
});
