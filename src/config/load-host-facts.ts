// Facts about the host a config is checked on: interfaces exist (and have a broadcast address for
// bcast), serial devices exist, resource scripts can be found, respawn/apiauth users and groups
// exist. `hbts check` reports them as warnings so a config can be validated on any machine; the
// daemon asks for severity 'error' for the facts it needs (interfaces, serial devices, scripts);
// the others (broadcast address, respawn/apiauth users, watchdog) always stay warnings. Fencing's
// facts are in load-fence-facts.ts; a password others can read is an error whoever asks.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readConfigFileSync } from './load-file.js';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ClusterConfig, ConfigIssue, ResourceSpec, SourceLocation } from './types.js';
import { isExecutableFile } from './host-files.js';
import { fenceFacts, type FenceInspector } from './load-fence-facts.js';

export type { FenceCheck, FenceInspector } from './load-fence-facts.js';

export interface HostPaths {
  readonly sysClassNet: string;
  readonly passwd: string;
  readonly group: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = {
  sysClassNet: '/sys/class/net',
  passwd: '/etc/passwd',
  group: '/etc/group',
};

/** Everything the host-fact checks need to know about the files' names. */
export interface HostFactContext {
  readonly configDir: string;
  readonly haCfFile: string;
  readonly haresourcesFile: string;
  readonly severity: 'warning' | 'error';
  readonly paths?: HostPaths;
  /** Finds resource scripts: the resource runner's own lookup (config may not import it). */
  readonly locateResource: ResourceLocator;
  /** Checks fence agents and stonith devices: the fencing code's own (fencing/inspect.ts). */
  readonly inspectFence?: FenceInspector;
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

function namesInColonFile(path: string): Set<string> | undefined {
  const read = readConfigFileSync(path, 'utf8', 16 * 1024 * 1024);
  if (read.kind !== 'ok') return undefined;
  return new Set(
    read.text
      .split('\n')
      .map((l) => l.split(':')[0] ?? '')
      .filter((n) => n !== '' && !n.startsWith('#')),
  );
}

/** The answer to "which script would run this resource?": where, or why none. */
export type ResourceLocation =
  { readonly ok: true; readonly where: string } | { readonly ok: false; readonly error: string };

/**
 * Passed in so the daemon and `hbts check` ask the resource runner's own resolver
 * (resources/resolve-agent.ts `resourceLocator`): one lookup, no second copy here to drift.
 */
export type ResourceLocator = (rsc: ResourceSpec, configDir: string) => ResourceLocation;

export function hostFactIssues(config: ClusterConfig, ctx: HostFactContext): ConfigIssue[] {
  const paths = ctx.paths ?? DEFAULT_HOST_PATHS;
  const issues: ConfigIssue[] = [];
  // Needed facts (the daemon cannot run without them) take ctx.severity; advisory ones, about
  // things heartbeat-ts does not act on or that only break real Heartbeat, stay warnings.
  const fact = (needed: boolean, at: SourceLocation, message: string): void =>
    void issues.push({
      file: at.file,
      line: at.line,
      severity: needed ? ctx.severity : 'warning',
      message: `on this host: ${message}`,
    });
  const add = (at: SourceLocation, message: string): void => fact(true, at, message);
  const advise = (at: SourceLocation, message: string): void => fact(false, at, message);

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
      advise(
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
      const found = ctx.locateResource(r, config.configDir);
      if (!found.ok) add(g.at, r.raw === r.agent ? found.error : `${r.raw}: ${found.error}`);
    }
  }
  const users = namesInColonFile(paths.passwd);
  const groups = namesInColonFile(paths.group);
  for (const c of config.clients ?? []) {
    if (users !== undefined && !users.has(c.user))
      advise(c.at, `${c.kind} user '${c.user}' is not in ${paths.passwd}`);
    if (!isExecutableFile(c.path)) advise(c.at, `${c.kind} program ${c.path} is not an executable file`);
  }
  for (const a of config.apiauth ?? []) {
    for (const u of a.uids)
      if (users !== undefined && !users.has(u))
        advise(a.at, `apiauth ${a.client}: user '${u}' is not in ${paths.passwd}`);
    for (const g of a.gids)
      if (groups !== undefined && !groups.has(g))
        advise(a.at, `apiauth ${a.client}: group '${g}' is not in ${paths.group}`);
  }
  // a hook that cannot run only costs its notifications (each failure is logged): a warning
  for (const h of config.notify ?? [])
    if (!isExecutableFile(h.path)) advise(h.at, `notify program ${h.path} is not an executable file`);
  if (config.watchdog !== undefined && !existsSync(config.watchdog)) {
    advise({ file: ctx.haCfFile, line: 0 }, `watchdog device ${config.watchdog} does not exist`);
  }
  fenceFacts(config, ctx.inspectFence, {
    secret: (at, message) => void issues.push({ file: at.file, line: at.line, severity: 'error', message }),
    needed: add,
    advise,
  });
  return issues;
}
