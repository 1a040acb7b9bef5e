// The lab's network: a switch namespace holding a bridge per net, node namespaces each with eth0
// (198.18.16.0/24, service + heartbeat), optionally eth1 (198.18.17.0/24, second heartbeat net) and
// mgmt0 (198.18.18.0/24, the management net where the simulated BMCs of ipmi-bmc.ts listen), a
// client namespace on the service net, extra hosts, and each node's directories. It owns the
// namespaces it made and removes them again (with whatever still runs in them).
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabError } from './errors.js';
import { sh } from './lab-shell.js';
import { pidsInNamespace } from './netns-pids.js';

let labCounter = 0;

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

export class LabTopology {
  readonly prefix: string;
  readonly sw: string;
  readonly client: string;
  readonly clientAddr: string;
  readonly nodes: LabNode[] = [];
  readonly dir: string;
  private readonly namespaces: string[] = [];
  readonly net: number;

  protected constructor(readonly options: LabOptions) {
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

  private addNs(name: string): void {
    sh('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    // keep IPv6 out of the way (DAD delays, router solicitations)
    sh('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], true);
  }

  protected build(): void {
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
   * Remove every namespace this lab made, last made first. Detached children (resource scripts,
   * orphans of a killed daemon) live on in them: they are ended by PID before the namespaces go.
   */
  protected removeNamespaces(): void {
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
  }
}
