// A reusable network-namespace lab (lab tests and `hbts demo`): the network of lab-topology.ts
// (switch, node, client namespaces on 198.18.16.0/15) plus what runs in it: per-node
// /etc/ha.d-style config directories, `hbts daemon` and a small HTTP server per node, and a client
// that probes a VIP every 10 ms. Everything it creates is named `hbtslab<pid>...` and is removed
// again, also on failure: by cleanup(), and by the 'exit'/signal hooks of lab-exit-hooks.ts for the
// cases where a test dies half-way.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hbtsMain } from './dist-paths.js';
import { addLiveLab, installLabExitHooks, removeLiveLab } from './lab-exit-hooks.js';
import { sh } from './lab-shell.js';
import { LabTopology } from './lab-topology.js';
import type { LabNode, LabOptions } from './lab-topology.js';
import { ProbeClient } from './probe-results.js';
import { supervisedDaemonPid } from './supervised-daemon.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface HaFiles {
  /** ha.cf body (the lab adds nothing). */
  readonly haCf: string;
  readonly haresources: string;
  /** `auth 1\n1 sha1 ...` by default. */
  readonly authkeys?: string;
  /** Extra files under the config dir, e.g. `resource.d/web`: contents (made executable). */
  readonly scripts?: Readonly<Record<string, string>>;
}

export class Lab extends LabTopology {
  private readonly procs = new Set<ChildProcess>();
  private cleaned = false;

  private constructor(options: LabOptions) {
    super(options);
  }

  static create(options: LabOptions): Lab {
    installLabExitHooks(options.signalHooks ?? true);
    const lab = new Lab(options);
    addLiveLab(lab);
    try {
      lab.build();
    } catch (err) {
      lab.cleanupSync();
      throw err;
    }
    return lab;
  }

  /** Write the same ha.cf/haresources/authkeys/scripts into every node's config dir. */
  writeConfig(files: HaFiles): void {
    for (const n of this.nodes) this.writeNodeConfig(n, files);
  }

  writeNodeConfig(n: LabNode, files: HaFiles): void {
    writeFileSync(join(n.configDir, 'ha.cf'), files.haCf);
    writeFileSync(join(n.configDir, 'haresources'), files.haresources);
    const authkeys = join(n.configDir, 'authkeys');
    writeFileSync(authkeys, files.authkeys ?? 'auth 1\n1 sha1 hbts-lab-secret\n', { mode: 0o600 });
    chmodSync(authkeys, 0o600);
    for (const [rel, body] of Object.entries(files.scripts ?? {})) {
      const p = join(n.configDir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, body.replaceAll('@NODE@', n.name).replaceAll('@DIR@', join(this.dir, n.name)));
      chmodSync(p, 0o755);
    }
  }

  /** Spawn a long-running process inside a namespace; tracked and killed by PID in cleanup. */
  spawnIn(ns: string, cmd: string, args: readonly string[], logFile?: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.procs.add(child);
    child.on('exit', () => this.procs.delete(child));
    // `ip netns exec` execs the command in place, so this PID is the process inside the node
    const node = this.nodes.find((n) => n.ns === ns);
    if (node !== undefined && child.pid !== undefined)
      writeFileSync(node.pidFile, `${child.pid}\n`, { flag: 'a' });
    if (logFile !== undefined) {
      const append = (b: Buffer): void => {
        try {
          writeFileSync(logFile, b, { flag: 'a' });
        } catch {
          // the lab dir may be gone during cleanup
        }
      };
      child.stdout?.on('data', append);
      child.stderr?.on('data', append);
    }
    return child;
  }

  /** Track a process the test started itself (outside the nodes): killed by PID in cleanup. */
  track(child: ChildProcess): ChildProcess {
    this.procs.add(child);
    child.on('exit', () => this.procs.delete(child));
    return child;
  }

  startDaemon(n: LabNode, extraArgs: readonly string[] = []): ChildProcess {
    const child = this.spawnIn(
      n.ns,
      process.execPath,
      [
        hbtsMain,
        'daemon',
        '--config-dir',
        n.configDir,
        '--node-name',
        n.name,
        '--run-dir',
        n.runDir,
        '--state-dir',
        n.stateDir,
        '--foreground',
        ...extraArgs,
      ],
      n.logFile,
    );
    n.daemon = child;
    return child;
  }

  startHttp(n: LabNode, port = 80): ChildProcess {
    const child = this.spawnIn(n.ns, process.execPath, [join(here, 'http-server.js'), String(port), n.name]);
    n.http = child;
    return child;
  }

  /** Run a command inside a namespace and return stdout (throws on failure unless allowFail). */
  exec(ns: string, cmd: string, args: readonly string[], allowFail = false): string {
    return sh('ip', ['netns', 'exec', ns, cmd, ...args], allowFail);
  }

  /** `hbts <cmd>` inside a node namespace against that node's run dir. */
  hbts(n: LabNode, args: readonly string[], allowFail = false): string {
    return this.exec(n.ns, process.execPath, [hbtsMain, ...args, '--run-dir', n.runDir], allowFail);
  }

  /**
   * Signal a process the lab started. SIGKILL of a node's `hbts daemon` is a crash: the supervisor
   * and the daemon it runs are both killed (supervisor first, so it cannot react); other signals
   * go to the supervisor, which forwards them.
   */
  kill(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const node = this.nodes.find((n) => n.daemon === child);
    const inner = signal === 'SIGKILL' && node ? supervisedDaemonPid(child.pid, node.runDir) : undefined;
    for (const pid of inner === undefined ? [child.pid] : [child.pid, inner]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  /** The pid of the daemon a node's supervisor runs now (its hbts.pid), if that daemon is alive. */
  daemonChildPid(n: LabNode): number | undefined {
    return n.daemon?.pid === undefined ? undefined : supervisedDaemonPid(n.daemon.pid, n.runDir);
  }

  /** Wait for a child to exit; SIGKILL it after timeoutMs. Returns its exit code (or signal). */
  async waitExit(child: ChildProcess | undefined, timeoutMs = 15000): Promise<number | string | null> {
    if (!child) return null;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
    return new Promise((resolve) => {
      const t = setTimeout(() => this.kill(child, 'SIGKILL'), timeoutMs);
      child.once('exit', (code, sig) => {
        clearTimeout(t);
        resolve(code ?? sig);
      });
    });
  }

  log(n: LabNode): string {
    try {
      return readFileSync(n.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** A client probing http://VIP:PORT/ every 10 ms, each probe failing after `timeoutMs`. */
  startClient(vip: string, port = 80, timeoutMs = 250): ProbeClient {
    const child = this.spawnIn(this.client, process.execPath, [
      join(here, 'probe-client.js'),
      vip,
      String(port),
      String(timeoutMs),
    ]);
    return new ProbeClient(child);
  }

  async cleanup(): Promise<void> {
    const procs = [...this.procs];
    for (const p of procs) this.kill(p, 'SIGTERM');
    await Promise.all(procs.map((p) => this.waitExit(p, 3000)));
    this.cleanupSync();
  }

  /** Synchronous cleanup for exit hooks: SIGKILL what we started, delete namespaces and files. */
  cleanupSync(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const p of this.procs) this.kill(p, 'SIGKILL');
    this.removeNamespaces();
    if (!process.env['HBTS_LAB_KEEP']) rmSync(this.dir, { recursive: true, force: true });
    removeLiveLab(this);
  }
}

export { ProbeClient };
export type { Probe } from './probe-results.js';
