// The lab harness itself: namespaces wired through the switch, HTTP per node, the probing client,
// and a VIP moved by hand with a gratuitous ARP (what the daemon automates).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason } from './lab.js';

const skip = labSkipReason();

void describe('lab harness', { skip: skip ?? false }, () => {
  let lab: Lab;
  before(() => {
    lab = Lab.create({ nodes: 2, secondNet: true, tag: 'hns' });
  });
  after(async () => {
    await lab.cleanup();
  });

  void it('connects nodes on both nets and the client on the service net', () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    lab.exec(n1.ns, 'ping', ['-c1', '-W1', n2.addr]);
    lab.exec(n1.ns, 'ping', ['-c1', '-W1', n2.addr2 ?? '']);
    lab.exec(lab.client, 'ping', ['-c1', '-W1', n1.addr]);
  });

  void it('follows a VIP moved by hand with a gratuitous ARP, and measures the outage', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const vip = `${lab.serviceNet}.200`;
    lab.startHttp(n1);
    lab.startHttp(n2);
    lab.exec(n1.ns, 'ip', ['addr', 'add', `${vip}/24`, 'dev', 'eth0']);
    const client = lab.startClient(vip);
    await client.waitFor('node1', 5000);
    const t = client.nowT();
    lab.exec(n1.ns, 'ip', ['addr', 'del', `${vip}/24`, 'dev', 'eth0']);
    lab.exec(n2.ns, 'ip', ['addr', 'add', `${vip}/24`, 'dev', 'eth0']);
    lab.exec(n2.ns, 'arping', ['-U', '-c', '1', '-I', 'eth0', vip], true);
    await client.waitFor('node2', 5000);
    const outage = await client.settledOutageMs(t);
    process.stdout.write(`# manual VIP move: client-visible outage ${outage} ms\n`);
    assert.deepEqual(
      client.answersSince(t - 500).filter((w) => w !== '-'),
      ['node1', 'node2'],
    );
    assert.ok(outage < 1000, `outage ${outage} ms`);
    assert.deepEqual(lab.addressesOf(n2), [n2.addr, vip]);
  });
});
