// A two-namespace lab for the resource tests: `node` (runs the agents) and `peer` (watches the
// wire), joined by a veth pair on 198.18.40.0/24. Names carry `hbtsres-<pid>` so parallel runs
// never clash; everything is deleted on teardown, on process exit, and before setup.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ResourceLab {
  readonly nodeNs: string;
  readonly peerNs: string;
  readonly nodeIf: string;
  readonly peerIf: string;
  readonly nodeIp: string;
  readonly peerIp: string;
  readonly nodeMac: string;
  readonly dir: string;
  /** Wrapper programs that run `ip` / `arping` inside the node namespace. */
  readonly ipCommand: string;
  readonly arpingCommand: string;
  /** An OCF root whose agents run inside the node namespace (lib/ points at the real one). */
  readonly ocfRoot: string;
  /** `ip` in a namespace; throws with stderr on failure. */
  ip(ns: string, ...args: string[]): string;
  teardown(): void;
}

const PREFIX = `hbtsres-${process.pid}`;

/** Why the lab cannot run here, or undefined when it can. */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  for (const [bin, pkg] of [
    ['ip', 'iproute2'],
    ['arping', 'iputils-arping'],
    ['tcpdump', 'tcpdump'],
    ['ping', 'iputils-ping'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0)
      return `needs ${bin} (Debian package ${pkg})`;
  }
  return undefined;
}

function deleteNamespaces(): void {
  for (const suffix of ['node', 'peer'])
    spawnSync('ip', ['netns', 'del', `${PREFIX}-${suffix}`], { stdio: 'ignore' });
}

export function createResourceLab(): ResourceLab {
  deleteNamespaces();
  process.once('exit', deleteNamespaces);
  const nodeNs = `${PREFIX}-node`;
  const peerNs = `${PREFIX}-peer`;
  // Interface names: at most 15 characters.
  const nodeIf = `hrn${process.pid}`.slice(0, 12);
  const peerIf = `hrp${process.pid}`.slice(0, 12);
  const nodeIp = '198.18.40.1';
  const peerIp = '198.18.40.2';
  const dir = mkdtempSync(join(tmpdir(), 'hbtsres-lab-'));
  const run = (...args: string[]): string =>
    execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ip = (ns: string, ...args: string[]): string => run('-n', ns, ...args);
  try {
    run('netns', 'add', nodeNs);
    run('netns', 'add', peerNs);
    run('link', 'add', nodeIf, 'netns', nodeNs, 'type', 'veth', 'peer', 'name', peerIf, 'netns', peerNs);
    ip(nodeNs, 'addr', 'add', `${nodeIp}/24`, 'dev', nodeIf);
    ip(peerNs, 'addr', 'add', `${peerIp}/24`, 'dev', peerIf);
    for (const [ns, ifc] of [
      [nodeNs, nodeIf],
      [peerNs, peerIf],
    ] as const) {
      ip(ns, 'link', 'set', 'lo', 'up');
      ip(ns, 'link', 'set', ifc, 'up');
    }
  } catch (err) {
    deleteNamespaces();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const nodeMac = /link\/ether ([0-9a-f:]{17})/.exec(ip(nodeNs, 'link', 'show', nodeIf))?.[1] ?? '';

  const wrapper = (path: string, target: string): string => {
    writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${nodeNs} ${target} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const ipCommand = wrapper(join(dir, 'ip'), 'ip');
  const arpingCommand = wrapper(join(dir, 'arping'), 'arping');
  const ocfRoot = join(dir, 'ocf');
  mkdirSync(join(ocfRoot, 'resource.d', 'heartbeat'), { recursive: true });
  symlinkSync('/usr/lib/ocf/lib', join(ocfRoot, 'lib'));
  for (const agent of ['IPaddr2', 'Dummy'])
    wrapper(join(ocfRoot, 'resource.d', 'heartbeat', agent), `/usr/lib/ocf/resource.d/heartbeat/${agent}`);

  return {
    nodeNs,
    peerNs,
    nodeIf,
    peerIf,
    nodeIp,
    peerIp,
    nodeMac,
    dir,
    ipCommand,
    arpingCommand,
    ocfRoot,
    ip,
    teardown() {
      deleteNamespaces();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
