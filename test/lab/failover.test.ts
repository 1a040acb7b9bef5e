// Failover in real network namespaces: graceful stop and crash of the active node, with a client
// probing the VIP every 10 ms; the client-visible outage is measured and printed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason } from './lab.js';
import { haCf } from './lab-config.js';

const skip = labSkipReason();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

void describe('failover (2 nodes, keepalive 200ms, deadtime 1s)', { skip: skip ?? false }, () => {
  let lab: Lab;
  const vip = '198.18.16.200';
  before(() => {
    lab = Lab.create({ nodes: 2, tag: 'fo' });
  });
  after(async () => {
    if (process.env['HBTS_LAB_DEBUG'])
      for (const n of lab.nodes) process.stdout.write(`--- ${n.name}\n${lab.log(n)}`);
    await lab.cleanup();
  });

  void it('graceful stop of the active node: the other node answers on the VIP, outage < 1 s', async () => {
    lab.writeConfig({
      haCf: haCf(lab, { media: ['bcast eth0'] }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    for (const n of lab.nodes) {
      lab.startHttp(n);
      lab.startDaemon(n);
    }
    const client = lab.startClient(vip);
    await client.waitFor('node1', 15000);
    await sleep(500);
    const t = client.nowT();
    lab.kill(n1.daemon, 'SIGTERM');
    await client.waitFor('node2', 10000);
    const code = await lab.waitExit(n1.daemon, 10000);
    await sleep(300);
    const outage = client.outageMs(t);
    process.stdout.write(`# graceful stop: client-visible outage ${outage} ms\n`);
    assert.equal(code, 0, 'the stopped daemon exits 0');
    assert.ok(outage < 1000, `outage ${outage} ms`);
    assert.ok(!lab.addressesOf(n1).includes(vip), 'the VIP left node1');
    assert.ok(lab.addressesOf(n2).includes(vip), 'the VIP is on node2');
    client.child.kill();
  });
});
