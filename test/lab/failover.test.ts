// Failover in real network namespaces, 2 nodes, keepalive 200ms / deadtime 1s, auto_failback on,
// one group (VIP via the built-in IPaddr2 + Debian's OCF Dummy agent through `OCF::Dummy::web`),
// a client probing the VIP every 10 ms. Client-visible outages are measured and printed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { Lab, labSkipReason, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';

const skip =
  labSkipReason() ??
  (existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy')
    ? undefined
    : 'resource-agents (OCF Dummy) not installed');

void describe(
  'failover: 2 nodes, keepalive 200ms, deadtime 1s, auto_failback on',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let client: ProbeClient;
    const vip = '198.18.16.200';
    const dummyState = (name: string): string => join(lab.dir, name, 'dummy.state');
    before(async () => {
      lab = Lab.create({ nodes: 2, tag: 'fo' });
      lab.writeConfig({
        haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on' }),
        haresources: `node1 IPaddr2::${vip}/24/eth0 OCF::Dummy::web\n`,
        // Heartbeat's OCF instance file: exported shell NAME=value lines
        scripts: { 'conf/OCF/Dummy/web': 'OCF_RESKEY_state=@DIR@/dummy.state\n' },
      });
      startAllNodes(lab);
      client = lab.startClient(vip);
      await client.waitFor('node1', 15000);
    });
    after(() => cleanupLab(lab));

    void it('starts the group on its home node, including the real OCF Dummy agent', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      // the VIP answers first; Dummy (second in the group) starts right after
      // auto_failback on: whatever start-up placement did, the group ends on node1 only
      await waitUntil(
        'Dummy running on node1 only',
        () =>
          existsSync(dummyState('node1')) &&
          !existsSync(dummyState('node2')) &&
          !lab.addressesOf(lab.nodes[1]!).includes(vip),
        10000,
      );
      assert.ok(lab.addressesOf(n1).includes(vip));
      assert.ok(!lab.addressesOf(n2).includes(vip));
      assert.ok(existsSync(dummyState('node1')), 'ocf:heartbeat:Dummy started on node1 (state file)');
      assert.ok(!existsSync(dummyState('node2')));
      const status = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
        cluster: { groups: { id: string; owners: string[] }[]; nodes: { name: string; status: string }[] };
      };
      assert.deepEqual(status.cluster.groups[0]?.owners, ['node1']);
      assert.deepEqual(
        status.cluster.nodes.map((n) => `${n.name}:${n.status}`),
        ['node1:active', 'node2:active'],
      );
    });

    void it('graceful stop of the active node: node2 answers on the VIP, outage < 1 s', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await sleep(300);
      const t = client.nowT();
      lab.kill(n1.daemon, 'SIGTERM');
      await client.waitFor('node2', 10000);
      const code = await lab.waitExit(n1.daemon, 10000);
      await sleep(300);
      const outage = await client.settledOutageMs(t);
      process.stdout.write(`# graceful stop (SIGTERM): client-visible outage ${outage} ms\n`);
      assert.equal(code, 0, 'the stopped daemon exits 0');
      assert.ok(outage < 1000, `outage ${outage} ms`);
      assert.ok(!lab.addressesOf(n1).includes(vip), 'the VIP left node1');
      assert.ok(lab.addressesOf(n2).includes(vip), 'the VIP is on node2');
      assert.ok(!existsSync(dummyState('node1')) && existsSync(dummyState('node2')), 'Dummy moved to node2');
      assert.match(lab.log(n2), /shutdown-notice node=node1/);
    });

    void it('auto_failback on: the group returns to node1 when it comes back', async () => {
      const [n1] = lab.nodes;
      assert.ok(n1);
      const t = client.nowT();
      lab.startDaemon(n1);
      await client.waitFor('node1', 15000);
      await sleep(300);
      const outage = await client.settledOutageMs(t);
      process.stdout.write(`# failback to the returning home node: client-visible outage ${outage} ms\n`);
      assert.ok(existsSync(dummyState('node1')) && !existsSync(dummyState('node2')));
      assert.ok(outage < 1000, `outage ${outage} ms`);
    });

    void it('crash (SIGKILL + link down at once): node2 takes over after deadtime', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await sleep(500);
      const t = client.nowT();
      lab.kill(n1.daemon, 'SIGKILL');
      lab.linkDown(n1);
      await client.waitFor('node2', 10000);
      const outage = await client.settledOutageMs(t);
      process.stdout.write(`# crash of the active node (deadtime 1 s): client-visible outage ${outage} ms\n`);
      assert.ok(outage >= 700, `takeover should wait for deadtime, outage ${outage} ms`);
      assert.ok(outage < 2500, `outage ${outage} ms`);
      assert.match(lab.log(n2), /peer-dead node=node1/);
      await lab.waitExit(n1.daemon, 2000);
    });

    void it('the crashed node returns with the VIP still configured: it adopts it, and one owner remains', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      // SIGKILL left the VIP on node1's eth0, like a real crashed heartbeat
      assert.ok(lab.addressesOf(n1).includes(vip));
      lab.linkUp(n1);
      lab.startDaemon(n1);
      await waitUntil(
        'exactly one node holding the VIP',
        () => lab.addressesOf(n1).includes(vip) !== lab.addressesOf(n2).includes(vip),
        15000,
      );
      await sleep(2500);
      const on1 = lab.addressesOf(n1).includes(vip);
      const on2 = lab.addressesOf(n2).includes(vip);
      assert.ok(on1 !== on2, `VIP on node1=${on1} node2=${on2}`);
      assert.match(lab.log(n1), /groups recorded as held by a previous run/);
      assert.ok(
        existsSync(dummyState('node1')) !== existsSync(dummyState('node2')),
        'Dummy runs on exactly one node',
      );
    });
  },
);
