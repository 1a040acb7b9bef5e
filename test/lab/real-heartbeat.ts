// Runs a REAL Heartbeat 3.0.6 node (Debian package `heartbeat`) inside a lab node namespace, for
// mixed-cluster interop tests: start, graceful stop, crash, `cl_status`, `hb_standby`,
// `hb_takeover`, and its log.
//
// Heartbeat hard-codes /etc/ha.d, /var/lib/heartbeat and /run, and takes its node name from
// `uname -n`. So the daemon runs as
//   ip netns exec <node ns> unshare --mount --uts --propagation private -- sh -c
//     'hostname <node>; mount --bind <dir>/ha.d /etc/ha.d; ... /var/lib/heartbeat; ... /run;
//      exec heartbeat -f'
// where <dir>/ha.d is a copy of the package's /etc/ha.d (harc, rc.d, shellfuncs, resource.d)
// plus the lab's ha.cf, authkeys, haresources and resource.d scripts. `heartbeat -f` stays in the
// foreground, so the spawned pid becomes Heartbeat's master control process (ip netns exec,
// unshare and `exec` in sh all replace themselves). Tools run inside the node with
// `nsenter -t <master pid> -n -m -u`.
//
// SAFETY: when a resource script fails on `stop`, Heartbeat's ResourceManager runs
// `pkill -9 heartbeat` on the whole host and reboots it. Every resource script given to a real
// node must exit 0 on stop (see vipScript in test/interop/interop-setup.ts).
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabNode } from './lab.js';

export const heartbeatBinary = '/usr/libexec/heartbeat/heartbeat';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why real-Heartbeat tests cannot run here, or undefined when they can. */
export function realHeartbeatSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'real Heartbeat tests need Linux';
  if (process.getuid?.() !== 0) return 'real Heartbeat tests need root (namespaces, bind mounts)';
  if (!existsSync(heartbeatBinary)) return 'Debian package heartbeat is not installed';
  for (const tool of ['cl_status', 'nsenter', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (!existsSync('/etc/ha.d/harc') || !existsSync('/usr/share/heartbeat/ResourceManager'))
    return 'heartbeat package files (/etc/ha.d/harc, ResourceManager) are missing';
  return undefined;
}

/** Log directives appended to the real node's copy of ha.cf (inside its private /run). */
export const realLogLines = [
  'logfile /run/hbts-real-ha-log',
  'debugfile /run/hbts-real-ha-debug',
  'use_logd no',
];

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Pids of every descendant of `root` (children, grandchildren...), from /proc. */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // the command name may contain spaces and ')': the ppid follows the last ')'
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(after[1]));
    } catch {
      // process gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const [child, pp] of parent) {
      if (pp === p && !out.includes(child)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

export class RealHeartbeat {
  /** Per-node root: ha.d, varlib (/var/lib/heartbeat), run (/run). */
  readonly dir: string;
  readonly haDir: string;
  readonly varLib: string;
  readonly runDir: string;
  private child: ChildProcess | undefined;
  /** Every pid this node ever had (master and descendants), for cleanup. */
  private readonly pids = new Set<number>();

  constructor(
    readonly lab: Lab,
    readonly node: LabNode,
  ) {
    this.dir = join(lab.dir, node.name, 'real');
    this.haDir = join(this.dir, 'ha.d');
    this.varLib = join(this.dir, 'varlib');
    this.runDir = join(this.dir, 'run');
  }

  /**
   * Builds the node's /etc/ha.d from the package's and the lab's config dir for this node (ha.cf
   * with realLogLines and extraHaCfLines appended, authkeys, haresources, resource.d/*), a fresh /var/lib/heartbeat
   * (new UUID and generation) and /run skeleton.
   */
  prepare(extraHaCfLines: readonly string[] = []): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    cpSync('/etc/ha.d', this.haDir, { recursive: true });
    const src = this.node.configDir;
    const haCf = readFileSync(join(src, 'ha.cf'), 'utf8');
    writeFileSync(
      join(this.haDir, 'ha.cf'),
      `${haCf.replace(/\n*$/, '\n')}${[...realLogLines, ...extraHaCfLines].join('\n')}\n`,
    );
    writeFileSync(join(this.haDir, 'authkeys'), readFileSync(join(src, 'authkeys')), { mode: 0o600 });
    cpSync(join(src, 'haresources'), join(this.haDir, 'haresources'));
    const rscDir = join(src, 'resource.d');
    if (existsSync(rscDir)) {
      for (const f of readdirSync(rscDir)) cpSync(join(rscDir, f), join(this.haDir, 'resource.d', f));
    }
    cpSync('/var/lib/heartbeat', this.varLib, { recursive: true });
    for (const d of ['heartbeat/ccm', 'heartbeat/crm', 'resource-agents', 'crm', 'lock']) {
      mkdirSync(join(this.runDir, d), { recursive: true });
    }
    const chown = spawnSync('chown', [
      'hacluster:haclient',
      join(this.runDir, 'heartbeat'),
      join(this.runDir, 'heartbeat/ccm'),
      join(this.runDir, 'heartbeat/crm'),
      join(this.runDir, 'crm'),
    ]);
    if (chown.status !== 0)
      throw new Error(`chown for the real node's /run failed: ${chown.stderr.toString()}`);
    spawnSync('chmod', ['0750', join(this.runDir, 'heartbeat')]);
  }

  /** Starts `heartbeat -f` and waits until its pid file names a live process. */
  async start(timeoutMs = 10000): Promise<number> {
    if (!existsSync(this.haDir)) this.prepare();
    rmSync(join(this.runDir, 'heartbeat.pid'), { force: true });
    const script = [
      'set -e',
      'hostname "$1"',
      'mount --bind "$2/ha.d" /etc/ha.d',
      'mount --bind "$2/varlib" /var/lib/heartbeat',
      'mount --bind "$2/run" /run',
      'exec "$3" -f',
    ].join('\n');
    this.child = this.lab.spawnIn(
      this.node.ns,
      'unshare',
      [
        '--mount',
        '--uts',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        script,
        'real-heartbeat',
        this.node.name,
        this.dir,
        heartbeatBinary,
      ],
      join(this.dir, 'stdout'),
    );
    if (this.child.pid !== undefined) this.pids.add(this.child.pid);
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const pid = this.pid();
      if (pid !== undefined) return pid;
      if (this.child.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(
      `real heartbeat on ${this.node.name} did not start:\n${this.stdout()}\n${this.log().slice(-3000)}`,
    );
  }

  /** Master control process pid from Heartbeat's own pid file, when that process is alive. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.runDir, 'heartbeat.pid'), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      process.kill(pid, 0);
      this.pids.add(pid);
      return pid;
    } catch {
      return undefined;
    }
  }

  running(): boolean {
    return this.pid() !== undefined;
  }

  /** SIGTERM: Heartbeat's graceful shutdown (releases resources, sends shutdone). */
  async stop(timeoutMs = 30000): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (!this.alive(pid)) return;
      await sleep(100);
    }
    throw new Error(`real heartbeat on ${this.node.name} still running ${timeoutMs} ms after SIGTERM`);
  }

  /** SIGKILL of the master and every process it started (a crash: nothing is cleaned up). */
  crash(): void {
    const pid = this.pid() ?? this.child?.pid;
    if (pid === undefined) return;
    const all = [pid, ...descendants(pid)];
    for (const p of all) {
      this.pids.add(p);
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(join(this.runDir, 'heartbeat.pid'), { force: true });
  }

  /** Kills whatever is left of this node's processes (by pid). Safe to call repeatedly. */
  cleanup(): void {
    const pid = this.pid();
    if (pid !== undefined) for (const p of descendants(pid)) this.pids.add(p);
    for (const p of this.pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs a command inside the node (its net, mount and UTS namespaces). */
  exec(cmd: string, args: readonly string[], timeoutMs = 10000): ExecResult {
    const pid = this.pid();
    if (pid === undefined) throw new Error(`real heartbeat on ${this.node.name} is not running`);
    const r = spawnSync('nsenter', ['-t', String(pid), '-n', '-m', '-u', '--', cmd, ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /**
   * `cl_status ARGS` inside the node; stdout trimmed. cl_status exits 1 for "normal failures"
   * such as `nodestatus` of a dead node while still printing the answer, so stdout is returned
   * for exit codes 0 and 1, and '' otherwise (heartbeat down, bad argument, timeout).
   */
  clStatus(args: readonly string[]): string {
    if (this.pid() === undefined) return '';
    const r = this.exec('cl_status', args, 5000);
    return r.code === 0 || r.code === 1 ? r.stdout.trim() : '';
  }

  /** `hb_standby [all|local|foreign]` inside the node. */
  hbStandby(which: 'all' | 'local' | 'foreign' = 'all'): ExecResult {
    return this.exec('/usr/share/heartbeat/hb_standby', [which]);
  }

  /** `hb_takeover [all|local|foreign]` inside the node. */
  hbTakeover(which: 'all' | 'local' | 'foreign' = 'all'): ExecResult {
    return this.exec('/usr/share/heartbeat/hb_takeover', [which]);
  }

  /** Heartbeat's log file (logfile directive, inside its private /run). */
  log(): string {
    try {
      return readFileSync(join(this.runDir, 'hbts-real-ha-log'), 'utf8');
    } catch {
      return '';
    }
  }

  stdout(): string {
    try {
      return readFileSync(join(this.dir, 'stdout'), 'utf8');
    } catch {
      return '';
    }
  }
}
