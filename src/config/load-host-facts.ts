// Facts about the host a config is checked on: interfaces exist (and have a broadcast address for
// bcast), serial devices exist, resource scripts can be found, respawn/apiauth users and groups
// exist. `hbts check` reports them as warnings so a config can be validated on any machine; the
// daemon asks for severity 'error' where it needs them.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ClusterConfig, ConfigIssue, SourceLocation } from './types.js';

export interface HostPaths {
  readonly sysClassNet: string;
  readonly initDir: string;
  readonly ocfRoot: string;
  readonly passwd: string;
  readonly group: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = {
  sysClassNet: '/sys/class/net',
  initDir: '/etc/init.d',
  ocfRoot: '/usr/lib/ocf/resource.d',
  passwd: '/etc/passwd',
  group: '/etc/group',
};

/** Agents heartbeat-ts runs itself when no script is found (design: resources/ built-ins). */
export const BUILT_IN_AGENTS: readonly string[] = ['IPaddr', 'IPaddr2'];

/** Everything the host-fact checks need to know about the files' names. */
export interface HostFactContext {
  readonly configDir: string;
  readonly haCfFile: string;
  readonly haresourcesFile: string;
  readonly severity: 'warning' | 'error';
  readonly paths?: HostPaths;
}

/** This host's IPv4/IPv6 addresses (for the "ucast to ourselves only" check). */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((a) => a.address);
}

export function interfaceExists(name: string, paths: HostPaths = DEFAULT_HOST_PATHS): boolean {
  const base = name.split(':')[0] ?? name;
  return Object.hasOwn(networkInterfaces(), name) || existsSync(join(paths.sysClassNet, base));
}

/**
 * IPv4 broadcast addresses of an interface, from `ip -j -4 addr show dev IF` (no shell, 2 s timeout).
 * undefined when `ip` cannot tell (missing tool, unknown interface).
 */
export function ipv4Broadcasts(iface: string): { addresses: string[]; broadcasts: string[] } | undefined {
  try {
    const out = execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', iface], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const links = JSON.parse(out) as Array<{ addr_info?: Array<{ local?: string; broadcast?: string }> }>;
    const infos = links.flatMap((l) => l.addr_info ?? []);
    return {
      addresses: infos.flatMap((a) => (a.local !== undefined ? [a.local] : [])),
      broadcasts: infos.flatMap((a) => (a.broadcast !== undefined ? [a.broadcast] : [])),
    };
  } catch {
    return undefined;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function namesInColonFile(path: string): Set<string> | undefined {
  try {
    return new Set(
      readFileSync(path, 'utf8')
        .split('\n')
        .map((l) => l.split(':')[0] ?? '')
        .filter((n) => n !== '' && !n.startsWith('#')),
    );
  } catch {
    return undefined;
  }
}

/**
 * Where the script for `agent` would be found: resource.d, then /etc/init.d (Heartbeat's order),
 * then an OCF agent of that type (`OCF::type::instance` names the type), then our built-ins.
 * undefined: nowhere.
 */
export function locateResourceScript(
  agent: string,
  args: readonly string[],
  configDir: string,
  paths: HostPaths = DEFAULT_HOST_PATHS,
): string | undefined {
  for (const dir of [join(configDir, 'resource.d'), paths.initDir]) {
    const p = join(dir, agent);
    if (isExecutableFile(p)) return p;
  }
  const ocfType = agent === 'OCF' ? args[0] : agent;
  if (ocfType !== undefined) {
    try {
      const providers = readdirSync(paths.ocfRoot).sort(
        (a, b) => Number(b === 'heartbeat') - Number(a === 'heartbeat'),
      );
      for (const provider of providers) {
        const p = join(paths.ocfRoot, provider, ocfType);
        if (isExecutableFile(p)) return p;
      }
    } catch {
      // no OCF root on this host: fall through
    }
  }
  if (BUILT_IN_AGENTS.includes(agent)) return `built-in ${agent}`;
  return undefined;
}

export function hostFactIssues(config: ClusterConfig, ctx: HostFactContext): ConfigIssue[] {
  const paths = ctx.paths ?? DEFAULT_HOST_PATHS;
  const issues: ConfigIssue[] = [];
  const add = (at: SourceLocation, message: string): void =>
    void issues.push({
      file: at.file,
      line: at.line,
      severity: ctx.severity,
      message: `on this host: ${message}`,
    });

  const checkedIfaces = new Set<string>();
  for (const m of config.media) {
    if (m.kind === 'serial') {
      if (!existsSync(m.device)) add(m.at, `serial device ${m.device} does not exist`);
      continue;
    }
    if (checkedIfaces.has(m.iface)) continue;
    checkedIfaces.add(m.iface);
    if (!interfaceExists(m.iface, paths)) {
      add(m.at, `network interface ${m.iface} does not exist`);
      continue;
    }
    const bcast = m.kind === 'bcast' ? ipv4Broadcasts(m.iface) : undefined;
    if (bcast !== undefined && bcast.broadcasts.length === 0) {
      add(
        m.at,
        bcast.addresses.length === 0
          ? `interface ${m.iface} has no IPv4 address, so bcast on it reaches no one`
          : `interface ${m.iface} has no IPv4 broadcast address (added without \`brd +\`?); Heartbeat's bcast then sends ` +
              'to 0.0.0.0 and nothing leaves the host: add the address with `ip addr add ... brd + dev ' +
              `${m.iface}\``,
      );
    }
  }
  for (const g of config.resourceGroups) {
    for (const r of g.resources) {
      if (locateResourceScript(r.agent, r.args, config.configDir, paths) === undefined) {
        add(
          g.at,
          `no resource script for '${r.agent}' (looked in ${join(config.configDir, 'resource.d')}, ${paths.initDir}` +
            `, ${paths.ocfRoot}/*)`,
        );
      }
    }
  }
  const users = namesInColonFile(paths.passwd);
  const groups = namesInColonFile(paths.group);
  for (const c of config.clients ?? []) {
    if (users !== undefined && !users.has(c.user))
      add(c.at, `${c.kind} user '${c.user}' is not in ${paths.passwd}`);
    if (!isExecutableFile(c.path)) add(c.at, `${c.kind} program ${c.path} is not an executable file`);
  }
  for (const a of config.apiauth ?? []) {
    for (const u of a.uids)
      if (users !== undefined && !users.has(u))
        add(a.at, `apiauth ${a.client}: user '${u}' is not in ${paths.passwd}`);
    for (const g of a.gids)
      if (groups !== undefined && !groups.has(g))
        add(a.at, `apiauth ${a.client}: group '${g}' is not in ${paths.group}`);
  }
  if (config.watchdog !== undefined && !existsSync(config.watchdog)) {
    add({ file: ctx.haCfFile, line: 0 }, `watchdog device ${config.watchdog} does not exist`);
  }
  return issues;
}
