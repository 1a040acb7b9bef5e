// Active/active: one group per node; a group whose start fails on its home node moves to the peer;
// a crashed node's group is taken by the survivor, which then serves every VIP.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { Lab, labSkipReason, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import { failingStartOn, haCf } from './lab-config.js';

const skip = labSkipReason();

void describe('active/active and a failing resource (2 nodes)', { skip: skip ?? false }, () => {
  let lab: Lab;
  const vip1 = '198.18.16.221';
  const vip2 = '198.18.16.222';
  const vip3 = '198.18.16.223';
  let c1: ProbeClient;
  let c2: ProbeClient;
  let c3: ProbeClient;
  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'aa' });
    lab.writeConfig({
      haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on' }),
      haresources: [
        `node1 IPaddr2::${vip1}/24/eth0`,
        `node2 IPaddr2::${vip2}/24/eth0`,
        // homed on node1, but its script cannot start there
        `node1 IPaddr2::${vip3}/24/eth0 flaky`,
        '',
      ].join('\n'),
      scripts: { 'resource.d/flaky': failingStartOn('node1') },
    });
    startAllNodes(lab);
    c1 = lab.startClient(vip1);
    c2 = lab.startClient(vip2);
    c3 = lab.startClient(vip3);
    await c1.waitFor('node1', 15000);
    await c2.waitFor('node2', 15000);
  });
  after(() => cleanupLab(lab));

  void it('runs each group on its home node', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    // auto_failback on: whatever start-up placement did, each group ends on its home node
    await waitUntil(
      'each VIP on its home node only',
      () =>
        lab.addressesOf(n1).includes(vip1) &&
        !lab.addressesOf(n1).includes(vip2) &&
        lab.addressesOf(n2).includes(vip2) &&
        !lab.addressesOf(n2).includes(vip1),
      10000,
    );
    assert.ok(lab.addressesOf(n1).includes(vip1) && !lab.addressesOf(n1).includes(vip2));
    assert.ok(lab.addressesOf(n2).includes(vip2) && !lab.addressesOf(n2).includes(vip1));
  });

  void it('a resource whose start fails: the group is released on node1 and node2 takes it', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    await c3.waitFor('node2', 15000);
    assert.ok(!lab.addressesOf(n1).includes(vip3), 'node1 rolled the VIP back after flaky failed');
    assert.ok(lab.addressesOf(n2).includes(vip3));
    await waitUntil(
      'flaky running on node2',
      () => existsSync(join(lab.dir, 'node2', 'flaky.running')),
      5000,
    );
    assert.match(lab.log(n1), /acquire failed group=.*198\.18\.16\.223/);
    const s = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
      cluster: { groups: { id: string; owners: string[]; failedOn: string[] }[] };
    };
    const g = s.cluster.groups.find((x) => x.id.includes(vip3));
    assert.deepEqual(g?.owners, ['node2']);
    assert.deepEqual(g?.failedOn, ['node1']);
  });

  void it('crash of node1: the survivor serves both VIPs', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    await sleep(300);
    const t = c1.nowT();
    lab.kill(n1.daemon, 'SIGKILL');
    lab.linkDown(n1);
    await c1.waitFor('node2', 10000);
    const outage = await c1.settledOutageMs(t);
    process.stdout.write(`# active/active crash: VIP1 client-visible outage ${outage} ms\n`);
    await waitUntil(
      'node2 holding every VIP',
      () => [vip1, vip2, vip3].every((v) => lab.addressesOf(n2).includes(v)),
      5000,
    );
    assert.equal(await c2.settledOutageMs(t), 0, 'node2’s own VIP never stopped answering');
    assert.equal(c2.lastAnswer(), 'node2');
    assert.equal(c3.lastAnswer(), 'node2');
    assert.ok(outage < 2500, `outage ${outage} ms`);
  });
});
