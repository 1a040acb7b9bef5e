// ha.cf autojoin with real daemons in namespaces: node1 and node2 list each other, node3 lists only
// itself (`autojoin any`, crm on: a membership-only cluster, as Heartbeat requires). node3 joins,
// node1 remembers it in its state dir, shows it as joined, sees it leave (dead, still a member) and,
// after its own restart, knows it again before hearing from it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, labSkipReason, waitUntil, cleanupLab } from './lab.js';
import type { LabNode } from './lab.js';

const skip = labSkipReason();

function haCf(nodes: readonly string[]): string {
  return [
    'keepalive 200ms',
    'deadtime 2',
    'warntime 1',
    'initdead 4',
    'bcast eth0',
    'auto_failback on',
    ...nodes.map((n) => `node ${n}`),
    'autojoin any',
    'crm on',
    '',
  ].join('\n');
}

interface NodeView {
  name: string;
  status: string;
  joined?: boolean;
}

function statusOf(lab: Lab, n: LabNode): { nodes: NodeView[]; joinedNodes?: string[] } | undefined {
  try {
    return (
      JSON.parse(lab.hbts(n, ['status', '--json'], true)) as {
        cluster: { nodes: NodeView[]; joinedNodes?: string[] };
      }
    ).cluster;
  } catch {
    return undefined;
  }
}

const viewOf = (lab: Lab, n: LabNode, name: string): NodeView | undefined =>
  statusOf(lab, n)?.nodes.find((x) => x.name === name);

void describe(
  'autojoin any: a node on no node line joins, is remembered, leaves and is known again',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    before(() => {
      lab = Lab.create({ nodes: 3, tag: 'aj', net: 38 });
      for (const n of lab.nodes) {
        lab.writeNodeConfig(n, {
          haCf: haCf(n.name === 'node3' ? ['node3'] : ['node1', 'node2']),
          haresources: '',
        });
      }
    });
    after(() => cleanupLab(lab));

    void it('joins, is remembered in the state dir, shown as joined, and known again after a restart', async () => {
      const [n1, n2, n3] = lab.nodes;
      assert.ok(n1 && n2 && n3);
      for (const n of lab.nodes) lab.startDaemon(n);
      await waitUntil(
        'node1 sees node3 active',
        () => viewOf(lab, n1, 'node3')?.status === 'active',
        20_000,
        200,
      );
      await waitUntil(
        'node3 sees node1 and node2 active',
        () => ['node1', 'node2'].every((x) => viewOf(lab, n3, x)?.status === 'active'),
        20_000,
        200,
      );
      const s1 = statusOf(lab, n1);
      assert.deepEqual(s1?.joinedNodes, ['node3']);
      assert.equal(viewOf(lab, n1, 'node3')?.joined, true);
      assert.equal(viewOf(lab, n1, 'node2')?.joined, undefined);
      assert.match(lab.hbts(n1, ['status']), /node3 \(joined\)\s+active/);
      const remembered = join(n1.stateDir, 'joined-nodes');
      assert.ok(existsSync(remembered));
      assert.match(readFileSync(remembered, 'utf8'), /^node3$/m);
      await waitUntil(
        '/node node3 joined the cluster (autojoin logged',
        () => /node node3 joined the cluster \(autojoin any\)/.test(lab.log(n1)),
        5000,
        100,
      );

      // node3 leaves gracefully: dead for node1, still a member
      lab.kill(n3.daemon, 'SIGTERM');
      await lab.waitExit(n3.daemon);
      await waitUntil(
        'node1 sees node3 dead',
        () => viewOf(lab, n1, 'node3')?.status === 'dead',
        10_000,
        200,
      );
      assert.deepEqual(statusOf(lab, n1)?.joinedNodes, ['node3']);

      // node1 restarts while node3 is away: node3 is a member from the start (remembered)
      lab.kill(n1.daemon, 'SIGTERM');
      await lab.waitExit(n1.daemon);
      lab.startDaemon(n1);
      await waitUntil('node1 answers again', () => statusOf(lab, n1) !== undefined, 15_000, 200);
      assert.equal(viewOf(lab, n1, 'node3')?.joined, true, 'remembered across the restart');
      await waitUntil(
        '/remembered joined nodes node3/ logged',
        () => /remembered joined nodes node3/.test(lab.log(n1)),
        5000,
        100,
      );

      // node3 comes back and is active again for node1
      lab.startDaemon(n3);
      await waitUntil(
        'node1 sees node3 back',
        () => viewOf(lab, n1, 'node3')?.status === 'active',
        20_000,
        200,
      );
    });
  },
);
