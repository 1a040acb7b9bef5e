// The etcd lease arbiter end to end: real daemons in namespaces, a real etcd (Debian's
// etcd-server 3.4) on the lab's service net, the VIP watched on every node at every change
// (vip-watch.ts) and sampled every 10 ms, a client probing it. ttl=2 (release at 1 s without a
// keepalive answer), keepalive 200ms, deadtime 1s, heartbeats on eth1 only. Figures are printed.
//  - one member: 10 times all heartbeat links cut while etcd is reachable from both nodes: node1
//    keeps the VIP, node2 is refused the key; exactly one holder at every sample, client outage;
//  - the same lab: node1 cut from etcd only: it releases within ttl, node2 takes over once node1's
//    lease has expired, never two holders; `hbts status` shows the lease and the key holders;
//  - three members, each in its own namespace: one member killed, the lease lives on (no release),
//    then the heartbeat links cut: still exactly one holder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { Lab, labSkipReason, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';
import { cutFromEtcd, etcdSkipReason, follower, startEtcd, type EtcdMember } from './etcd.js';
import { VipWatch } from './vip-watch.js';

const RUNS = 10;
const TTL_MS = 2000;
const CUT_MS = 2500;
const HEAL_MS = 1500;
const skip = labSkipReason() ?? etcdSkipReason();

function config(lab: Lab, members: readonly EtcdMember[], vip: string): void {
  lab.writeConfig({
    haCf: haCf(lab, {
      media: ['bcast eth1'],
      keepalive: '200ms',
      deadtime: '1',
      warntime: '1',
      initdead: '2',
      autoFailback: 'on',
      extra: [`arbiter etcd ${members.map((m) => m.endpoint).join(',')} ttl=${TTL_MS / 1000}`],
    }),
    haresources: `node1 IPaddr2::${vip}/24/eth0 token\n`,
    scripts: { 'resource.d/token': tokenScript },
  });
}

/** A resource that writes the fencing token it was started and stopped with. */
const tokenScript = `#!/bin/sh
mkdir -p "@DIR@"
case "$1" in
  start|stop) echo "$1 \${HBTS_FENCING_TOKEN:-none}" >> "@DIR@/token.log"; exit 0 ;;
  status) echo stopped; exit 0 ;;
esac
exit 0
`;

/** The fencing tokens a node's token resource was started with, in order. */
function startTokens(lab: Lab, node: string): number[] {
  try {
    return readFileSync(join(lab.dir, node, 'token.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('start '))
      .map((l) => Number(l.split(' ')[1]));
  } catch {
    return [];
  }
}

/** Samples every 10 ms in [from, to): how many had no holder and how many had two or more. */
function sampleHolders(
  watch: VipWatch,
  from: number,
  to: number,
): { samples: number; none: number; dual: number } {
  let none = 0;
  let dual = 0;
  let samples = 0;
  for (let t = from; t < to; t += 10) {
    samples++;
    const n = watch.holdersAt(t).length;
    if (n === 0) none++;
    if (n > 1) dual++;
  }
  return { samples, none, dual };
}

const stats = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]} median ${s[Math.floor(s.length / 2)]} max ${s[s.length - 1]}`;
};

void describe('etcd arbiter, one etcd member, 2 nodes', { skip: skip ?? false }, () => {
  let lab: Lab;
  let client: ProbeClient;
  let watch: VipWatch;
  const vip = '198.18.40.200';

  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'arb', secondNet: true, net: 40 });
    const members = await startEtcd(lab, 1);
    config(lab, members, vip);
    watch = await VipWatch.start(lab, vip);
    startAllNodes(lab);
    client = lab.startClient(vip, 80, 50);
    await client.waitFor('node1', 20_000);
    await waitUntil('the VIP on node1 only', () => watch.holdersAt(Date.now()).join() === 'node1', 10_000);
  });
  after(() => cleanupLab(lab));

  void it(`all heartbeat links cut, etcd reachable from both: exactly one holder at every sample, ${RUNS} of ${RUNS} runs`, async () => {
    const n1 = lab.node('node1');
    const n2 = lab.node('node2');
    const outages: number[] = [];
    const from = Date.now();
    for (let run = 1; run <= RUNS; run++) {
      const deathsBefore = (lab.log(n2).match(/node node1: is dead/g) ?? []).length;
      const t0 = Date.now();
      lab.linkDown(n1, 'eth1');
      await sleep(CUT_MS);
      assert.equal(
        (lab.log(n2).match(/node node1: is dead/g) ?? []).length,
        deathsBefore + 1,
        `run ${run}: node2 declared node1 dead`,
      );
      lab.linkUp(n1, 'eth1');
      await sleep(HEAL_MS);
      outages.push(await client.settledOutageMs(t0));
      const s = sampleHolders(watch, t0, Date.now());
      assert.deepEqual(
        [s.none, s.dual],
        [0, 0],
        `run ${run}: ${s.samples} samples, none ${s.none}, two ${s.dual}`,
      );
      assert.equal(client.lastAnswer(), 'node1', `run ${run}: the VIP answers from node1`);
    }
    const s = sampleHolders(watch, from, Date.now());
    assert.match(
      lab.log(n2),
      /arbiter refused the key for IPaddr2::198\.18\.40\.200\/24\/eth0: held by node1/,
    );
    assert.equal(watch.changesOf('node2', from).length, 0, 'the VIP never appeared on node2');
    process.stdout.write(
      `arbiter links cut (ttl ${TTL_MS} ms): ${RUNS}/${RUNS} runs with exactly one holder, ${s.samples} samples of 10 ms, ` +
        `none ${s.none}, two ${s.dual}; client outage per run [ms] ${outages.join(' ')} (${stats(outages)})\n`,
    );
  });

  void it('active node cut from etcd only: it releases within ttl, the peer takes over, never two holders', async () => {
    const n1 = lab.node('node1');
    const n2 = lab.node('node2');
    const status1 = lab.hbts(n1, ['status']);
    assert.match(
      status1,
      /arbiter etcd 198\.18\.40\.150:2379 \(\/hbts\/linux-ha\): lease [0-9a-f]+, ttl 2 s, \d+ ms left/,
    );
    assert.match(status1, /IPaddr2::198\.18\.40\.200\/24\/eth0 +node1 +\d+/);
    const t0 = Date.now();
    cutFromEtcd(n1.ns, true);
    try {
      await waitUntil('node1 to release the VIP', () => !lab.addressesOf(n1).includes(vip), 2 * TTL_MS, 10);
      await waitUntil('node2 to hold the VIP', () => lab.addressesOf(n2).includes(vip), 4 * TTL_MS, 10);
      await sleep(500);
      const releasedAt = watch.changesOf('node1', t0).find((c) => !c.present)?.t ?? NaN;
      const takenAt = watch.changesOf('node2', t0).find((c) => c.present)?.t ?? NaN;
      const outage = await client.settledOutageMs(t0);
      const s = sampleHolders(watch, t0, Date.now());
      process.stdout.write(
        `arbiter node1 cut from etcd: released ${Math.round(releasedAt - t0)} ms after the cut (ttl ${TTL_MS}), ` +
          `node2 holds it ${Math.round(takenAt - t0)} ms after the cut, client outage ${outage} ms, ` +
          `${s.samples} samples, two holders in ${s.dual}\n`,
      );
      assert.ok(releasedAt - t0 <= TTL_MS, `released within ttl: ${Math.round(releasedAt - t0)} ms`);
      assert.ok(takenAt > releasedAt, 'node2 took it after node1 let it go');
      assert.equal(s.dual, 0, 'no sample with two holders');
      assert.match(lab.log(n1), /no keepalive answer from the arbiter within ttl\/2 \(1000 ms\)/);
      const status2 = lab.hbts(n2, ['status']);
      assert.match(status2, /IPaddr2::198\.18\.40\.200\/24\/eth0 +node2 +\d+/);
      assert.match(lab.hbts(n1, ['status']), /etcd NOT answering|NO LEASE/);
      const t1 = startTokens(lab, 'node1');
      const t2 = startTokens(lab, 'node2');
      process.stdout.write(
        `arbiter fencing tokens: node1 started with ${t1.join(',')}, node2 with ${t2.join(',')}\n`,
      );
      assert.ok(
        t1.length > 0 && t1.every((t) => t > 0),
        `node1's scripts saw HBTS_FENCING_TOKEN: ${t1.join(',')}`,
      );
      assert.ok((t2.at(-1) ?? 0) > Math.max(...t1), 'the new holder carries a larger fencing token');
    } finally {
      cutFromEtcd(n1.ns, false);
    }
    await waitUntil(
      'node1 to hold a lease again',
      () => (lab.log(n1).match(/held; groups may run here again/g) ?? []).length >= 2,
      10_000,
    );
    await sleep(1000);
    assert.deepEqual(watch.holdersAt(Date.now()), ['node2'], 'the VIP stays with node2 (it holds the key)');
  });
});

void describe('etcd arbiter, three etcd members in their own namespaces', { skip: skip ?? false }, () => {
  let lab: Lab;
  let members: EtcdMember[];
  let watch: VipWatch;
  const vip = '198.18.44.200';

  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'arc', secondNet: true, net: 44 });
    members = await startEtcd(lab, 3);
    config(lab, members, vip);
    watch = await VipWatch.start(lab, vip);
    startAllNodes(lab);
    await waitUntil('the VIP on node1 only', () => watch.holdersAt(Date.now()).join() === 'node1', 20_000);
  });
  after(() => cleanupLab(lab));

  void it('one member (a follower) killed: the lease lives on; then the links cut: exactly one holder', async () => {
    const n1 = lab.node('node1');
    const from = Date.now();
    // a follower: killing the leader starts an election, during which no keepalive is answered
    const first = follower(members);
    assert.ok(first.process?.pid !== undefined);
    lab.kill(first.process, 'SIGKILL');
    await sleep(3 * TTL_MS);
    assert.doesNotMatch(lab.log(n1), /no keepalive answer from the arbiter/, 'the lease never lapsed');
    lab.linkDown(n1, 'eth1');
    await sleep(CUT_MS);
    lab.linkUp(n1, 'eth1');
    await sleep(HEAL_MS);
    const s = sampleHolders(watch, from, Date.now());
    assert.deepEqual([s.none, s.dual], [0, 0], `${s.samples} samples`);
    assert.match(lab.log(lab.node('node2')), /arbiter refused the key .*: held by node1/);
    process.stdout.write(
      `arbiter 3-member etcd, one member killed, then links cut: ${s.samples} samples, none ${s.none}, two ${s.dual}\n`,
    );
  });
});
