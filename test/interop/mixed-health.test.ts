// Mixed cluster with health checks on our node only: REAL Heartbeat 3.0.6 on node1, `hbts daemon`
// on node2, the same ha.cf (our `monitor` lines are in hbts.cf, which real Heartbeat never reads).
// The cluster forms as usual; vip2's service breaks on our node: restarted in place, then handed
// to the real node through Heartbeat's own standby handshake; after `hbts cleanup` and a crash of
// the real node, ours takes both groups and checks them. The real node never logs an error.
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sleep } from '../lab/lab.js';
import type { ProbeClient } from '../lab/lab.js';
import {
  VIP1,
  VIP2,
  cleanupMixed,
  createMixed,
  mixedSkipReason,
  oursStatus,
  oursViewOf,
  poll,
  startMixed,
} from './mixed-setup.js';
import type { Mixed } from './mixed-setup.js';

const skip = mixedSkipReason();

void describe(
  'mixed cluster with health checks on the hbts node (real Heartbeat node1 + hbts node2)',
  { skip: skip ?? false },
  () => {
    let m: Mixed;
    let c1: ProbeClient | undefined;
    let c2: ProbeClient | undefined;
    let broken = '';

    before(async () => {
      m = createMixed({ tag: 'iph' });
      const dir = m.ours.configDir;
      broken = join(dir, 'svc-broken');
      writeFileSync(join(dir, 'check-svc'), `#!/bin/sh\n[ -e "${broken}" ] && exit 1\nexit 0\n`);
      chmodSync(join(dir, 'check-svc'), 0o755);
      writeFileSync(
        join(dir, 'hbts.cf'),
        [
          `monitor hbtsvip::${VIP2}/24 interval=300ms timeout=1 exec ${join(dir, 'check-svc')}`,
          `monitor hbtsvip::${VIP1}/24 interval=300ms timeout=1 status`,
          `monitor_policy hbtsvip::${VIP2}/24 restarts=1 window=60 migration_threshold=3`,
          '',
        ].join('\n'),
      );
      [c1, c2] = await startMixed(m);
    });
    after(async () => {
      await cleanupMixed(m, [c1, c2]);
    });

    void it('the cluster forms: each side sees the other active, each home node serves its VIP', async () => {
      await poll(
        'real node sees node2 active',
        () => m.real.clStatus(['nodestatus', 'node2']) === 'active',
        30000,
      );
      await poll('hbts sees node1 active', () => oursViewOf(m, 'node1') === 'active', 10000);
      assert.ok(c1 && c2);
      await c1.waitFor('node1', 30000);
      await c2.waitFor('node2', 30000);
      assert.doesNotMatch(
        m.lab.log(m.ours),
        /heartbeat-ts extension/,
        'ha.cf holds no extension: nothing to warn about',
      );
    });

    void it("vip2's service breaks on our node: restarted in place, then handed to the real node", async () => {
      assert.ok(c1 && c2);
      await sleep(1000);
      const t = c2.nowT();
      writeFileSync(broken, '');
      await c2.waitFor('node1', 20000);
      await poll('real rscstatus all', () => m.real.clStatus(['rscstatus']) === 'all', 15000);
      await sleep(500);
      const outage = await c2.settledOutageMs(t);
      process.stdout.write(
        `# mixed: vip2's check fails on hbts (restart, then move): real Heartbeat took it, vip2 outage ${outage} ms\n`,
      );
      const log = m.lab.log(m.ours);
      assert.match(log, /restarted group=hbtsvip::198\.18\.32\.202/);
      assert.match(log, /migrate group=hbtsvip::198\.18\.32\.202.*giving it up to node1/);
      const g = oursStatus(m)?.groups.find((x) => x.id === `hbtsvip::${VIP2}/24`);
      assert.deepEqual(g?.owners, ['node1']);
      assert.equal(c1.lastAnswer(), 'node1');
      // (its start-up "Cannot lock ourselves into memory" is the namespace's mlock limit, not us)
      const errors = m.real
        .log()
        .split('\n')
        .filter((l) => /ERROR|CRIT/.test(l) && !/Cannot lock ourselves into memory/.test(l));
      assert.deepEqual(errors, [], 'the real node logged no error');
    });

    void it('after hbts cleanup, a crash of the real node: ours takes both groups over and checks them', async () => {
      assert.ok(c1 && c2);
      rmSync(broken, { force: true });
      assert.match(m.lab.hbts(m.ours, ['cleanup', `hbtsvip::${VIP2}/24`]), /cleanup of .* requested/);
      await sleep(2000);
      const t = c1.nowT();
      m.real.crash();
      m.lab.exec(m.realNode.ns, 'ip', ['addr', 'del', `${VIP1}/24`, 'dev', 'eth0'], true);
      m.lab.exec(m.realNode.ns, 'ip', ['addr', 'del', `${VIP2}/24`, 'dev', 'eth0'], true);
      await c1.waitFor('node2', 20000);
      await c2.waitFor('node2', 20000);
      process.stdout.write(
        `# mixed: crash of the real node with monitoring on ours: vip1 outage ${c1.outageMs(t)} ms, vip2 outage ${c2.outageMs(t)} ms\n`,
      );
      await sleep(1500);
      const st = oursStatus(m) as unknown as {
        groups: { id: string; health?: { resources: { state: string }[] } }[];
      };
      for (const g of st.groups)
        assert.deepEqual(
          g.health?.resources.map((r) => r.state),
          ['ok'],
          `${g.id} checked and healthy`,
        );
    });
  },
);
