// The resource agents against a real kernel: the built-in IPaddr2 adds and removes a VIP in a
// network namespace and its gratuitous ARP reaches a peer (captured with tcpdump, and the peer's
// neighbour cache follows); Debian's OCF IPaddr2 and Dummy run through the OCF path.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ResourceGroup } from '../../src/config/resource-config.js';
import type { ClusterConfig, GroupId, NodeName } from '../../src/config/types.js';
import { createResourceRunner, type ResourceRunner } from '../../src/resources/index.js';
import { createResourceLab, labSkipReason, type ResourceLab } from './resources-netns.js';

const skip = labSkipReason();
const VIP = '198.18.40.10';
const OCF_VIP = '198.18.40.11';

function group(...raws: string[]): ResourceGroup {
  return {
    id: raws[0] as GroupId,
    homeNode: 'node1' as NodeName,
    resources: raws.map((raw) => {
      if (/^[0-9.]+(\/|$)/.test(raw)) return { raw, agent: 'IPaddr', args: [raw] };
      const [agent = '', ...args] = raw.split('::');
      return { raw, agent, args };
    }),
    at: { file: 'haresources', line: 1 },
  };
}

function config(dir: string): ClusterConfig {
  return {
    configDir: dir,
    nodes: ['node1' as NodeName],
    keepaliveMs: 200,
    deadtimeMs: 1000,
    warntimeMs: 500,
    initdeadMs: 2000,
    deadpingMs: 2000,
    udpPort: 694,
    baud: 19200,
    media: [],
    pingTargets: [],
    autoFailback: 'off',
    hopfudge: 1,
    maxRexmitDelayMs: 250,
    msgfmt: 'classic',
    autojoin: 'none',
    clusterName: 'linux-ha',
    logfile: undefined,
    debugfile: undefined,
    logfacility: undefined,
    debugLevel: 0,
    stonith: [],
    auth: { file: `${dir}/authkeys`, activeIndex: 1, keys: new Map() },
    resourceGroups: [],
    directives: new Map([['keepalive', ['200ms']]]),
  };
}

/** tcpdump on the peer's interface, ARP only. */
class Capture {
  private readonly proc: ChildProcess;
  private out = '';
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  constructor(lab: ResourceLab) {
    this.proc = spawn(
      'ip',
      ['netns', 'exec', lab.peerNs, 'tcpdump', '-l', '-n', '-e', '-i', lab.peerIf, 'arp'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.proc.stdout?.on('data', (c: Buffer) => (this.out += c.toString('utf8')));
    this.ready = new Promise((resolve, reject) => {
      let err = '';
      this.proc.stderr?.on('data', (c: Buffer) => {
        err += c.toString('utf8');
        if (err.includes('listening on')) resolve();
      });
      this.proc.once('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
  }
  started(): Promise<void> {
    return this.ready;
  }
  async stop(): Promise<string[]> {
    this.proc.kill('SIGINT');
    await this.exited;
    return this.out.split('\n').filter((l) => l.trim() !== '');
  }
  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Skips are per test (not per suite) so the runner counts them.
const opts = { skip: skip ?? false };
const ocfMissing = ['IPaddr2', 'Dummy'].some((a) => !existsSync(`/usr/lib/ocf/resource.d/heartbeat/${a}`));
const ocfOpts = {
  skip: skip ?? (ocfMissing ? 'needs Debian package resource-agents (OCF IPaddr2, Dummy)' : false),
};

void describe('resource agents in a network namespace', () => {
  let lab: ResourceLab;
  let runner: ResourceRunner;
  const logLines: string[] = [];
  before(() => {
    if (skip) return;
    lab = createResourceLab();
    runner = createResourceRunner({
      config: config(lab.dir),
      self: 'node1' as NodeName,
      initDir: `${lab.dir}/init.d`,
      ocfRoot: lab.ocfRoot,
      ipCommand: lab.ipCommand,
      arp: { command: lab.arpingCommand },
      env: { HA_RSCTMP: lab.dir },
      log: (line) => logLines.push(line),
      stopRetryDelayMs: 100,
    });
  });
  after(async () => {
    await runner?.close();
    lab?.teardown();
  });

  const addrs = (): string => lab.ip(lab.nodeNs, '-o', '-4', 'addr', 'show', 'dev', lab.nodeIf);
  const peerNeighbour = (ip: string): string => lab.ip(lab.peerNs, 'neigh', 'show', ip, 'dev', lab.peerIf);

  void it(
    'built-in IPaddr2: adds the VIP with a label, announces it, the peer follows; stop removes it',
    opts,
    async (t) => {
      // The peer still believes the VIP lives at some other machine's MAC (the old owner).
      lab.ip(
        lab.peerNs,
        'neigh',
        'replace',
        VIP,
        'lladdr',
        '02:00:5e:00:00:99',
        'dev',
        lab.peerIf,
        'nud',
        'stale',
      );
      const capture = new Capture(lab);
      t.after(() => capture.kill());
      await capture.started();

      const g = group(`IPaddr2::${VIP}`);
      const t0 = performance.now();
      const res = await runner.acquireGroup(g);
      const acquireMs = performance.now() - t0;
      assert.equal(res.ok, true, `${res.detail}\n${logLines.join('\n')}`);
      assert.match(
        addrs(),
        new RegExp(`inet ${VIP.replace(/\./g, '\\.')}/24 brd 198\\.18\\.40\\.255 .*${lab.nodeIf}:0`),
      );
      assert.ok(acquireMs < 1000, `acquire does not wait for the ARP frames (${Math.round(acquireMs)} ms)`);

      await sleep(1500); // 5 pairs over ~0.9 s
      const frames = await capture.stop();
      const requests = frames.filter(
        (l) => l.includes(`Request who-has ${VIP}`) && l.includes(`tell ${VIP}`),
      );
      const replies = frames.filter((l) => l.includes(`Reply ${VIP} is-at ${lab.nodeMac}`));
      assert.equal(requests.length, 5, frames.join('\n'));
      assert.equal(replies.length, 5, frames.join('\n'));
      assert.ok(
        frames.every((l) => l.includes(`${lab.nodeMac} > ff:ff:ff:ff:ff:ff`)),
        'broadcast from the node',
      );
      assert.match(peerNeighbour(VIP), new RegExp(`lladdr ${lab.nodeMac}`), 'the peer learnt the new MAC');
      const ping = spawnSync('ip', ['netns', 'exec', lab.peerNs, 'ping', '-c', '1', '-W', '1', VIP]);
      assert.equal(ping.status, 0, 'the VIP answers the peer');

      assert.equal((await runner.probeGroup(g)).state, 'all');
      const rel = await runner.releaseGroup(g);
      assert.equal(rel.ok, true, rel.detail);
      assert.doesNotMatch(addrs(), new RegExp(`inet ${VIP}/`));
      assert.equal((await runner.probeGroup(g)).state, 'none');
      assert.equal((await runner.releaseGroup(g)).ok, true, 'stop is idempotent');
    },
  );

  void it(
    'built-in IPaddr2: a VIP on a missing interface fails the start and the group is released',
    opts,
    async () => {
      const g = group(`IPaddr2::${VIP}/24/nosuchif0`);
      const res = await runner.acquireGroup(g);
      assert.equal(res.ok, false);
      assert.match(res.detail, /start of .* failed .*rc=1 stderr="Cannot find device .*nosuchif0/);
      assert.match(res.detail, /group released/);
    },
  );

  void it(
    "Debian's OCF IPaddr2 through ocf:heartbeat:IPaddr2 adds and removes the address",
    ocfOpts,
    async () => {
      const g = group(`ocf:heartbeat:IPaddr2::ip=${OCF_VIP}::cidr_netmask=24::nic=${lab.nodeIf}`);
      const res = await runner.acquireGroup(g);
      assert.equal(res.ok, true, `${res.detail}\n${logLines.slice(-5).join('\n')}`);
      assert.match(addrs(), new RegExp(`inet ${OCF_VIP.replace(/\./g, '\\.')}/24`));
      assert.equal((await runner.probeGroup(g)).state, 'all');
      const rel = await runner.releaseGroup(g);
      assert.equal(rel.ok, true, rel.detail);
      assert.doesNotMatch(addrs(), new RegExp(`inet ${OCF_VIP}/`));
      assert.equal((await runner.probeGroup(g)).state, 'none');
    },
  );

  void it(
    'a group of a VIP and an OCF Dummy service starts in order and stops in reverse',
    ocfOpts,
    async () => {
      const g = group(`${VIP}/24`, `ocf:heartbeat:Dummy::state=${lab.dir}/dummy.state`);
      const res = await runner.acquireGroup(g);
      assert.equal(res.ok, true, res.detail);
      assert.deepEqual(
        res.steps.filter((s) => s.op === 'start').map((s) => s.resource),
        [`${VIP}/24`, `ocf:heartbeat:Dummy::state=${lab.dir}/dummy.state`],
      );
      assert.equal((await runner.probeGroup(g)).state, 'all');
      const rel = await runner.releaseGroup(g);
      assert.equal(rel.ok, true, rel.detail);
      assert.deepEqual(
        rel.steps.filter((s) => s.op === 'stop').map((s) => s.resource),
        [`ocf:heartbeat:Dummy::state=${lab.dir}/dummy.state`, `${VIP}/24`],
      );
      assert.equal((await runner.probeGroup(g)).state, 'none');
    },
  );
});
