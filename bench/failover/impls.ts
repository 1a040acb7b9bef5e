// The three cluster managers the failover benchmark drives, behind one interface: ours (`hbts
// daemon`), real Heartbeat 3.0.6 (Debian `heartbeat`, haresources mode, `crm off`) and keepalived
// 2.2.7 (Debian `keepalived`, VRRPv3 unicast). Each writes its own configuration into the lab
// (the VIP on eth0, the service net; heartbeats / adverts unicast on eth1, the dedicated link),
// starts a node, stops it gracefully and says which log line means "peer declared dead".
// Log lines of ours carry the daemon's own ms stamps; keepalived's are stamped on arrival (wall
// clock, the clock of `ip monitor`; keepalived's own stamps are whole seconds);
// Heartbeat logs to a file with one-second stamps, so its detection time is not reported.
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabNode } from '../../src/lab/lab-topology.js';
import type { Lab } from '../../src/lab/netns-lab.js';
import { pidsInNamespace } from '../../src/lab/netns-pids.js';
import { RealHeartbeat, realHeartbeatSkipReason } from '../../test/lab/real-heartbeat.js';
import type { HaTiming, ImplName, Profile, VrrpTiming } from './profiles.js';

export interface StampedLine {
  readonly t: number;
  readonly text: string;
}

export interface Implementation {
  readonly name: ImplName;
  /** Why this implementation cannot run here, or undefined. */
  skipReason(): string | undefined;
  /** Write every node's configuration for this profile (VIP on eth0, heartbeats on eth1). */
  configure(lab: Lab, profile: Profile, vip: string): void;
  /** Start the manager on a node (returns at once; the caller waits for the VIP). */
  start(lab: Lab, node: LabNode): Promise<void>;
  /** Graceful stop (SIGTERM to the manager). */
  stop(lab: Lab, node: LabNode): void;
  /** The manager's processes on the node (the lab's HTTP server left out). */
  managerPids(lab: Lab, node: LabNode): number[];
  /** Log lines so far, stamped on arrival (empty when the manager's log cannot be stamped). */
  lines(node: LabNode): readonly StampedLine[];
  /** A line saying the peer was found dead (crash) or gone (graceful). */
  readonly detectRe: RegExp;
  /** Forget per-run state (log lines) before the next run. */
  reset(): void;
  /** How many times the node declared its peer dead so far this run (stress mode). */
  deaths(node: LabNode): number;
}

const countOf = (lines: readonly StampedLine[], re: RegExp): number =>
  lines.filter((l) => re.test(l.text)).length;

/** Stamp every line a child writes (stdout and stderr) with the wall clock on arrival. */
function stampLines(child: ChildProcess, into: StampedLine[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.on('data', (b: Buffer) => {
      const t = Date.now();
      buf += b.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        // our daemon stamps its lines itself (ISO, ms): more exact than arrival on a loaded machine
        const own = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /.test(text)
          ? Date.parse(text.slice(0, 24))
          : NaN;
        into.push({ t: Number.isNaN(own) ? t : own, text });
        buf = buf.slice(nl + 1);
      }
    });
  }
}

function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function haCfText(lab: Lab, t: HaTiming, extra: readonly string[]): string {
  return [
    '# written by bench/failover',
    `keepalive ${t.keepalive}`,
    `deadtime ${t.deadtime}`,
    `warntime ${t.warntime}`,
    `initdead ${t.initdead}`,
    'udpport 694',
    ...lab.nodes.map((n) => `ucast eth1 ${n.addr2 ?? ''}`),
    'auto_failback on',
    ...extra,
    ...lab.nodes.map((n) => `node ${n.name}`),
    '',
  ].join('\n');
}

function haTiming(p: Profile): HaTiming {
  if (p.timing.kind !== 'ha') throw new Error(`${p.impl} needs ha.cf timing, got ${p.timing.kind}`);
  return p.timing;
}

/** Every process in the node's namespace but the lab's HTTP server. */
function pidsBut(lab: Lab, node: LabNode): number[] {
  const http = node.http?.pid;
  return pidsInNamespace(node.ns).filter((p) => p !== http);
}

class Ours implements Implementation {
  readonly name = 'ours' as const;
  readonly detectRe = / peer-dead /;

  deaths(node: LabNode): number {
    return countOf(this.lines(node), / peer-dead .*silent for/);
  }
  private readonly logs = new Map<string, StampedLine[]>();

  skipReason(): string | undefined {
    return undefined;
  }

  configure(lab: Lab, profile: Profile, vip: string): void {
    lab.writeConfig({
      haCf: haCfText(lab, haTiming(profile), []),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
  }

  start(lab: Lab, node: LabNode): Promise<void> {
    const child = lab.startDaemon(node);
    const lines: StampedLine[] = [];
    this.logs.set(node.name, lines);
    stampLines(child, lines);
    return Promise.resolve();
  }

  stop(lab: Lab, node: LabNode): void {
    lab.kill(node.daemon, 'SIGTERM');
  }

  managerPids(lab: Lab, node: LabNode): number[] {
    return pidsBut(lab, node);
  }

  lines(node: LabNode): readonly StampedLine[] {
    return this.logs.get(node.name) ?? [];
  }

  reset(): void {
    this.logs.clear();
  }
}

class Heartbeat implements Implementation {
  readonly name = 'heartbeat' as const;
  readonly detectRe = /is dead|shutdown/i;

  deaths(node: LabNode): number {
    return (
      this.of(node)
        .log()
        .match(/: is dead/g) ?? []
    ).length;
  }
  private readonly real = new Map<string, RealHeartbeat>();

  skipReason(): string | undefined {
    return realHeartbeatSkipReason();
  }

  configure(lab: Lab, profile: Profile, vip: string): void {
    // realtime on is Heartbeat's default (SCHED_RR, mlockall where the limit allows): said anyway
    lab.writeConfig({
      haCf: haCfText(lab, haTiming(profile), ['crm off', 'realtime on']),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    for (const n of lab.nodes) {
      const r = new RealHeartbeat(lab, n);
      r.prepare();
      this.real.set(n.name, r);
    }
  }

  async start(_lab: Lab, node: LabNode): Promise<void> {
    await this.of(node).start();
  }

  stop(_lab: Lab, node: LabNode): void {
    const pid = this.of(node).pid();
    if (pid !== undefined) process.kill(pid, 'SIGTERM');
  }

  managerPids(lab: Lab, node: LabNode): number[] {
    return pidsBut(lab, node);
  }

  lines(): readonly StampedLine[] {
    return [];
  }

  reset(): void {
    // Heartbeat's per-run state lives in its directories, rebuilt by configure()
  }

  private of(node: LabNode): RealHeartbeat {
    const r = this.real.get(node.name);
    if (r === undefined) throw new Error(`heartbeat on ${node.name} is not configured`);
    return r;
  }
}

/** keepalived's VRRPv3 configuration for one node: unicast adverts on eth1, the VIP on eth0. */
export function keepalivedConf(lab: Lab, node: LabNode, t: VrrpTiming, vip: string): string {
  const peers = lab.nodes.filter((n) => n !== node).map((n) => `    ${n.addr2 ?? ''}`);
  return [
    '# written by bench/failover',
    'global_defs {',
    `  router_id ${node.name}`,
    '  vrrp_version 3',
    '  max_auto_priority -1',
    '}',
    'vrrp_instance VI_1 {',
    // both start as BACKUP: the higher priority (node1) wins the election and preempts
    '  state BACKUP',
    '  interface eth1',
    '  virtual_router_id 51',
    `  priority ${node.index === 1 ? 150 : 100}`,
    `  advert_int ${t.advertS}`,
    `  unicast_src_ip ${node.addr2 ?? ''}`,
    '  unicast_peer {',
    ...peers,
    '  }',
    '  virtual_ipaddress {',
    `    ${vip}/24 dev eth0`,
    '  }',
    '}',
    '',
  ].join('\n');
}

class Keepalived implements Implementation {
  readonly name = 'keepalived' as const;
  readonly detectRe =
    /Receive advertisement timeout|received priority 0 advertisement|Entering MASTER STATE/i;
  private readonly logs = new Map<string, StampedLine[]>();
  private readonly children = new Map<string, ChildProcess>();

  deaths(node: LabNode): number {
    return countOf(this.lines(node), /Receive advertisement timeout/);
  }

  skipReason(): string | undefined {
    if (!existsSync('/usr/sbin/keepalived') && !hasTool('keepalived'))
      return 'Debian package keepalived is not installed';
    return undefined;
  }

  configure(lab: Lab, profile: Profile, vip: string): void {
    if (profile.timing.kind !== 'vrrp') throw new Error('keepalived needs a VRRP timing');
    for (const n of lab.nodes) {
      const dir = join(n.dir, 'keepalived');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'keepalived.conf'), keepalivedConf(lab, n, profile.timing, vip));
    }
  }

  start(lab: Lab, node: LabNode): Promise<void> {
    const dir = join(node.dir, 'keepalived');
    // a SIGKILLed keepalived leaves its pid files: a reused pid in them makes it refuse to start
    for (const f of ['keepalived.pid', 'vrrp.pid']) rmSync(join(dir, f), { force: true });
    const child = lab.spawnIn(
      node.ns,
      'keepalived',
      [
        '--dont-fork',
        '--log-console',
        '--log-detail',
        '--no-syslog',
        '--vrrp',
        '--use-file',
        join(dir, 'keepalived.conf'),
        '--pid',
        join(dir, 'keepalived.pid'),
        '--vrrp_pid',
        join(dir, 'vrrp.pid'),
      ],
      join(dir, 'log'),
    );
    this.children.set(node.name, child);
    const lines: StampedLine[] = [];
    this.logs.set(node.name, lines);
    stampLines(child, lines);
    return Promise.resolve();
  }

  stop(lab: Lab, node: LabNode): void {
    lab.kill(this.children.get(node.name), 'SIGTERM');
  }

  managerPids(lab: Lab, node: LabNode): number[] {
    return pidsBut(lab, node);
  }

  lines(node: LabNode): readonly StampedLine[] {
    return this.logs.get(node.name) ?? [];
  }

  reset(): void {
    this.logs.clear();
  }
}

export function implementation(name: ImplName): Implementation {
  switch (name) {
    case 'ours':
      return new Ours();
    case 'heartbeat':
      return new Heartbeat();
    case 'keepalived':
      return new Keepalived();
  }
}
