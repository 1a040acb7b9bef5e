// Mixed cluster in Heartbeat's default `auto_failback legacy` mode: no start-up negotiation, a
// returning home node asks for its group with `ip-request` and the holder answers
// `ip-request-resp` after releasing it. Real Heartbeat on node1, hbts on node2.
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
  oursViewOf,
  poll,
  startMixed,
} from './mixed-setup.js';
import type { Mixed } from './mixed-setup.js';

const skip = mixedSkipReason();

void describe('mixed cluster, auto_failback legacy (ip-request)', { skip: skip ?? false }, () => {
  let m: Mixed;
  let c1: ProbeClient | undefined;
  let c2: ProbeClient | undefined;
  before(async () => {
    m = createMixed({ tag: 'iopl', autoFailback: 'legacy' });
    [c1, c2] = await startMixed(m);
  });
  after(async () => {
    await cleanupMixed(m, [c1, c2]);
  });

  void it('both sides active, each home node serves its VIP', async () => {
    assert.ok(c1 && c2);
    await poll(
      'real node sees node2 active',
      () => m.real.clStatus(['nodestatus', 'node2']) === 'active',
      30000,
    );
    await poll('hbts sees node1 active', () => oursViewOf(m, 'node1') === 'active', 10000);
    await c1.waitFor('node1', 30000);
    await c2.waitFor('node2', 30000);
  });

  void it('crash of the real node: ours takes vip1; the restarted real node asks for it with ip-request', async () => {
    assert.ok(c1 && c2);
    await sleep(1000);
    m.real.crash();
    m.lab.exec(m.realNode.ns, 'ip', ['addr', 'del', `${VIP1}/24`, 'dev', 'eth0'], true);
    await c1.waitFor('node2', 20000);
    const logBefore = m.real.log().length;
    await m.real.start();
    await c1.waitFor('node1', 30000);
    assert.match(
      m.real.log().slice(logBefore),
      /received ip-request-resp hbtsvip::198\.18\.32\.201\/24 OK yes/,
    );
    assert.equal(c2.lastAnswer(), 'node2');
  });

  void it('crash of our node: real Heartbeat takes vip2; our restarted node gets it back with ip-request', async () => {
    assert.ok(c1 && c2);
    await sleep(1000);
    m.lab.kill(m.ours.daemon, 'SIGKILL');
    await m.lab.waitExit(m.ours.daemon, 5000);
    m.lab.exec(m.ours.ns, 'ip', ['addr', 'del', `${VIP2}/24`, 'dev', 'eth0'], true);
    await c2.waitFor('node1', 20000);
    const logBefore = m.real.log().length;
    m.lab.startDaemon(m.ours);
    await c2.waitFor('node2', 30000);
    await sleep(3000);
    assert.ok(
      !m.lab.addressesOf(m.realNode).includes(VIP2),
      'real Heartbeat released vip2 (no double ownership)',
    );
    assert.match(m.real.log().slice(logBefore), /ip-request/);
    assert.equal(c1.lastAnswer(), 'node1');
  });
});
