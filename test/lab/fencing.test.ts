// STONITH end to end in namespaces: 2 nodes, keepalive 200ms / deadtime 1s, heartbeats on a
// dedicated link only (`bcast eth1`; cutting it = lab.linkDown(node, 'eth1')), the VIP (built-in
// IPaddr2 on eth0) homed on node1, auto_failback on, a simulated BMC per node (OpenIPMI ipmi_sim
// on the management net, src/lab/ipmi-bmc.ts) whose power-off kills every process in the node,
// downs its links and removes its VIP, and real fence agents / cluster-glue run by the daemons.
// A client probes the VIP every 10 ms. VIP presence on every node is watched continuously: one
// `ip -tshort monitor address all-nsid` in the test's namespace (src/lab/address-watch.ts) hears
// every add and delete of the VIP in every node, in kernel order (a monitor inside a node would be
// killed by its power-off); "never two holders" is checked over that whole history, which is
// stronger than sampling every 10 ms, and the history is checked against `ip addr` after each run.
//   1. fence_ipmilan for both nodes (hbts.cf, password_file mode 600), groups VIP@node1 and
//      B@node2, heartbeat link cut: one group each, so the tie goes to the home of the first group,
//      node1, which fences node2 at once; node2 waits fence_delay (3 s) and is off before then.
//      Exactly one off in the BMC chassis logs; node1 starts B only after the fence succeeded.
//   2. VIP@node1, B@node2, C@node2 (node1 = fence_idrac, node2 = fence_ilo3): node2 runs more
//      groups, so the VIP holder node1 is the one fenced and node2 takes the VIP over after.
//   3. (lab of 1) node1 crashes (SIGKILL, links down) with its BMC stopped: the fence fails, is
//      retried with backoff, nothing is taken over, `hbts status` shows `retrying`, attempts and
//      the error; with the BMC back the next retry succeeds and the VIP moves.
//   4. Heartbeat's own `stonith_host * external/ipmi ...` lines (cluster-glue) in ha.cf: crash of
//      node1, whose VIP stays configured until node2's stonith powers it off; then node2 takes over.
//   5. (lab of 2) crash of node2, fenced with fence_ilo3 by node1, which takes B and C over.
// Each case runs twice; cut-to-fence, fence duration and client outage are printed per run.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AddressWatch } from '../../src/lab/address-watch.js';
import { bmcSkipReason, findProgram, startBmcs } from '../../src/lab/ipmi-bmc.js';
import type { IpmiBmc } from '../../src/lab/ipmi-bmc.js';
import { powerOn } from '../../src/lab/node-power.js';
import type { LabNode, ProbeClient } from './lab.js';
import { Lab, cleanupLab, sleep, waitUntil } from './lab.js';
import { haCf, markerScript } from './lab-config.js';

const RUNS = 2;
const FENCE_DELAY_MS = 3000;

const need = (...programs: string[]): string | undefined => {
  const missing = programs.find((p) => findProgram(p) === undefined);
  return missing === undefined
    ? undefined
    : `${missing} not installed (Debian fence-agents/ipmitool/cluster-glue)`;
};
const skipBase = bmcSkipReason() ?? need('ipmitool');

// ---------------------------------------------------------------------------------------------
// The lab of one case: BMCs, config, daemons, the client and the VIP watch.

interface Setup {
  readonly tag: string;
  readonly net: number;
  /** haresources lines (`node1 IPaddr2::VIP/24/eth0`, ...); VIP stands for the address. */
  readonly haresources: readonly string[];
  /** hbts.cf (our extensions) from the BMCs, or undefined for none. */
  readonly hbtsCf?: (bmcs: readonly IpmiBmc[]) => string;
  /** More ha.cf lines from the BMCs (stonith_host). */
  readonly haCfExtra?: (bmcs: readonly IpmiBmc[]) => string[];
}

class FenceLab {
  lab!: Lab;
  bmcs: IpmiBmc[] = [];
  client!: ProbeClient;
  watch!: AddressWatch;
  readonly vip: string;
  readonly groupNames: string[];

  constructor(readonly setup: Setup) {
    this.vip = `198.18.${setup.net}.200`;
    this.groupNames = setup.haresources.map((l) => l.split(/\s+/)[1] ?? '');
  }

  async start(): Promise<void> {
    const s = this.setup;
    this.lab = Lab.create({ nodes: 2, secondNet: true, mgmtNet: true, tag: s.tag, net: s.net });
    this.bmcs = await startBmcs(this.lab);
    const scripts: Record<string, string> = {};
    for (const g of this.groupNames) if (!g.startsWith('IPaddr2')) scripts[`resource.d/${g}`] = markerScript;
    this.lab.writeConfig({
      haCf: haCf(this.lab, {
        media: ['bcast eth1'],
        autoFailback: 'on',
        extra: s.haCfExtra?.(this.bmcs) ?? [],
      }),
      haresources: s.haresources.map((l) => `${l.replace('VIP', this.vip)}\n`).join(''),
      scripts,
    });
    for (const n of this.lab.nodes) {
      // stonith_host lines carry the BMC password: ha.cf readable by root only
      chmodSync(join(n.configDir, 'ha.cf'), 0o600);
      if (s.hbtsCf !== undefined) writeFileSync(join(n.configDir, 'hbts.cf'), s.hbtsCf(this.bmcs));
    }
    this.watch = await AddressWatch.start(this.lab, this.vip);
    for (const n of this.lab.nodes) this.boot(n);
    this.client = this.lab.startClient(this.vip, 80, 250);
    await this.client.waitFor('node1', 20000);
    await this.settled();
  }

  async cleanup(): Promise<void> {
    this.watch.stop();
    await cleanupLab(this.lab);
  }

  node(i: 1 | 2): LabNode {
    const n = this.lab.nodes[i - 1];
    assert.ok(n);
    return n;
  }

  bmc(i: 1 | 2): IpmiBmc {
    const b = this.bmcs[i - 1];
    assert.ok(b);
    return b;
  }

  /** Where a marker group runs (its `<group>.running` file in the node's dir). */
  runs(n: LabNode, group: string): boolean {
    return existsSync(join(this.lab.dir, n.name, `${group}.running`));
  }

  /**
   * A node as after a boot: power on if it was off (links up), its run-time marker files gone
   * (they stand for processes, which a power-off ended), HTTP server and daemon started.
   */
  boot(n: LabNode): void {
    const bmc = this.bmc(n.index as 1 | 2);
    if (bmc.powerState() === 'off') powerOn(bmc.power);
    this.lab.linkUp(n, 'eth0');
    this.lab.linkUp(n, 'eth1');
    const dir = join(this.lab.dir, n.name);
    if (existsSync(dir))
      for (const f of readdirSync(dir)) if (f.endsWith('.running')) rmSync(join(dir, f), { force: true });
    this.lab.startHttp(n);
    this.lab.startDaemon(n);
  }

  /** Crash: daemon SIGKILLed and every heartbeat/service link down; its VIP and server stay. */
  crash(n: LabNode): void {
    this.lab.kill(n.daemon, 'SIGKILL');
    this.lab.linkDown(n, 'eth0');
    this.lab.linkDown(n, 'eth1');
  }

  status(n: LabNode): DaemonStatusJson | undefined {
    const out = this.lab.hbts(n, ['status', '--json'], true);
    try {
      return JSON.parse(out) as DaemonStatusJson;
    } catch {
      return undefined;
    }
  }

  /** Both daemons up, every group on its home node only, nothing being fenced. */
  async settled(timeoutMs = 30000): Promise<void> {
    const homes = this.setup.haresources.map((l) => l.split(/\s+/)[0] ?? '');
    let last = '';
    await waitUntil(
      'the cluster settled: every group on its home node, no fencing',
      () => {
        const views = this.lab.nodes.map((n) => this.status(n));
        last = JSON.stringify(views.map((v) => [v?.cluster.groups, v?.cluster.fencing]));
        return views.every(
          (v) =>
            v !== undefined &&
            v.cluster.fencing.length === 0 &&
            v.cluster.nodes.every((x) => x.status === 'active') &&
            v.cluster.groups.every((g, i) => g.owners.join(',') === homes[i]),
        );
      },
      timeoutMs,
      300,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; last views: ${last}`);
    });
    await waitUntil('the VIP on node1 only', () => this.watch.holders().join(',') === 'node1', 10000);
    assert.ok(this.watch.agreesWithNodes(), 'the address watch agrees with ip addr');
  }

  /** Off calls the BMC got since the chassis log had `from` lines. */
  offsSince(bmc: IpmiBmc, from: number): string[] {
    return bmc
      .chassisLog()
      .slice(from)
      .filter((l) => l.includes('set power 0'));
  }

  /** No two holders of the VIP, over the whole watch so far. */
  assertNeverTwo(): void {
    const o = this.watch.overlaps();
    assert.deepEqual(
      o,
      [],
      `two holders: ${o.map((x) => `${x.holders.join('+')} ${x.fromT}..${x.toT}`).join('; ')}`,
    );
  }
}

interface DaemonStatusJson {
  cluster: {
    nodes: { name: string; status: string }[];
    groups: { id: string; owners: string[]; homeNode: string }[];
    fencing: {
      node: string;
      state: string;
      attempts: number;
      lastError: string | undefined;
      fencedBy: string | undefined;
    }[];
  };
}

// ---------------------------------------------------------------------------------------------
// The daemon log: `2026-11-25T14:31:32.165Z node2 hbts[28543]: warn: text key=value ...`

interface LogLine {
  readonly t: number;
  readonly text: string;
}

function logSince(lab: Lab, n: LabNode, sinceT: number): LogLine[] {
  return lab
    .log(n)
    .split('\n')
    .map((text) => ({ t: Date.parse(text.slice(0, 24)), text }))
    .filter((l) => !Number.isNaN(l.t) && l.t >= sinceT);
}

/** The log since `sinceT` once a line matches `re` (it comes through this process's pipe). */
async function logWith(lab: Lab, n: LabNode, sinceT: number, re: RegExp): Promise<LogLine[]> {
  await waitUntil(
    `${n.name} logs ${re}`,
    () => firstLine(logSince(lab, n, sinceT), re) !== undefined,
    3000,
  ).catch(
    () => undefined, // mustFind names what is missing
  );
  return logSince(lab, n, sinceT);
}

function firstLine(lines: readonly LogLine[], re: RegExp): LogLine | undefined {
  return lines.find((l) => re.test(l.text));
}

function mustFind(lines: readonly LogLine[], re: RegExp, what: string): LogLine {
  const l = firstLine(lines, re);
  assert.ok(l, `${what}: no line matching ${re}\n${lines.map((x) => x.text).join('\n')}`);
  return l;
}

/** The fence of `victim` as `fencer`'s log shows it: start, success, first acquire after it. */
function fenceTimes(
  lines: readonly LogLine[],
  victim: string,
): { start: LogLine; fenced: LogLine; firstAcquire: LogLine | undefined } {
  const start = mustFind(lines, new RegExp(`fencing node node=${victim}\\b`), 'fence start');
  const fenced = mustFind(lines, new RegExp(`node fenced node=${victim}\\b`), 'fence success');
  return { start, fenced, firstAcquire: firstLine(lines, /acquire start/) };
}

const figures: string[] = [];
const report = (line: string): void => {
  figures.push(line);
  process.stdout.write(`# ${line}\n`);
};

after(() => {
  if (figures.length > 0)
    process.stdout.write(`# --- fencing figures ---\n${figures.map((f) => `# ${f}\n`).join('')}`);
});

// ---------------------------------------------------------------------------------------------
// Lab A: fence_ipmilan for both nodes; groups VIP@node1, B@node2 (one each: node1 wins the race)

const labA = new FenceLab({
  tag: 'fna',
  net: 24,
  haresources: ['node1 IPaddr2::VIP/24/eth0', 'node2 markerB'],
  hbtsCf: (bmcs) =>
    [
      '# generated by the fencing lab test',
      ...bmcs.map((b) => `${b.fenceLine('fence_ipmilan', { passwordFile: true })} power_timeout=2`),
      `fence_delay ${FENCE_DELAY_MS}ms`,
      '',
    ].join('\n'),
});

void describe(
  'fencing lab A: fence_ipmilan on both nodes, VIP@node1 + B@node2, heartbeats on eth1',
  { skip: skipBase ?? need('fence_ipmilan') ?? false },
  () => {
    before(() => labA.start());
    after(() => labA.cleanup());

    void it(`heartbeat link cut: node1 fences node2 only, then takes B; never two VIP holders (${RUNS} runs)`, async () => {
      const f = labA;
      const [n1, n2, b1, b2] = [f.node(1), f.node(2), f.bmc(1), f.bmc(2)];
      for (let run = 1; run <= RUNS; run++) {
        const log1 = b1.chassisLog().length;
        const log2 = b2.chassisLog().length;
        const cut = run % 2 === 1 ? n1 : n2;
        const t0 = Date.now();
        f.lab.linkDown(cut, 'eth1');
        await waitUntil(`run ${run}: node2 powered off`, () => b2.powerState() === 'off', 20000, 50);
        await waitUntil(`run ${run}: node1 runs B`, () => f.runs(n1, 'markerB'), 15000, 50);
        // the loser waited fence_delay and was off before it ended
        await sleep(500);
        assert.equal(await f.lab.waitExit(n2.daemon, 1000), 'SIGKILL', 'node2 daemon killed by power-off');
        assert.equal(
          f.offsSince(b2, log2).length,
          1,
          `node2's BMC: one off\n${b2.chassisLog().slice(log2).join('\n')}`,
        );
        assert.deepEqual(f.offsSince(b1, log1), [], "node1's BMC: no off");
        assert.equal(b1.powerState(), 'on');
        const l1 = await logWith(f.lab, n1, t0, /acquire start/);
        const l2 = logSince(f.lab, n2, t0);
        const { start, fenced, firstAcquire } = fenceTimes(l1, 'node2');
        assert.ok(firstAcquire, 'node1 acquired B');
        assert.match(firstAcquire.text, /markerB/);
        assert.ok(
          l1.indexOf(fenced) < l1.indexOf(firstAcquire) && fenced.t <= firstAcquire.t,
          'node1 started B only after node2 was fenced',
        );
        mustFind(l2, /fencing it in 3000 ms \(fence_delay/, "node2's fence of node1 was delayed");
        assert.equal(firstLine(l2, /fencing node node=node1/), undefined, 'node2 never started a fence');
        // the VIP never moved: node1 only, all the time
        assert.equal(f.watch.describe(t0), '', 'no VIP change since the cut');
        f.assertNeverTwo();
        assert.ok(f.watch.agreesWithNodes());
        const outage = await f.client.settledOutageMs(t0);
        report(
          `A run ${run} (cut ${cut.name} eth1): cut->fence start ${start.t - t0} ms, fence_ipmilan off+confirm ${fenced.t - start.t} ms, ` +
            `fenced->B started ${firstAcquire.t - fenced.t} ms, client outage ${outage} ms (VIP stays on node1)`,
        );
        // back: link up, node2 boots, auto_failback returns B to node2
        f.lab.linkUp(cut, 'eth1');
        f.boot(n2);
        await f.settled();
        f.assertNeverTwo();
      }
    });

    void it(`fence fails (BMC down): no takeover while retrying, status shows the attempts; BMC back -> next retry fences, VIP moves (${RUNS} runs)`, async () => {
      const f = labA;
      const [n1, n2, b1] = [f.node(1), f.node(2), f.bmc(1)];
      for (let run = 1; run <= RUNS; run++) {
        const log1 = b1.chassisLog().length;
        await b1.stop();
        const t0 = Date.now();
        f.crash(n1);
        let st: DaemonStatusJson['cluster']['fencing'][number] | undefined;
        await waitUntil(
          `run ${run}: node2 shows node1 retrying after 2 failed attempts`,
          () => {
            st = f.status(n2)?.cluster.fencing.find((x) => x.node === 'node1');
            return st?.state === 'retrying' && st.attempts >= 2;
          },
          40000,
          200,
        );
        const retryT = Date.now();
        assert.ok(st);
        assert.match(st.lastError ?? '', /fence_ipmilan/, `last error names the agent: ${st.lastError}`);
        const text = f.lab.hbts(n2, ['status']);
        assert.match(text, /node1\s+retrying\s+\d+\s+in \d+ ms\s+\S/, `status table:\n${text}`);
        // nothing moved: the VIP stays (configured) on the crashed node1, B stays on node2
        assert.equal(f.watch.holders().join(','), 'node1');
        assert.equal(f.watch.describe(t0), '', 'no VIP change while the fence fails');
        assert.ok(f.runs(n2, 'markerB'));
        // the daemon's log reaches its file through this process's pipe: give it a moment
        const failedAttempt = /fencing node node1 failed \(attempt \d+\)/;
        await waitUntil(
          'two failed attempts in the log',
          () => logSince(f.lab, n2, t0).filter((l) => failedAttempt.test(l.text)).length >= 2,
          2000,
        );
        const failures = logSince(f.lab, n2, t0).filter((l) => failedAttempt.test(l.text));
        assert.ok(
          failures.every((l) => / crit: fence /.test(l.text) && /Connection timed out/.test(l.text)),
          failures.map((l) => l.text).join('\n'),
        );
        assert.deepEqual(f.offsSince(b1, log1), [], 'no power-off reached node1');
        await b1.start();
        const bmcBackT = Date.now();
        await waitUntil(
          `run ${run}: the VIP on node2`,
          () => f.watch.holders().join(',') === 'node2',
          40000,
          50,
        );
        const l2 = await logWith(f.lab, n2, t0, /acquire start/);
        const fenced = mustFind(l2, /node fenced node=node1/, 'fence success');
        const acquire = mustFind(l2, /acquire start/, 'takeover');
        assert.ok(l2.indexOf(fenced) < l2.indexOf(acquire), 'fenced before the takeover');
        const del1 = f.watch.first('node1', false, t0);
        const add2 = f.watch.first('node2', true, t0);
        assert.ok(
          del1 && add2 && bmcBackT <= del1.t && del1.t <= add2.t,
          `node1 lost the VIP (power-off, once the BMC was back) before node2 got it: ${f.watch.describe(t0)}`,
        );
        assert.equal(f.offsSince(b1, log1).length, 1, 'one off reached node1');
        const attempts = f.status(n2)?.cluster.fencing.find((x) => x.node === 'node1');
        assert.equal(attempts?.state, 'fenced');
        assert.ok((attempts?.attempts ?? 0) > st.attempts, 'fenced by a later attempt');
        f.assertNeverTwo();
        await f.client.waitFor('node2', 10000);
        const outage = await f.client.settledOutageMs(t0);
        report(
          `A crash with BMC down, run ${run}: ${st.attempts} failed attempts shown after ${retryT - t0} ms (last error: ${(st.lastError ?? '').replace(/^.*exit \d+: /, '')}); ` +
            `BMC back -> VIP on node2 in ${add2.t - bmcBackT} ms; fenced after ${attempts?.attempts ?? '?'} attempts; client outage ${outage} ms`,
        );
        f.boot(n1);
        await f.settled();
        f.assertNeverTwo();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Lab B: node1 = fence_idrac, node2 = fence_ilo3; VIP@node1, B and C @node2 (node2 runs more)

const labB = new FenceLab({
  tag: 'fnb',
  net: 28,
  haresources: ['node1 IPaddr2::VIP/24/eth0', 'node2 markerB', 'node2 markerC'],
  hbtsCf: (bmcs) =>
    [
      '# generated by the fencing lab test',
      (bmcs[0]?.fenceLine('fence_idrac', { passwordFile: true }) ?? '').replace(
        /^fence node\d/,
        'fence node1',
      ),
      (bmcs[1]?.fenceLine('fence_ilo3', { passwordFile: true }) ?? '').replace(
        /^fence node\d/,
        'fence node2',
      ),
      `fence_delay ${FENCE_DELAY_MS}ms`,
      '',
    ].join('\n'),
});

void describe(
  'fencing lab B: fence_idrac (node1) and fence_ilo3 (node2), VIP@node1 + B, C@node2',
  { skip: skipBase ?? need('fence_idrac', 'fence_ilo3') ?? false },
  () => {
    before(() => labB.start());
    after(() => labB.cleanup());

    void it(`heartbeat link cut: node2 (more groups) fences the VIP holder node1, then takes the VIP; never two holders (${RUNS} runs)`, async () => {
      const f = labB;
      const [n1, n2, b1, b2] = [f.node(1), f.node(2), f.bmc(1), f.bmc(2)];
      for (let run = 1; run <= RUNS; run++) {
        const log1 = b1.chassisLog().length;
        const log2 = b2.chassisLog().length;
        const cut = run % 2 === 1 ? n2 : n1;
        const t0 = Date.now();
        f.lab.linkDown(cut, 'eth1');
        await waitUntil(`run ${run}: node1 powered off`, () => b1.powerState() === 'off', 20000, 50);
        await waitUntil(
          `run ${run}: the VIP on node2`,
          () => f.watch.holders().join(',') === 'node2',
          15000,
          50,
        );
        await sleep(500);
        assert.equal(await f.lab.waitExit(n1.daemon, 1000), 'SIGKILL', 'node1 daemon killed by power-off');
        assert.equal(f.offsSince(b1, log1).length, 1, "node1's BMC: one off");
        assert.deepEqual(f.offsSince(b2, log2), [], "node2's BMC: no off");
        const l2 = await logWith(f.lab, n2, t0, /acquire start/);
        const { start, fenced, firstAcquire } = fenceTimes(l2, 'node1');
        assert.match(start.text + fenced.text, /fence_idrac/);
        assert.ok(firstAcquire && /IPaddr2/.test(firstAcquire.text), 'node2 took the VIP group');
        assert.ok(
          l2.indexOf(fenced) < l2.indexOf(firstAcquire),
          'node2 took over only after node1 was fenced',
        );
        mustFind(
          logSince(f.lab, n1, t0),
          /fencing it in 3000 ms \(fence_delay/,
          "node1's fence of node2 was delayed",
        );
        const del1 = f.watch.first('node1', false, t0);
        const add2 = f.watch.first('node2', true, t0);
        assert.ok(
          del1 && add2 && del1.t <= add2.t && fenced.t <= add2.t,
          `VIP events: ${f.watch.describe(t0)}`,
        );
        f.assertNeverTwo();
        assert.ok(f.watch.agreesWithNodes());
        await f.client.waitFor('node2', 10000);
        const outage = await f.client.settledOutageMs(t0);
        report(
          `B run ${run} (cut ${cut.name} eth1): cut->fence start ${start.t - t0} ms, fence_idrac off+confirm ${fenced.t - start.t} ms, ` +
            `node1's VIP gone at ${del1.t - t0} ms, on node2 at ${add2.t - t0} ms; client outage ${outage} ms`,
        );
        f.lab.linkUp(cut, 'eth1');
        f.boot(n1);
        await f.settled();
        f.assertNeverTwo();
      }
    });

    void it(`crash of node2: node1 fences it with fence_ilo3 after fence_delay, then takes B and C (${RUNS} runs)`, async () => {
      const f = labB;
      const [n1, n2, b1, b2] = [f.node(1), f.node(2), f.bmc(1), f.bmc(2)];
      for (let run = 1; run <= RUNS; run++) {
        const log1 = b1.chassisLog().length;
        const log2 = b2.chassisLog().length;
        const t0 = Date.now();
        f.crash(n2);
        await waitUntil(
          `run ${run}: node1 runs B and C`,
          () => f.runs(n1, 'markerB') && f.runs(n1, 'markerC'),
          25000,
          50,
        );
        assert.equal(b2.powerState(), 'off');
        assert.equal(f.offsSince(b2, log2).length, 1, "node2's BMC: one off");
        assert.deepEqual(f.offsSince(b1, log1), []);
        const l1 = await logWith(f.lab, n1, t0, /acquire start/);
        mustFind(l1, /fencing it in 3000 ms \(fence_delay/, 'node2 ran more groups: fence delayed');
        const { start, fenced, firstAcquire } = fenceTimes(l1, 'node2');
        assert.match(start.text + fenced.text, /fence_ilo3/);
        assert.ok(
          firstAcquire && l1.indexOf(fenced) < l1.indexOf(firstAcquire),
          'B and C only after the fence',
        );
        assert.equal(f.watch.describe(t0), '', 'the VIP stayed on node1');
        f.assertNeverTwo();
        const outage = await f.client.settledOutageMs(t0);
        report(
          `B crash of node2, run ${run}: crash->fence start ${start.t - t0} ms (deadtime + fence_delay), fence_ilo3 off+confirm ${fenced.t - start.t} ms, ` +
            `B/C started ${firstAcquire.t - t0} ms after the crash; VIP client outage ${outage} ms`,
        );
        f.boot(n2);
        await f.settled();
        f.assertNeverTwo();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Lab C: Heartbeat's own syntax, `stonith_host * external/ipmi ...` in ha.cf, no hbts.cf

const labC = new FenceLab({
  tag: 'fnc',
  net: 32,
  haresources: ['node1 IPaddr2::VIP/24/eth0'],
  haCfExtra: (bmcs) => bmcs.map((b) => b.stonithHostLine()),
});

void describe(
  "fencing lab C: Heartbeat's stonith_host * external/ipmi (cluster-glue), VIP@node1",
  { skip: skipBase ?? need('stonith') ?? false },
  () => {
    before(() => labC.start());
    after(() => labC.cleanup());

    void it(`crash of node1 (VIP still configured): node2 fences it through cluster-glue, then takes over; never two holders (${RUNS} runs)`, async () => {
      const f = labC;
      const [n1, n2, b1, b2] = [f.node(1), f.node(2), f.bmc(1), f.bmc(2)];
      for (let run = 1; run <= RUNS; run++) {
        const log1 = b1.chassisLog().length;
        const log2 = b2.chassisLog().length;
        const t0 = Date.now();
        f.crash(n1);
        await waitUntil(
          `run ${run}: the VIP on node2`,
          () => f.watch.holders().join(',') === 'node2',
          25000,
          50,
        );
        assert.equal(b1.powerState(), 'off');
        assert.equal(f.offsSince(b1, log1).length, 1, "node1's BMC: one off");
        assert.deepEqual(f.offsSince(b2, log2), []);
        const l2 = await logWith(f.lab, n2, t0, /acquire start/);
        mustFind(
          l2,
          /fencing it in 5000 ms \(fence_delay/,
          'the default fence_delay before fencing the active node',
        );
        const { start, fenced, firstAcquire } = fenceTimes(l2, 'node1');
        assert.match(fenced.text, /external\/ipmi/);
        assert.ok(
          firstAcquire && l2.indexOf(fenced) < l2.indexOf(firstAcquire),
          'takeover only after the fence',
        );
        // node1 kept its VIP configured until the power-off, which came after the fence started
        const del1 = f.watch.first('node1', false, t0);
        const add2 = f.watch.first('node2', true, t0);
        assert.ok(del1 && add2, f.watch.describe(t0));
        assert.ok(del1.t >= start.t && del1.t <= add2.t, `VIP events: ${f.watch.describe(t0)}`);
        f.assertNeverTwo();
        assert.ok(f.watch.agreesWithNodes());
        await f.client.waitFor('node2', 10000);
        const outage = await f.client.settledOutageMs(t0);
        report(
          `C (stonith_host external/ipmi) crash of node1, run ${run}: crash->fence start ${start.t - t0} ms (deadtime + default fence_delay 5 s), ` +
            `stonith off ${fenced.t - start.t} ms, node1's VIP gone at ${del1.t - t0} ms, on node2 at ${add2.t - t0} ms; client outage ${outage} ms`,
        );
        f.boot(n1);
        await f.settled();
        f.assertNeverTwo();
      }
    });
  },
);
