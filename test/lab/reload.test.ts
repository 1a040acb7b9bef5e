// Reload without restart on two real daemons (network namespaces): `hbts reload` on one node, then
// the other, applies a longer deadtime, a new group and a rotated auth key (the old key removed);
// the VIP of the unchanged group never moves (every address event on both nodes watched, sampled
// every 10 ms), no node is declared dead while the keys differ, and a broken ha.cf is refused with
// its file:line while the daemon keeps running the old configuration.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { LabNode } from './lab.js';
import { Lab, cleanupLab, hbtsMain, labSkipReason, sleep, waitUntil } from './lab.js';
import { haCf } from './lab-config.js';
import { VipWatch } from './vip-watch.js';

const skip = labSkipReason();
const VIP1 = '198.18.16.221';
const VIP2 = '198.18.16.222';
const OLD_KEYS = 'auth 1\n1 sha1 reload-lab-old-secret\n';
const NEW_KEYS = 'auth 2\n2 sha1 reload-lab-new-secret\n';

interface StatusJson {
  cluster: {
    configFingerprint: string;
    nodes: { name: string; self: boolean; status: string; deadtimeMs: number; configFingerprint?: string }[];
    groups: { id: string; owners: string[] }[];
  };
  endpoint: { rejected: Record<string, number> };
}

void describe('reload without restart (two nodes)', { skip: skip ?? false }, () => {
  let lab: Lab;
  let watch1: VipWatch;
  let watch2: VipWatch;
  let t0 = 0;

  const status = (n: LabNode): StatusJson => JSON.parse(lab.hbts(n, ['status', '--json'])) as StatusJson;
  const reload = (n: LabNode): { code: number | null; out: string; err: string } => {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', n.ns, process.execPath, hbtsMain, 'reload', '--run-dir', n.runDir],
      { encoding: 'utf8', timeout: 15000 },
    );
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'rl' });
    lab.writeConfig({
      haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on', deadtime: '1' }),
      haresources: `node1 IPaddr2::${VIP1}/24/eth0\n`,
      authkeys: OLD_KEYS,
    });
    watch1 = await VipWatch.start(lab, VIP1);
    watch2 = await VipWatch.start(lab, VIP2);
    for (const n of lab.nodes) lab.startDaemon(n);
    await waitUntil('VIP1 on node1 only', () => watch1.holdersAt(Date.now()).join() === 'node1', 20000);
    await sleep(1000);
    t0 = Date.now();
  });
  after(() => cleanupLab(lab)); // the address monitors are the lab's processes, stopped with it

  void it('hbts reload on each node: new deadtime, a new group, a rotated key; VIP1 never moves', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const rejectedBefore = status(n2).endpoint.rejected;
    const rejectedBefore1 = status(n1).endpoint.rejected;
    lab.writeConfig({
      haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on', deadtime: '2' }),
      haresources: `node1 IPaddr2::${VIP1}/24/eth0\nnode2 IPaddr2::${VIP2}/24/eth0\n`,
      authkeys: NEW_KEYS,
    });
    const r1 = reload(n1);
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /reload applied/);
    assert.match(r1.out, /deadtime 1000 ms -> 2000 ms/);
    assert.match(r1.out, new RegExp(`group added: IPaddr2::${VIP2.replaceAll('.', '\\.')}/24/eth0`));
    assert.match(r1.out, /auth keys changed/);
    // Node2 still has only the old key for these 300 ms: it rejects node1's packets, node1 accepts
    // node2's (the previous key stays accepted after a reload), nobody is dead within deadtime.
    await sleep(300);
    const r2 = reload(n2);
    assert.equal(r2.code, 0, r2.err);
    const rejectedAfter = status(n2).endpoint.rejected;
    const unknownKey = (rejectedAfter['unknown-key'] ?? 0) - (rejectedBefore['unknown-key'] ?? 0);
    process.stdout.write(`# node2 rejected ${unknownKey} packets signed with the key it did not have yet\n`);
    assert.ok(unknownKey > 0, 'node1 really signed with the new key before node2 reloaded');
    const rejected1 = status(n1).endpoint.rejected;
    const byNode1 = ['unknown-key', 'bad-auth'].map((k) => (rejected1[k] ?? 0) - (rejectedBefore1[k] ?? 0));
    assert.deepEqual(byNode1, [0, 0], "node1 accepted node2's packets signed with the previous key");

    await waitUntil('VIP2 on node2 (its home)', () => watch2.holdersAt(Date.now()).join() === 'node2', 15000);
    await waitUntil(
      'both nodes on the same configuration',
      () => {
        const s1 = status(n1).cluster;
        const s2 = status(n2).cluster;
        return s1.configFingerprint === s2.configFingerprint && s1.nodes.every((n) => n.status !== 'dead');
      },
      5000,
    );
    for (const n of [n1, n2]) {
      const peer = status(n).cluster.nodes.find((x) => !x.self);
      assert.equal(peer?.deadtimeMs, 2000, `${n.name} applies the new deadtime to its peer`);
      assert.equal(peer?.status, 'active');
    }
    await sleep(1000);
    const to = Date.now();
    const s = watch1.sample(t0, to);
    process.stdout.write(
      `# VIP1 sampled ${s.samples} times every 10 ms over ${to - t0} ms: dual ${s.dual.length}\n`,
    );
    assert.equal(s.dual.length, 0);
    assert.deepEqual(watch1.changesOf('node1', t0), [], 'VIP1 never left node1');
    assert.deepEqual(watch1.changesOf('node2', t0), [], 'VIP1 never appeared on node2');
    for (let t = t0; t < to; t += 10) assert.deepEqual(watch1.holdersAt(t), ['node1'], `at ${t - t0} ms`);
    for (const n of [n1, n2]) assert.doesNotMatch(lab.log(n), /is dead/, `${n.name} declared nobody dead`);
  });

  void it('a broken ha.cf is refused with its file:line and the old configuration keeps running', async () => {
    const n1 = lab.node('node1');
    const before = status(n1).cluster.configFingerprint;
    lab.writeNodeConfig(n1, {
      haCf: haCf(lab, { media: ['bcast eth0', 'bogus_directive 1'], deadtime: '3' }),
      haresources: `node1 IPaddr2::${VIP1}/24/eth0\n`,
      authkeys: NEW_KEYS,
    });
    const r = reload(n1);
    assert.equal(r.code, 1);
    assert.match(r.err, /reload refused, the running configuration keeps running/);
    assert.match(r.err, /ha\.cf:\d+/);
    process.stdout.write(`# refused: ${r.err.split('\n').slice(0, 3).join(' / ')}\n`);
    await sleep(500);
    assert.equal(n1.daemon?.exitCode, null, 'still running');
    const after = status(n1).cluster;
    assert.equal(after.configFingerprint, before, 'the old configuration runs on');
    assert.equal(after.nodes.find((x) => !x.self)?.deadtimeMs, 2000);
    assert.deepEqual(watch1.holdersAt(Date.now()), ['node1']);
  });
});
