// The mcast medium between namespaces (multicast through the lab's bridge, TTL 1, loop off):
// the cluster forms over it alone and a graceful stop hands the VIP over.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { Lab, labSkipReason, startAllNodes, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';

const skip = labSkipReason();

void describe('mcast medium (2 nodes)', { skip: skip ?? false }, () => {
  let lab: Lab;
  let client: ProbeClient;
  const vip = '198.18.16.230';
  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'mc' });
    lab.writeConfig({
      haCf: haCf(lab, { media: ['mcast eth0 239.255.18.16 694 1 0'] }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    startAllNodes(lab);
    client = lab.startClient(vip);
    await client.waitFor('node1', 15000);
  });
  after(() => cleanupLab(lab));

  void it('forms the cluster over multicast and hands over on SIGTERM', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const s = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
      cluster: { nodes: { name: string; status: string; links: { medium: string; status: string }[] }[] };
    };
    const peer = s.cluster.nodes.find((n) => n.name === 'node1');
    assert.equal(peer?.status, 'active');
    assert.deepEqual(
      peer?.links.map((l) => `${l.medium}=${l.status}`),
      ['mcast:eth0:239.255.18.16:694=up'],
    );
    const t = client.nowT();
    lab.kill(n1.daemon, 'SIGTERM');
    await client.waitFor('node2', 10000);
    const outage = await client.settledOutageMs(t);
    process.stdout.write(`# graceful stop over mcast: client-visible outage ${outage} ms\n`);
    assert.ok(outage < 1000, `outage ${outage} ms`);
  });
});
