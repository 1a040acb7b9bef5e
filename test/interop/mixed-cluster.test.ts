// Mixed cluster: REAL Heartbeat 3.0.6 on node1, `hbts daemon` on node2, same config files.
// Group vip1 is homed on the real node (we are its standby), vip2 on ours (real Heartbeat is its
// standby), so every step exercises both directions. A client in its own namespace probes both
// VIPs over HTTP every 10 ms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep } from '../lab/lab.js';
import type { ProbeClient } from '../lab/lab.js';
import {
  VIP1,
  VIP2,
  cleanupMixed,
  createMixed,
  mixedSkipReason,
  oursRexmitRequests,
  oursStatus,
  oursViewOf,
  setLoss,
  poll,
  startMixed,
} from './mixed-setup.js';
import type { Mixed } from './mixed-setup.js';
import { SwitchCapture, rexmitOutcomes } from './capture.js';

const skip = mixedSkipReason();

void describe(
  'mixed cluster: real Heartbeat node1 + hbts node2 (sha1, bcast, auto_failback on)',
  { skip: skip ?? false },
  () => {
    let m: Mixed;
    let c1: ProbeClient | undefined;
    let c2: ProbeClient | undefined;

    before(async () => {
      m = createMixed();
      [c1, c2] = await startMixed(m);
    });
    after(async () => {
      await cleanupMixed(m, [c1, c2]);
    });

    void it('each side reports the other as up, and each home node serves its VIP', async () => {
      await poll(
        'cl_status nodestatus node2 = active on the real node',
        () => m.real.clStatus(['nodestatus', 'node2']) === 'active',
        30000,
      );
      await poll('hbts status: node1 active', () => oursViewOf(m, 'node1') === 'active', 10000);
      assert.ok(c1 && c2);
      await c1.waitFor('node1', 30000);
      await c2.waitFor('node2', 30000);
      assert.equal(m.real.clStatus(['rscstatus']), 'local');
      assert.equal(oursStatus(m)?.resourceHold, 'local');
    });

    void it('hb_standby on the real node hands its group to ours; hbts standby foreign hands it back', async () => {
      assert.ok(c1 && c2);
      const t = c1.nowT();
      const r = m.real.hbStandby('all');
      assert.equal(r.code, 0, r.stderr);
      await c1.waitFor('node2', 15000);
      await poll('real rscstatus none', () => m.real.clStatus(['rscstatus']) === 'none', 15000);
      assert.equal(c2.lastAnswer(), 'node2');
      process.stdout.write(`# hb_standby: vip1 outage ${c1.outageMs(t)} ms\n`);
      await sleep(2000);
      const t2 = c1.nowT();
      m.lab.hbts(m.ours, ['standby', 'foreign']);
      await c1.waitFor('node1', 15000);
      await poll('real rscstatus local', () => m.real.clStatus(['rscstatus']) === 'local', 15000);
      process.stdout.write(`# hbts standby foreign: vip1 outage ${c1.outageMs(t2)} ms\n`);
      assert.equal(c2.lastAnswer(), 'node2');
    });

    void it('hb_takeover on the real node takes both groups from ours; hb_standby foreign gives ours back', async () => {
      assert.ok(c1 && c2);
      await sleep(1500);
      const t = c2.nowT();
      assert.equal(m.real.hbTakeover('all').code, 0);
      await c2.waitFor('node1', 15000);
      await poll('real rscstatus all', () => m.real.clStatus(['rscstatus']) === 'all', 15000);
      process.stdout.write(`# hb_takeover: vip2 outage ${c2.outageMs(t)} ms\n`);
      assert.equal(c1.lastAnswer(), 'node1');
      await sleep(1500);
      assert.equal(m.real.hbStandby('foreign').code, 0);
      await c2.waitFor('node2', 15000);
      await poll('real rscstatus local', () => m.real.clStatus(['rscstatus']) === 'local', 15000);
      assert.equal(c1.lastAnswer(), 'node1');
    });

    void it('crash of our node: the real node takes over vip2; our restarted node gets it back', async () => {
      assert.ok(c1 && c2);
      await sleep(2000);
      const t = c2.nowT();
      m.lab.kill(m.ours.daemon, 'SIGKILL');
      await m.lab.waitExit(m.ours.daemon, 5000);
      // a crashed host loses its addresses too: remove the VIP our dead node left configured
      m.lab.exec(m.ours.ns, 'ip', ['addr', 'del', `${VIP2}/24`, 'dev', 'eth0'], true);
      await c2.waitFor('node1', 20000);
      process.stdout.write(`# crash of hbts node: vip2 outage ${c2.outageMs(t)} ms\n`);
      await poll(
        'cl_status nodestatus node2 = dead',
        () => m.real.clStatus(['nodestatus', 'node2']) === 'dead',
        5000,
      );
      m.lab.startDaemon(m.ours);
      await c2.waitFor('node2', 30000);
      await poll(
        'real node sees node2 active',
        () => m.real.clStatus(['nodestatus', 'node2']) === 'active',
        10000,
      );
      assert.equal(c1.lastAnswer(), 'node1');
    });

    void it('crash of the real node: ours takes over vip1; the restarted real node gets it back', async () => {
      assert.ok(c1 && c2);
      await sleep(2000);
      const t = c1.nowT();
      m.real.crash();
      m.lab.exec(m.realNode.ns, 'ip', ['addr', 'del', `${VIP1}/24`, 'dev', 'eth0'], true);
      await c1.waitFor('node2', 20000);
      process.stdout.write(`# crash of real node: vip1 outage ${c1.outageMs(t)} ms\n`);
      await poll('hbts status: node1 dead', () => oursViewOf(m, 'node1') === 'dead', 5000);
      await m.real.start();
      await c1.waitFor('node1', 40000);
      assert.equal(c2.lastAnswer(), 'node2');
    });

    void it('10% loss both ways for 20 s: retransmit requests from either side are answered, no false death', async () => {
      assert.ok(c1 && c2);
      await sleep(2000);
      const realLogBefore = m.real.log().length;
      const cap = new SwitchCapture(m.lab, 'loss');
      await sleep(500);
      setLoss(m, m.realNode, 10);
      setLoss(m, m.ours, 10);
      // 20 s, extended (up to 40 s) until both sides have seen a gap: at 10 % loss a run without
      // any lost heartbeat in one direction is unlikely but possible.
      const start = Date.now();
      const requestsSent = (): number => oursRexmitRequests(m);
      const before = requestsSent();
      const bothLost = (): boolean =>
        requestsSent() > before && /lost packet\(s\) for \[node2\]/.test(m.real.log().slice(realLogBefore));
      while (Date.now() < start + 20000 || (!bothLost() && Date.now() < start + 40000)) {
        assert.notEqual(m.real.clStatus(['nodestatus', 'node2']), 'dead', 'real node declared ours dead');
        assert.notEqual(oursViewOf(m, 'node1'), 'dead', 'our node declared the real one dead');
        await sleep(1000);
      }
      setLoss(m, m.realNode, undefined);
      setLoss(m, m.ours, undefined);
      await sleep(3000);
      const wire = await cap.stop();
      const realLog = m.real.log().slice(realLogBefore);
      assert.doesNotMatch(realLog, /node node2: is dead/);
      const ourRequests = rexmitOutcomes(wire, 'node2', 'node1');
      const realRequests = rexmitOutcomes(wire, 'node1', 'node2');
      const fmt = (xs: { seq: number; answered: boolean }[]): string =>
        `${xs.filter((x) => x.answered).length}/${xs.length} answered`;
      process.stdout.write(
        `# 10% loss, 20 s: ${wire.length} datagrams; requests from hbts to Heartbeat ${fmt(ourRequests)}, ` +
          `from Heartbeat to hbts ${fmt(realRequests)}\n`,
      );
      assert.ok(ourRequests.length > 0, 'our node asked for retransmissions');
      assert.ok(realRequests.length > 0, 'the real node asked for retransmissions');
      assert.deepEqual(
        ourRequests.filter((x) => !x.answered),
        [],
        'real Heartbeat answered every request of ours',
      );
      assert.deepEqual(
        realRequests.filter((x) => !x.answered),
        [],
        'we answered every request of real Heartbeat',
      );
      assert.match(realLog, /No pkts missing from node2/, 'the real node saw its gaps filled');
      assert.equal(c1.lastAnswer(), 'node1');
      assert.equal(c2.lastAnswer(), 'node2');
    });

    void it('graceful stop of our node: the real node takes vip2 at once (shutdone); restart gets it back', async () => {
      assert.ok(c1 && c2);
      await sleep(1000);
      const t = c2.nowT();
      m.lab.kill(m.ours.daemon, 'SIGTERM');
      await c2.waitFor('node1', 10000);
      assert.equal(await m.lab.waitExit(m.ours.daemon, 15000), 0, 'hbts exits 0 after a graceful stop');
      const outage = c2.outageMs(t);
      process.stdout.write(`# graceful stop of hbts node: vip2 outage ${outage} ms\n`);
      assert.ok(outage < 3000, `outage ${outage} ms is shorter than deadtime (3 s): shutdone was honoured`);
      assert.match(m.real.log(), /Received shutdown notice from 'node2'/);
      m.lab.startDaemon(m.ours);
      await c2.waitFor('node2', 30000);
      assert.equal(c1.lastAnswer(), 'node1');
    });

    void it('graceful stop of the real node: ours takes vip1 at once (shutdone)', async () => {
      assert.ok(c1 && c2);
      const t = c1.nowT();
      await m.real.stop();
      await c1.waitFor('node2', 10000);
      const outage = c1.outageMs(t);
      process.stdout.write(`# graceful stop of real node: vip1 outage ${outage} ms\n`);
      assert.ok(outage < 3000, `outage ${outage} ms is shorter than deadtime (3 s): shutdone was honoured`);
      assert.match(m.lab.log(m.ours), /Received shutdown notice from 'node1'/);
      assert.equal(c2.lastAnswer(), 'node2');
    });
  },
);
