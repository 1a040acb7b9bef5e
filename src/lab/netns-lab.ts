// A reusable network-namespace lab (lab tests and `hbts demo`): a switch namespace holding bridges, node namespaces each with
// eth0 (198.18.16.0/24, service + heartbeat), optionally eth1 (198.18.17.0/24, second heartbeat
// net) and mgmt0 (198.18.18.0/24, the management net where the simulated BMCs of ipmi-bmc.ts
// listen), a client namespace on the service net, per-node /etc/ha.d-style config directories,
// `hbts daemon` and a small HTTP server per node, and a client that probes a VIP every 10 ms.
// Everything it creates is named `hbtslab<pid>...` and is removed again, also on failure: by
// cleanup(), and by an 'exit'/signal hook for the cases where a test dies half-way.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError, LabTimeoutError } from './errors.js';
import { pidsInNamespace } from './netns-pids.js';
import { ProbeClient } from './probe-results.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/ root of the compiled project (this file is dist/src/lab/netns-lab.js). */
export const distRoot = join(here, '..', '..');
export const hbtsMain = join(distRoot, 'src', 'cli', 'main.js');

/** Why lab tests cannot run here, or undefined when they can. */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'lab tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'lab tests need root (network namespaces)';
  if (spawnSync('ip', ['-V']).status !== 0) return "lab tests need iproute2's ip";
  return undefined;
}

export function sh(cmd: string, args: readonly string[], allowFail = false): string {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0 && !allowFail) {
    // r.error: the spawn itself failed (missing program, timeout)
    const cause = r.error !== undefined ? { cause: r.error } : undefined;
    throw new LabError(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`, cause);
  }
  return r.stdout;
}

let labCounter = 0;
const liveLabs = new Set<Lab>();
let hooksInstalled = false;
let signalHooksInstalled = false;
function installHooks(signals: boolean): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', () => {
      for (const lab of liveLabs) lab.cleanupSync();
    });
  }
  if (!signals || signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const lab of liveLabs) lab.cleanupSync();
      process.exit(130);
    });
  }
}

export interface LabNode {
  readonly name: string;
  readonly ns: string;
  readonly index: number;
  /** eth0 address (service + first heartbeat net). */
  readonly addr: string;
  /** eth1 address on the second heartbeat net, when the lab has one. */
  readonly addr2: string | undefined;
  /** mgmt0 address on the management net, when the lab has one. */
  readonly addrMgmt: string | undefined;
  /** The node's own directory in the lab dir (config, run, state, pid list). */
  readonly dir: string;
  /** PIDs of every process the lab started in this node's namespace, one a line (power-off reads it). */
  readonly pidFile: string;
  readonly configDir: string;
  readonly runDir: string;
  readonly stateDir: string;
  readonly logFile: string;
  daemon: ChildProcess | undefined;
  http: ChildProcess | undefined;
}

export interface LabOptions {
  readonly nodes: number;
  /** Add eth1 on 198.18.17.0/24 to every node (two-media tests). */
  readonly secondNet?: boolean;
  /**
   * Add a management net (mgmt0 on 198.18.18.0/24 in every node, bridge brm): the simulated BMCs
   * (ipmi-bmc.ts) listen there, so cutting the heartbeat links never cuts the way to a BMC.
   */
  readonly mgmtNet?: boolean;
  /**
   * Add a ping node: a namespace of its own on the service net (br0) at .250, answering ICMP
   * echo; `ping <lab.pingTargetAddr>` in ha.cf watches it (switch end `pte0`).
   */
  readonly pingTarget?: boolean;
  /** Base of the address space: third octet of the service net (default 16 -> 198.18.16.0/24). */
  readonly net?: number;
  /** Short tag in namespace names (default `lab`). */
  readonly tag?: string;
  /**
   * Clean up and exit on SIGINT/SIGTERM (default true). The demo handles the signals itself and
   * cleans up gracefully; the 'exit' hook stays either way.
   */
  readonly signalHooks?: boolean;
}

export interface HaFiles {
  /** ha.cf body (the lab adds nothing). */
  readonly haCf: string;
  readonly haresources: string;
  /** `auth 1\n1 sha1 ...` by default. */
  readonly authkeys?: string;
  /** Extra files under the config dir, e.g. `resource.d/web`: contents (made executable). */
  readonly scripts?: Readonly<Record<string, string>>;
}

export class Lab {
  readonly prefix: string;
  readonly sw: string;
  readonly client: string;
  readonly clientAddr: string;
  readonly nodes: LabNode[] = [];
  readonly dir: string;
  private readonly procs = new Set<ChildProcess>();
  private readonly namespaces: string[] = [];
  private cleaned = false;
  readonly net: number;

  private constructor(readonly options: LabOptions) {
    this.net = options.net ?? 16;
    this.prefix = `hbts${options.tag ?? 'lab'}${process.pid}x${labCounter++}`;
    this.sw = `${this.prefix}sw`;
    this.client = `${this.prefix}cl`;
    this.clientAddr = `198.18.${this.net}.100`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
  }

  /** Subnet prefix of the service net, e.g. `198.18.16`. */
  get serviceNet(): string {
    return `198.18.${this.net}`;
  }

  /** Subnet prefix of the management net, e.g. `198.18.18` (two above the service net). */
  get managementNet(): string {
    return `198.18.${this.net + 2}`;
  }

  static create(options: LabOptions): Lab {
    installHooks(options.signalHooks ?? true);
    const lab = new Lab(options);
    liveLabs.add(lab);
    try {
      lab.build();
    } catch (err) {
      lab.cleanupSync();
      throw err;
    }
    return lab;
  }

  private addNs(name: string): void {
    sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    // keep IPv6 out of the way (DAD delays, router solicitations)
    sh('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], true);
  }

  private build(): void {
    this.addNs(this.sw);
    const bridges = [
      'br0',
      ...(this.options.secondNet ? ['br1'] : []),
      ...(this.options.mgmtNet ? ['brm'] : []),
    ];
    for (const br of bridges) {
      sh('ip', ['-n', this.sw, 'link', 'add', br, 'type', 'bridge', 'forward_delay', '0']);
      sh('ip', ['-n', this.sw, 'link', 'set', br, 'up']);
    }
    for (let i = 1; i <= this.options.nodes; i++) {
      const ns = `${this.prefix}n${i}`;
      this.addNs(ns);
      this.plug(ns, 'eth0', `n${i}e0`, 'br0', `${this.serviceNet}.${i}/24`);
      if (this.options.secondNet) this.plug(ns, 'eth1', `n${i}e1`, 'br1', `198.18.${this.net + 1}.${i}/24`);
      if (this.options.mgmtNet) this.plug(ns, 'mgmt0', `n${i}em`, 'brm', `${this.managementNet}.${i}/24`);
      const base = join(this.dir, `node${i}`);
      const node: LabNode = {
        name: `node${i}`,
        ns,
        index: i,
        addr: `${this.serviceNet}.${i}`,
        addr2: this.options.secondNet ? `198.18.${this.net + 1}.${i}` : undefined,
        addrMgmt: this.options.mgmtNet ? `${this.managementNet}.${i}` : undefined,
        dir: base,
        pidFile: join(base, 'lab-pids'),
        configDir: join(base, 'ha.d'),
        runDir: join(base, 'run'),
        stateDir: join(base, 'state'),
        logFile: join(base, 'hbts.log'),
        daemon: undefined,
        http: undefined,
      };
      for (const d of [node.configDir, join(node.configDir, 'resource.d'), node.runDir, node.stateDir]) {
        mkdirSync(d, { recursive: true });
      }
      this.nodes.push(node);
    }
    this.addNs(this.client);
    this.plug(this.client, 'eth0', 'cle0', 'br0', `${this.clientAddr}/24`);
    if (this.options.pingTarget) {
      this.addNs(`${this.prefix}pt`);
      this.plug(`${this.prefix}pt`, 'eth0', 'pte0', 'br0', `${this.pingTargetAddr}/24`);
    }
  }

  /** The ping node's address (with `pingTarget`). */
  get pingTargetAddr(): string {
    return `${this.serviceNet}.250`;
  }

  /**
   * One more host on the service net (an etcd member, say) in a namespace of its own, removed with
   * the lab; processes started in it with spawnIn are ended by PID at cleanup. `tag`: a few letters.
   */
  addHost(tag: string, hostIndex: number): { readonly ns: string; readonly addr: string } {
    const ns = `${this.prefix}${tag}`;
    this.addNs(ns);
    this.plug(ns, 'eth0', `${tag}e0`, 'br0', `${this.serviceNet}.${hostIndex}/24`);
    return { ns, addr: `${this.serviceNet}.${hostIndex}` };
  }

  private plug(ns: string, inner: string, outer: string, bridge: string, cidr: string): void {
    sh('ip', ['-n', this.sw, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', ns]);
    sh('ip', ['-n', this.sw, 'link', 'set', outer, 'master', bridge, 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', cidr, 'brd', '+', 'dev', inner]);
    sh('ip', ['-n', ns, 'link', 'set', inner, 'up']);
  }

  /** A node's links: the device inside the node, its veth end in the switch, the lab's address on it. */
  linksOf(n: LabNode): { readonly dev: string; readonly switchEnd: string; readonly addr: string }[] {
    const links = [{ dev: 'eth0', switchEnd: `n${n.index}e0`, addr: n.addr }];
    if (n.addr2 !== undefined) links.push({ dev: 'eth1', switchEnd: `n${n.index}e1`, addr: n.addr2 });
    if (n.addrMgmt !== undefined) links.push({ dev: 'mgmt0', switchEnd: `n${n.index}em`, addr: n.addrMgmt });
    return links;
  }

  node(name: string): LabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no lab node ${name}`);
    return n;
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

  /** Addresses on a node's interface (to check where a VIP lives). */
  addressesOf(n: LabNode, dev = 'eth0'): string[] {
    const out = sh('ip', ['-n', n.ns, '-j', '-4', 'addr', 'show', 'dev', dev], true);
    try {
      const j = JSON.parse(out) as { addr_info?: { local?: string }[] }[];
      return (j[0]?.addr_info ?? []).map((a) => a.local ?? '').filter((a) => a !== '');
    } catch {
      return [];
    }
  }

  /** Take a node's link down (veth end in the switch), simulating a pulled cable. */
  linkDown(n: LabNode, dev: 'eth0' | 'eth1' = 'eth0'): void {
    sh('ip', ['-n', this.sw, 'link', 'set', `n${n.index}${dev === 'eth0' ? 'e0' : 'e1'}`, 'down']);
  }

  linkUp(n: LabNode, dev: 'eth0' | 'eth1' = 'eth0'): void {
    sh('ip', ['-n', this.sw, 'link', 'set', `n${n.index}${dev === 'eth0' ? 'e0' : 'e1'}`, 'up']);
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
    // Detached children (resource scripts, orphans of a killed daemon) live on in the namespaces
    // this lab made: end them by PID before the namespaces go.
    for (const ns of this.namespaces) {
      for (const pid of pidsInNamespace(ns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of [...this.namespaces].reverse()) spawnSync('ip', ['netns', 'del', ns]);
    if (!process.env['HBTS_LAB_KEEP']) rmSync(this.dir, { recursive: true, force: true });
    liveLabs.delete(this);
  }
}

export { ProbeClient };
export type { Probe } from './probe-results.js';

/**
 * The daemon a supervisor runs: the pid in RUN/hbts.pid when that process is alive and its parent
 * is the supervisor (a stale file or a reused pid is not taken for it).
 */
export function supervisedDaemonPid(supervisorPid: number, runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, 'hbts.pid'), 'utf8').trim());
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the command name in parentheses: state, ppid, ...
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(ppid) === supervisorPid && state !== 'Z' ? pid : undefined;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `cond` every `stepMs` (longer for conditions that run a command) until true or timeout. */
export async function waitUntil(
  what: string,
  cond: () => boolean,
  timeoutMs: number,
  stepMs = 20,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new LabTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}
