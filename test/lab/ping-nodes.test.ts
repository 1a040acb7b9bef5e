// Ping nodes and ipfail in real namespaces: 2 nodes, heartbeats on eth0, a ping node in a
// namespace of its own (198.18.26.250 on the same bridge), Heartbeat's own `respawn hacluster
// /usr/libexec/heartbeat/ipfail` line (Debian 12's path; the daemon refuses a path that is not there, as Heartbeat does) (the daemon does ipfail's job), keepalive 200ms, deadtime 1,
// deadping 1. node1 holds the VIP; nftables in node1's namespace drops its echo requests: the VIP
// moves to node2 (time printed). node1 reaches it again: nothing moves back (auto_failback off).
// Then the ping node's link goes down, so both lose it: nothing moves. The VIP is watched on both
// nodes at every change and sampled every 10 ms: never two holders. `hbts status` lists the ping node.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason, sh, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import type { LabNode } from './lab.js';
import { haCf } from './lab-config.js';
import { VipWatch } from './vip-watch.js';

const skip =
  labSkipReason() ??
  (spawnSync('nft', ['--version']).status !== 0
    ? 'the ping node lab test needs nftables (nft)'
    : undefined) ??
  (spawnSync('ping', ['-V']).status !== 0 ? 'the ping node lab test needs iputils-ping' : undefined);
const DEADPING_MS = 1000;

/** node's echo requests to the ping node dropped (nftables in its own namespace) or let through. */
function cutPing(lab: Lab, n: LabNode, cut: boolean): void {
  if (cut) {
    lab.exec(n.ns, 'nft', ['add', 'table', 'inet', 'hbtsping']);
    lab.exec(n.ns, 'nft', [
      'add',
      'chain',
      'inet',
      'hbtsping',
      'out',
      '{ type filter hook output priority 0 ; }',
    ]);
    lab.exec(n.ns, 'nft', [
      'add',
      'rule',
      'inet',
      'hbtsping',
      'out',
      'ip',
      'daddr',
      lab.pingTargetAddr,
      'icmp',
      'type',
      'echo-request',
      'drop',
    ]);
  } else lab.exec(n.ns, 'nft', ['delete', 'table', 'inet', 'hbtsping']);
}

function pingNodeCounts(lab: Lab, n: LabNode): boolean {
  const row = lab
    .hbts(n, ['status'])
    .split('\n')
    .find((l) => l.startsWith(lab.pingTargetAddr));
  return row !== undefined && /\bup +yes\b/.test(row);
}

void describe(
  'ping nodes: ipfail moves the VIP to the node that still reaches the ping node',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    const vip = '198.18.26.200';
    before(async () => {
      lab = Lab.create({ nodes: 2, tag: 'ping', net: 26, pingTarget: true });
      lab.writeConfig({
        haCf: haCf(lab, {
          media: ['bcast eth0'],
          keepalive: '200ms',
          deadtime: '1',
          initdead: '3',
          autoFailback: 'off',
          extra: [
            `ping ${lab.pingTargetAddr}`,
            'deadping 1',
            'respawn hacluster /usr/libexec/heartbeat/ipfail',
          ],
        }),
        haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
      });
      startAllNodes(lab);
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await waitUntil('node1 holds the VIP', () => lab.addressesOf(n1).includes(vip), 20000, 50);
      await waitUntil(
        'both count the ping node',
        () => pingNodeCounts(lab, n1) && pingNodeCounts(lab, n2),
        10000,
        200,
      );
    });
    after(() => cleanupLab(lab));

    void it('lost by the active node only: the VIP moves; lost by both: nothing moves; never two holders', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      const status = lab.hbts(n2, ['status']);
      assert.match(status, /PING NODE +STATUS +COUNTS +LAST ANSWER +REACHED BY/);
      assert.match(
        status,
        new RegExp(`${lab.pingTargetAddr.replaceAll('.', '\\.')} +up +yes +\\d+ ms ago +node1,node2`),
      );
      const watch = await VipWatch.start(lab, vip);
      const cutT = Date.now();
      cutPing(lab, n1, true);
      await waitUntil('node2 holds the VIP', () => lab.addressesOf(n2).includes(vip), 5 * DEADPING_MS, 10);
      const movedMs = Math.round(
        (watch.changesOf('node2', cutT).find((c) => c.present)?.t ?? Date.now()) - cutT,
      );
      const goneMs = Math.round(
        (watch.changesOf('node1', cutT).find((c) => !c.present)?.t ?? Date.now()) - cutT,
      );
      assert.match(lab.log(n1), /ping node 198\.18\.26\.250: is dead/);
      // node1 reaches it again: counts after deadping of answers, and the VIP stays (auto_failback off).
      cutPing(lab, n1, false);
      await waitUntil(
        'node1 counts the ping node again',
        () => pingNodeCounts(lab, n1),
        5 * DEADPING_MS,
        200,
      );
      await sleep(1500);
      assert.ok(lab.addressesOf(n2).includes(vip) && !lab.addressesOf(n1).includes(vip));
      // Both lose it: the ping node's own link goes down. Nothing moves.
      const bothT = Date.now();
      sh('ip', ['-n', lab.sw, 'link', 'set', 'pte0', 'down']);
      await waitUntil(
        'both see the ping node dead',
        () => /ping node 198\.18\.26\.250: is dead/.test(lab.log(n2)),
        4 * DEADPING_MS,
        50,
      );
      await sleep(3000);
      const endT = Date.now();
      assert.deepEqual(watch.changesOf('node1', bothT), [], 'node1: no VIP change after both lost it');
      assert.deepEqual(watch.changesOf('node2', bothT), [], 'node2: no VIP change after both lost it');
      assert.match(
        lab.hbts(n2, ['status']),
        new RegExp(`${lab.pingTargetAddr.replaceAll('.', '\\.')} +dead +no`),
      );
      const { samples, dual } = watch.sample(watch.startedAt, endT, 10);
      process.stdout.write(
        `ping nodes (2 nodes, keepalive 200ms, deadping 1): the active node lost the ping node: VIP gone there ${goneMs} ms ` +
          `and up on the standby ${movedMs} ms after the cut; both lost it: no VIP change in ${Math.round((endT - bothT) / 1000)} s; ` +
          `${samples} samples every 10 ms, ${dual.length} with two holders\n`,
      );
      assert.deepEqual(dual, []);
      assert.equal(watch.overlapMs(watch.startedAt, endT), 0);
      assert.ok(movedMs >= DEADPING_MS, `moved ${movedMs} ms after the cut: not before deadping`);
      // Heartbeat's ipfail line is done by the daemon: no "not acted on" news about it.
      assert.doesNotMatch(lab.log(n1), /'respawn' is parsed, not acted on/);
    });
  },
);
