// One benchmark profile (an implementation at one timing) in its own namespace lab: every run
// starts both nodes from scratch, waits until node1 holds the VIP and the client gets node1's
// answers, applies the fault and measures what the client saw. The VIP is watched with one
// `ip monitor address` (every add/delete, stamped), the client opens a new HTTP connection to
// the VIP every 10 ms with a 50 ms deadline.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AddressWatch } from '../../src/lab/address-watch.js';
import { sh } from '../../src/lab/lab-shell.js';
import { Lab } from '../../src/lab/netns-lab.js';
import { sleep, waitUntil } from '../../src/lab/wait-until.js';
import type { LabNode } from '../../src/lab/lab-topology.js';
import type { ProbeClient } from '../../src/lab/netns-lab.js';
import { nodePowerSpec, pidsInNamespace, powerOff, powerOn } from '../../src/lab/node-power.js';
import { distinctKb } from './distinct-pages.js';
import type { Implementation } from './impls.js';
import { detectionWindowMs } from './profiles.js';
import type { Profile } from './profiles.js';
import { firstAnswerAfter, longestGap } from './stats.js';

export type ScenarioName = 'crash' | 'graceful' | 'partition' | 'stress';
/** Every scenario; `stress` (10 minutes by default) runs only when asked for. */
export const scenarioNames: readonly ScenarioName[] = ['crash', 'graceful', 'partition', 'stress'];
export const defaultScenarios: readonly ScenarioName[] = ['crash', 'graceful', 'partition'];

export interface RunOptions {
  readonly runs: number;
  readonly scenarios: readonly ScenarioName[];
  /** How long the heartbeat link stays cut (at least 2 detection windows + 2 s). */
  readonly partitionMs: number;
  /** How long after the heal the client is watched. */
  readonly healWindowMs: number;
  /** Stress: how long, how many busy loops (half in each node), % of heartbeat-link packets dropped. */
  readonly stressMs: number;
  readonly hogs: number;
  readonly lossPct: number;
  /** Idle sample length (0 = none). */
  readonly idleMs: number;
  /**
   * How long after the managers started the idle sample begins: a Node.js daemon compiles its hot
   * paths in its first tens of seconds (measured: about twice the steady CPU at 10-20 s), and idle
   * means the steady state a node spends its life in.
   */
  readonly idleAfterMs: number;
  /** Third octet of the lab's service net (the heartbeat link is the next one). */
  readonly net: number;
  readonly log: (line: string) => void;
}

/** One run's figures (ms); undefined where the run could not tell. */
export interface RunResult {
  readonly ok: boolean;
  readonly error?: string;
  /** Daemons started -> VIP added on node1. */
  readonly startupMs?: number;
  /** Fault -> first probe answered by the new holder (crash, graceful); post-heal longest gap (partition). */
  readonly outageMs?: number;
  /** Longest stretch without an answer from the fault until the end of the run. */
  readonly maxGapMs?: number;
  /** Fault -> the new node's "peer dead" log line. */
  readonly detectMs?: number;
  /** Fault -> VIP added on the new node (ip monitor). */
  readonly vipMs?: number;
  /** The new node's detection line -> its VIP added. */
  readonly detectToVipMs?: number;
  /** Partition: both nodes held the VIP, summed (ms). */
  readonly splitBrainMs?: number;
  /** Partition: who answers at the end. */
  readonly finalServer?: string;
  /** Stress: peer declared dead (either node), VIP additions, failed client probes (nothing failed). */
  readonly falseDeaths?: number;
  readonly vipMoves?: number;
  readonly failedProbes?: number;
  /** Stress: packets seen / dropped on the heartbeat links (nftables counters). */
  readonly lossSeen?: number;
  readonly lossDropped?: number;
}

export interface IdleSample {
  readonly node: string;
  readonly role: 'active' | 'standby';
  readonly processes: number;
  readonly rssKb: number;
  /** Physical pages mapped by the processes, each counted once (distinct-pages.ts); root only. */
  readonly distinctKb: number | undefined;
  readonly cpuPct: number;
  readonly windowS: number;
  /** Seconds from the managers' start to the sample's start. */
  readonly afterS: number;
}

export interface ProfileResult {
  readonly impl: string;
  readonly window: string;
  readonly label: string;
  readonly skipped?: string;
  readonly scenarios: Record<string, RunResult[]>;
  readonly idle: IdleSample[];
}

const CLK_TCK = 100;

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the name: state(0) ppid(1) ... utime(11) stime(12)
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function idleSample(
  impl: Implementation,
  lab: Lab,
  windowMs: number,
  startedAt: number,
  afterMs: number,
): Promise<IdleSample[]> {
  await sleep(Math.max(0, startedAt + afterMs - performance.now()));
  const pids = lab.nodes.map((n) => impl.managerPids(lab, n));
  const t0 = performance.now();
  const before = pids.map((ps) => ps.map(cpuTicks));
  await sleep(windowMs);
  const dt = (performance.now() - t0) / 1000;
  return lab.nodes.map((n, i) => {
    const ps = pids[i] ?? [];
    const ticks = ps.reduce((s, p, j) => s + cpuTicks(p) - (before[i]?.[j] ?? 0), 0);
    return {
      node: n.name,
      role: n.index === 1 ? 'active' : 'standby',
      processes: ps.length,
      rssKb: ps.reduce((s, p) => s + rssKb(p), 0),
      distinctKb: distinctKb(ps),
      cpuPct: Math.round((ticks / CLK_TCK / dt) * 100 * 1000) / 1000,
      windowS: Math.round(dt * 10) / 10,
      afterS: Math.round((t0 - startedAt) / 100) / 10,
    };
  });
}

/**
 * Power-off of a node, at once: every process in it is frozen (SIGSTOP) before its links go down,
 * so no manager can react to the carrier loss (keepalived would send a priority-0 advert on the
 * heartbeat link while the service link goes down), then killed and its VIPs removed.
 */
function crash(lab: Lab, node: LabNode): void {
  for (const pid of pidsInNamespace(node.ns)) {
    try {
      process.kill(pid, 'SIGSTOP');
    } catch {
      // exited meanwhile
    }
  }
  powerOff(nodePowerSpec(lab, node, `${node.dir}/power`));
}

class Bench {
  readonly vip: string;
  lab!: Lab;
  watch!: AddressWatch;
  client!: ProbeClient;
  /** performance.now() when the managers of the current run were started. */
  startedAt = 0;

  constructor(
    readonly impl: Implementation,
    readonly profile: Profile,
    readonly opts: RunOptions,
  ) {
    this.vip = `198.18.${opts.net}.200`;
  }

  get n1(): LabNode {
    return this.lab.nodes[0] as LabNode;
  }

  get n2(): LabNode {
    return this.lab.nodes[1] as LabNode;
  }

  async setUp(): Promise<void> {
    this.lab = Lab.create({ nodes: 2, secondNet: true, net: this.opts.net, tag: 'bf' });
    this.impl.configure(this.lab, this.profile, this.vip);
    this.watch = await AddressWatch.start(this.lab, this.vip);
    this.client = this.lab.startClient(this.vip, 80, 50);
  }

  /** Power-cycle both nodes (nothing left running, no VIP), then start HTTP and both managers. */
  async freshStart(): Promise<number> {
    for (const n of this.lab.nodes) {
      const spec = nodePowerSpec(this.lab, n, `${n.dir}/power`);
      powerOff(spec);
      powerOn(spec);
    }
    this.impl.reset();
    if (this.impl.name === 'heartbeat') this.impl.configure(this.lab, this.profile, this.vip);
    for (const n of this.lab.nodes) this.lab.startHttp(n);
    await sleep(200);
    const t0 = Date.now();
    this.startedAt = performance.now();
    await Promise.all(this.lab.nodes.map((n) => this.impl.start(this.lab, n)));
    const limit = 30_000 + 3 * detectionWindowMs(this.profile.timing);
    await waitUntil('node1 holds the VIP alone', () => this.watch.holders().join() === 'node1', limit, 20);
    await this.client.waitFor('node1', 10_000);
    const added = this.watch.first('node1', true, t0);
    // settle: the standby has heard the holder for a while (keepalived: BACKUP state reached)
    await sleep(Math.max(1500, 2 * detectionWindowMs(this.profile.timing)));
    if (this.watch.holders().join() !== 'node1')
      throw new Error(`VIP moved while settling: ${this.watch.describe(t0)}`);
    return added === undefined ? NaN : added.t - t0;
  }

  detectAfter(node: LabNode, t: number): number | undefined {
    const line = this.impl.lines(node).find((l) => l.t >= t && this.impl.detectRe.test(l.text));
    return line?.t;
  }

  async failover(kind: 'crash' | 'graceful', startupMs: number): Promise<RunResult> {
    const T = Date.now();
    if (kind === 'crash') crash(this.lab, this.n1);
    else this.impl.stop(this.lab, this.n1);
    const limit = 15_000 + 2 * detectionWindowMs(this.profile.timing);
    await waitUntil('node2 holds the VIP', () => this.watch.holders().includes('node2'), limit, 10);
    await this.client.waitFor('node2', 10_000);
    await sleep(400);
    const end = Date.now() - 300;
    const vip = this.watch.first('node2', true, T);
    const detect = this.detectAfter(this.n2, T);
    const out: RunResult = {
      ok: true,
      startupMs,
      maxGapMs: longestGap(this.client.probes, T, end),
    };
    const outage = firstAnswerAfter(this.client.probes, T, 'node2');
    return {
      ...out,
      ...(outage !== undefined ? { outageMs: outage } : {}),
      ...(vip !== undefined ? { vipMs: vip.t - T } : {}),
      ...(detect !== undefined ? { detectMs: detect - T } : {}),
      ...(detect !== undefined && vip !== undefined ? { detectToVipMs: vip.t - detect } : {}),
    };
  }

  async partition(startupMs: number): Promise<RunResult> {
    const sw = this.lab.sw;
    const port = `n${this.n2.index}e1`;
    const hold = Math.max(this.opts.partitionMs, 2 * detectionWindowMs(this.profile.timing) + 2000);
    const T = Date.now();
    sh('ip', ['-n', sw, 'link', 'set', port, 'nomaster']);
    await sleep(hold);
    const H = Date.now();
    sh('ip', ['-n', sw, 'link', 'set', port, 'master', 'br1']);
    await sleep(this.opts.healWindowMs);
    const end = Date.now() - 300;
    const overlaps = this.watch.overlaps().filter((o) => (o.toT ?? end) >= T);
    const split = overlaps.reduce((s, o) => s + (o.toT ?? end) - Math.max(o.fromT, T), 0);
    const vip = this.watch.first('node2', true, T);
    const detect = this.detectAfter(this.n2, T);
    const final = this.client.lastAnswer();
    return {
      ok: true,
      startupMs,
      outageMs: longestGap(this.client.probes, H, end),
      maxGapMs: longestGap(this.client.probes, T, end),
      splitBrainMs: split,
      ...(final !== undefined ? { finalServer: final } : {}),
      ...(vip !== undefined ? { vipMs: vip.t - T } : {}),
      ...(detect !== undefined ? { detectMs: detect - T } : {}),
      ...(detect !== undefined && vip !== undefined ? { detectToVipMs: vip.t - detect } : {}),
    };
  }
}

/**
 * Busy loops in the nodes and random loss on their heartbeat link (nftables `numgen random` on
 * what arrives on eth1, in each node's namespace), for `ms`; every detection, VIP change and failed
 * probe in that window is false: nothing failed.
 */
async function stress(b: Bench, startupMs: number): Promise<RunResult> {
  const { lab, impl, opts } = b;
  for (const n of lab.nodes) {
    const rule = `add table inet hbtsloss
add chain inet hbtsloss in { type filter hook input priority 0; }
add rule inet hbtsloss in iifname "eth1" counter numgen random mod 100 < ${opts.lossPct} counter drop
`;
    const r = spawnSync('ip', ['netns', 'exec', n.ns, 'nft', '-f', '-'], {
      input: rule,
      encoding: 'utf8',
      timeout: 10000,
    });
    if (r.status !== 0) throw new Error(`nft in ${n.name}: ${r.stderr}`);
  }
  const hogs = Array.from({ length: opts.hogs }, (_, i) =>
    lab.spawnIn((lab.nodes[i % lab.nodes.length] as LabNode).ns, 'sh', ['-c', 'while :; do :; done']),
  );
  const T = Date.now();
  const deaths0 = lab.nodes.map((n) => impl.deaths(n));
  try {
    await sleep(opts.stressMs);
  } finally {
    for (const h of hogs) lab.kill(h, 'SIGKILL');
  }
  const end = Date.now();
  let seen = 0;
  let dropped = 0;
  for (const n of lab.nodes) {
    const out =
      spawnSync('ip', ['netns', 'exec', n.ns, 'nft', 'list', 'table', 'inet', 'hbtsloss'], {
        encoding: 'utf8',
      }).stdout ?? '';
    const counts = [...out.matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
    seen += counts[0] ?? 0;
    dropped += counts[1] ?? 0;
  }
  const probes = b.client.probes.filter((p) => p.t >= T && p.t <= end - 300);
  return {
    ok: true,
    startupMs,
    falseDeaths: lab.nodes.reduce((s, n, i) => s + impl.deaths(n) - (deaths0[i] ?? 0), 0),
    vipMoves: b.watch.events.filter((e) => e.t >= T && e.t <= end && e.present).length,
    failedProbes: probes.filter((p) => p.who === undefined).length,
    maxGapMs: longestGap(b.client.probes, T, end - 300),
    lossSeen: seen,
    lossDropped: dropped,
  };
}

export async function runProfile(
  impl: Implementation,
  profile: Profile,
  opts: RunOptions,
): Promise<ProfileResult> {
  const result: ProfileResult = {
    impl: impl.name,
    window: profile.window,
    label: profile.label,
    scenarios: {},
    idle: [],
  };
  const skipped = impl.skipReason();
  if (skipped !== undefined) return { ...result, skipped };
  const b = new Bench(impl, profile, opts);
  try {
    await b.setUp();
    for (const scenario of opts.scenarios) {
      const runs: RunResult[] = [];
      result.scenarios[scenario] = runs;
      for (let i = 1; i <= opts.runs; i++) {
        let r: RunResult;
        try {
          const startup = await b.freshStart();
          if (opts.idleMs > 0 && result.idle.length === 0)
            result.idle.push(...(await idleSample(impl, b.lab, opts.idleMs, b.startedAt, opts.idleAfterMs)));
          r =
            scenario === 'partition'
              ? await b.partition(startup)
              : scenario === 'stress'
                ? await stress(b, startup)
                : await b.failover(scenario, startup);
        } catch (err) {
          r = { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
        runs.push(r);
        opts.log(`${impl.name} ${profile.label} ${scenario} run ${i}: ${JSON.stringify(r)}`);
      }
    }
  } finally {
    await b.lab?.cleanup();
  }
  return result;
}
