// Facts about the host a config is checked on: interfaces exist (and have a broadcast address for
// bcast), serial devices exist, resource scripts can be found, respawn/apiauth users and groups
// exist, ping and ucast host names resolve. `hbts check` reports them as warnings so a config can be
// validated on any machine; the daemon (and `check --as-daemon`) asks for severity 'error' for the
// facts it needs and those Heartbeat refuses to start without (interfaces, serial devices, scripts,
// respawn users and programs, apiauth users and groups, ping and ucast names); the others
// (broadcast address, ping_group members, watchdog) always stay warnings. Fencing's
// facts are in load-fence-facts.ts; a password others can read is an error whoever asks.
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { existsSync } from 'node:fs';
import { readConfigFileSync } from './load-file.js';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ResourceSpec } from './resource-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { ClusterConfig } from './types.js';
import { isExecutableFile } from './host-files.js';
import { fenceFacts, type FenceInspector } from './load-fence-facts.js';
import { apiFacts } from './load-api-facts.js';

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
  /** Which ping/ucast host names resolved (resolveHostNames); absent: not checked. */
  readonly resolved?: ReadonlyMap<string, boolean>;
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

/** Host names in ha.cf that must resolve: ping nodes and ping_group members, ucast peers. */
export function hostNamesToResolve(config: ClusterConfig): string[] {
  const names = new Set<string>();
  for (const p of config.pingTargets) {
    if (p.kind === 'ping6') continue;
    for (const a of p.addresses) if (!isIP(a)) names.add(a);
  }
  for (const m of config.media) if (m.kind === 'ucast' && !isIP(m.peer)) names.add(m.peer);
  return [...names];
}

/** Resolves each name to an IPv4 address (as Heartbeat's gethostbyname), at most `timeoutMs` in all. */
export async function resolveHostNames(
  names: readonly string[],
  timeoutMs = 3000,
): Promise<ReadonlyMap<string, boolean>> {
  const out = new Map<string, boolean>();
  await Promise.all(
    names.map(async (name) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
      const found = lookup(name, { family: 4 }).then(
        () => true,
        () => false,
      );
      out.set(name, await Promise.race([found, late]));
      clearTimeout(timer);
    }),
  );
  return out;
}

/**
 * Heartbeat refuses a ping node or ucast peer whose name does not resolve ("Illegal ping", "ucast:
 * cannot resolve hostname"): needed facts. A ping_group member that does not resolve is only logged
 * and left out of the group (Heartbeat runs, even when no member resolves): advice.
 */
function hostNameFacts(
  config: ClusterConfig,
  resolved: ReadonlyMap<string, boolean> | undefined,
  add: (at: SourceLocation, message: string) => void,
  advise: (at: SourceLocation, message: string) => void,
): void {
  if (resolved === undefined) return;
  const unresolved = (name: string): boolean => resolved.get(name) === false;
  for (const p of config.pingTargets) {
    const bad = p.addresses.filter(unresolved);
    if (bad.length === 0) continue;
    const names = bad.map((n) => `'${n}'`).join(', ');
    if (p.kind === 'ping_group') {
      const left = p.addresses.length - bad.length;
      advise(
        p.at,
        `ping_group ${p.name} member ${names} does not resolve to an IPv4 address; Heartbeat logs "unknown host" and ` +
          `leaves it out, so the group has ${left === 0 ? 'no member left and can never answer' : `${left} member${left === 1 ? '' : 's'} left`}: ` +
          'write its address, or add it to /etc/hosts',
      );
      continue;
    }
    add(
      p.at,
      `ping node ${names} does not resolve to an IPv4 address (Heartbeat refuses it: "Illegal ping"); write its address, or add it to /etc/hosts`,
    );
  }
  for (const m of config.media) {
    if (m.kind !== 'ucast' || !unresolved(m.peer)) continue;
    add(
      m.at,
      `ucast peer '${m.peer}' does not resolve to an IPv4 address (Heartbeat refuses it: "ucast: cannot resolve hostname"); ` +
        'write its address, or add it to /etc/hosts',
    );
  }
}

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
  // Heartbeat refuses to start on these two ("Invalid uid [...] specified for client child", "Client
  // child command [...] is not executable"), so the daemon does too.
  for (const c of config.clients ?? []) {
    if (users !== undefined && !users.has(c.user))
      add(c.at, `${c.kind} user '${c.user}' is not in ${paths.passwd} (Heartbeat refuses it: "Invalid uid")`);
    if (!isExecutableFile(c.path))
      add(
        c.at,
        `${c.kind} program ${c.path} is not an executable file (Heartbeat refuses it: "is not executable")`,
      );
  }
  hostNameFacts(config, ctx.resolved, add, advise);
  // Heartbeat refuses these too ("Invalid apiauth directive").
  for (const a of config.apiauth ?? []) {
    for (const u of a.uids)
      if (users !== undefined && !users.has(u))
        add(
          a.at,
          `apiauth ${a.client}: user '${u}' is not in ${paths.passwd} (Heartbeat refuses it: "Bad uid list")`,
        );
    for (const g of a.gids)
      if (groups !== undefined && !groups.has(g))
        add(
          a.at,
          `apiauth ${a.client}: group '${g}' is not in ${paths.group} (Heartbeat refuses it: "Bad gid list")`,
        );
  }
  // a hook that cannot run only costs its notifications (each failure is logged): a warning
  for (const h of config.notify ?? [])
    if (!isExecutableFile(h.path)) advise(h.at, `notify program ${h.path} is not an executable file`);
  if (config.watchdog !== undefined && !existsSync(config.watchdog)) {
    advise({ file: ctx.haCfFile, line: 0 }, `watchdog device ${config.watchdog} does not exist`);
  }
  const secret = (at: SourceLocation, message: string): void =>
    void issues.push({ file: at.file, line: at.line, severity: 'error', message });
  fenceFacts(config, ctx.inspectFence, { secret, needed: add, advise });
  apiFacts(config, { secret, needed: add });
  return issues;
}
