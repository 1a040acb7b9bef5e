// Two heartbeat media (bcast on the service net, ucast on a second net): losing one is not a
// failure; and auto_failback off keeps the group where it is when the old primary returns.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { Lab, labSkipReason, sleep, waitUntil, startAllNodes, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';
import type { AuthConfig } from '../../src/config/auth-config.js';
import type { NodeName } from '../../src/config/types.js';
import { createEndpoint } from '../../src/protocol/create-endpoint.js';
import { str } from '../../src/protocol/message.js';

const skip = labSkipReason();

interface StatusJson {
  cluster: {
    nodes: { name: string; status: string; links: { medium: string; status: string }[] }[];
    groups: { id: string; owners: string[] }[];
  };
}

void describe('two media, auto_failback off', { skip: skip ?? false }, () => {
  let lab: Lab;
  let client: ProbeClient;
  const vip = '198.18.16.210';
  before(async () => {
    lab = Lab.create({ nodes: 2, secondNet: true, tag: 'mf' });
    // identical ha.cf everywhere: a ucast line per node (the one to ourselves is harmless)
    lab.writeConfig({
      haCf: haCf(lab, {
        media: ['bcast eth0', ...lab.nodes.map((n) => `ucast eth1 ${n.addr2 ?? ''}`)],
        autoFailback: 'off',
      }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    startAllNodes(lab);
    client = lab.startClient(vip);
    await waitUntil('the VIP to answer', () => client.lastAnswer() !== undefined, 15000);
    // Nodes started together: the core may place the group on whichever node finished start-up
    // first, and auto_failback off keeps it there. Make node1 the active node explicitly.
    if (client.lastAnswer() !== 'node1') {
      process.stdout.write(
        `# start-up placed the group on ${client.lastAnswer() ?? '?'}: hbts takeover on node1\n`,
      );
      lab.hbts(lab.node('node1'), ['takeover', 'all']);
    }
    await client.waitFor('node1', 15000);
  });
  after(() => cleanupLab(lab));

  const status = (name: string): StatusJson =>
    JSON.parse(lab.hbts(lab.node(name), ['status', '--json'])) as StatusJson;
  const linksOf = (s: StatusJson, peer: string): string[] =>
    (s.cluster.nodes.find((n) => n.name === peer)?.links ?? []).map((l) => `${l.medium}=${l.status}`).sort();

  void it('both links to the peer are up', async () => {
    await waitUntil(
      'both links up',
      () => linksOf(status('node2'), 'node1').every((l) => l.endsWith('=up')),
      5000,
    );
    assert.deepEqual(linksOf(status('node2'), 'node1'), [
      'bcast:eth0=up',
      `ucast:eth1:${lab.node('node1').addr2 ?? ''}=up`,
    ]);
  });

  void it('one of two media down: no failover, the dead medium shows in status, a warning is logged', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const t = client.nowT();
    lab.linkDown(n1, 'eth1');
    const ucast1 = `ucast:eth1:${n1.addr2 ?? ''}`;
    await waitUntil(
      'node2 to see the ucast link to node1 dead',
      () => linksOf(status('node2'), 'node1').includes(`${ucast1}=dead`),
      5000,
    );
    await sleep(1500); // well past deadtime: a wrong failover would have happened by now
    const s2 = status('node2');
    assert.deepEqual(linksOf(s2, 'node1'), ['bcast:eth0=up', `${ucast1}=dead`]);
    assert.equal(s2.cluster.nodes.find((n) => n.name === 'node1')?.status, 'active');
    assert.deepEqual(s2.cluster.groups[0]?.owners, ['node1']);
    assert.ok(lab.addressesOf(n1).includes(vip) && !lab.addressesOf(n2).includes(vip));
    assert.match(
      lab.log(n2),
      new RegExp(
        `warn: heartbeat medium lost, node still reachable node=node1 medium=${ucast1.replaceAll('.', '\\.')}`,
      ),
    );
    assert.equal(await client.settledOutageMs(t), 0, 'the client never noticed');
    const human = lab.hbts(n2, ['status']);
    assert.match(human, new RegExp(`${ucast1.replaceAll('.', '\\.')} dead`));
    lab.linkUp(n1, 'eth1');
    await waitUntil(
      'the ucast link back up',
      () => linksOf(status('node2'), 'node1').includes(`${ucast1}=up`),
      5000,
    );
  });

  void it('auto_failback off: after a failover the group stays on node2 when node1 returns', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    lab.kill(n1.daemon, 'SIGTERM');
    await client.waitFor('node2', 10000);
    await lab.waitExit(n1.daemon, 10000);
    lab.startDaemon(n1);
    await waitUntil(
      'node1 active again',
      () => status('node2').cluster.nodes.find((n) => n.name === 'node1')?.status === 'active',
      10000,
    );
    const t = client.nowT();
    await sleep(3000);
    assert.deepEqual(status('node1').cluster.groups[0]?.owners, ['node2']);
    assert.ok(lab.addressesOf(n2).includes(vip) && !lab.addressesOf(n1).includes(vip));
    assert.deepEqual(client.answersSince(t), ['node2']);
  });

  void it('hbts takeover on node1 moves the group back on request', async () => {
    const [n1] = lab.nodes;
    assert.ok(n1);
    const t = client.nowT();
    assert.match(lab.hbts(n1, ['takeover', 'all']), /takeover all requested/);
    await client.waitFor('node1', 10000);
    process.stdout.write(`# hbts takeover: client-visible outage ${await client.settledOutageMs(t)} ms\n`);
    assert.ok(lab.addressesOf(n1).includes(vip));
  });

  void it('hbts standby on node1 gives it to node2', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const t = client.nowT();
    assert.match(lab.hbts(n1, ['standby']), /standby all requested/);
    await client.waitFor('node2', 10000);
    process.stdout.write(`# hbts standby: client-visible outage ${await client.settledOutageMs(t)} ms\n`);
    assert.ok(lab.addressesOf(n2).includes(vip));
  });

  void it('bad packets (garbage, a forged signature) are counted and logged, never fatal', async () => {
    const n2 = lab.node('node2');
    // a status message from "node1" signed with the wrong secret
    const wrongKey: AuthConfig = {
      file: 'authkeys',
      activeIndex: 1,
      keys: new Map([[1, { index: 1, method: 'sha1', secret: 'not-the-secret' }]]),
    };
    const forger = createEndpoint({
      self: 'node1' as NodeName,
      uuid: new Uint8Array(16),
      generation: 1,
      auth: wrongKey,
      innerAuth: true,
      knownNodes: ['node1', 'node2'] as NodeName[],
      pingNodes: [],
      ttl: 3,
      maxRexmitDelayMs: 250,
      random: { next: () => 0.5 },
    });
    const forged = forger.send([str('t', 'status'), str('st', 'active')], 0, { wallMs: Date.now() });
    const script = `
      const s = require('node:dgram').createSocket('udp4');
      const forged = Buffer.from(process.argv[1], 'base64');
      let n = 0;
      const next = () => {
        if (n === 200) { s.send(forged, 694, process.argv[2], () => s.close()); return; }
        n++;
        s.send(require('node:crypto').randomBytes(1 + (n % 300)), 694, process.argv[2], next);
      };
      next();`;
    const before = (
      JSON.parse(lab.hbts(n2, ['status', '--json'])) as { endpoint: { rejected: Record<string, number> } }
    ).endpoint.rejected;
    lab.exec(lab.client, process.execPath, ['-e', script, Buffer.from(forged).toString('base64'), n2.addr]);
    await waitUntil(
      'the forged packet to be logged',
      () => /auth-rejected node=node1/.test(lab.log(n2)),
      5000,
    );
    const after = (
      JSON.parse(lab.hbts(n2, ['status', '--json'])) as { endpoint: { rejected: Record<string, number> } }
    ).endpoint.rejected;
    assert.ok((after['malformed'] ?? 0) - (before['malformed'] ?? 0) >= 150, JSON.stringify(after));
    assert.equal((after['bad-auth'] ?? 0) - (before['bad-auth'] ?? 0), 1);
    assert.equal(n2.daemon?.exitCode, null, 'still running');
    assert.equal(status('node2').cluster.nodes.find((n) => n.name === 'node1')?.status, 'active');
  });

  void it('SIGHUP with a broken ha.cf is rejected and the daemon keeps running', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    lab.writeNodeConfig(n2, {
      haCf: haCf(lab, { media: ['bcast eth0', 'bogus_directive 1'] }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    lab.kill(n2.daemon, 'SIGHUP');
    await waitUntil('the reload to be logged', () => /reload refused/.test(lab.log(n2)), 5000);
    assert.match(lab.log(n2), /reload refused, the running configuration keeps running.*ha\.cf:\d+/);
    await sleep(300);
    assert.equal(n2.daemon?.exitCode, null, 'still running');
    assert.equal(status('node2').cluster.nodes.find((n) => n.name === 'node1')?.status, 'active');
  });

  void it('SIGHUP with a valid ha.cf applies new logging targets at once', async () => {
    const n2 = lab.node('node2');
    const logfile = join(lab.dir, 'node2-ha-log');
    lab.writeNodeConfig(n2, {
      haCf: haCf(lab, {
        media: ['bcast eth0', ...lab.nodes.map((n) => `ucast eth1 ${n.addr2 ?? ''}`)],
        autoFailback: 'off',
        extra: [`logfile ${logfile}`],
      }),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    lab.kill(n2.daemon, 'SIGHUP');
    await waitUntil(
      'the new logfile',
      () => existsSync(logfile) && /reload applied/.test(readFileSync(logfile, 'utf8')),
      5000,
    );
    assert.match(readFileSync(logfile, 'utf8'), /node2 hbts\[\d+\]: info: reload applied/);
    assert.equal(n2.daemon?.exitCode, null);
  });
});
