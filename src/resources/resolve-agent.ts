// Decides which agent runs a haresources resource, in this order:
//   1. `ocf:PROVIDER:TYPE::name=value...`  direct OCF agent (our extension)
//   2. `OCF::TYPE::INSTANCE`                OCF agent with Heartbeat's instance file (done natively)
//   3. IPaddr / IPaddr2 / bare address      built-in address agent (unless ipAgent = 'script')
//   4. <resourceDir>/NAME                   heartbeat-style script (Heartbeat's first place)
//   5. <initDir>/NAME                       LSB init script (Heartbeat's second place)
// Resolution happens at every operation, so a script installed later is found without a restart.
// Synchronous on purpose (a few stat calls): `hbts check` and the config host checks can ask the
// very same question the runner asks, without an event loop.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutableFile } from '../config/host-files.js';
import type { ResourceLocator } from '../config/load.js';
import { readConfigFileSync } from '../config/load-file.js';
import type { ResourceSpec } from '../config/resource-config.js';
import { parseIpSpec, type IpSpec } from './ip-spec.js';
import {
  PLAIN_NAME_RE,
  directInstanceName,
  parseDirectOcfAgent,
  parseDirectOcfParams,
  parseOcfInstanceFile,
} from './ocf-params.js';
import { errorText } from './run-command.js';

export type ResolvedAgent =
  | { readonly kind: 'builtin-ip'; readonly spec: IpSpec; readonly flavour: string }
  | { readonly kind: 'heartbeat'; readonly path: string; readonly args: readonly string[] }
  | { readonly kind: 'lsb'; readonly path: string; readonly args: readonly string[] }
  | {
      readonly kind: 'ocf';
      readonly path: string;
      readonly provider: string;
      readonly type: string;
      readonly instance: string;
      /** Variables to export (OCF_RESKEY_*... as given). */
      readonly params: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'missing'; readonly detail: string };

export interface LookupDirs {
  readonly configDir: string;
  readonly resourceDir: string;
  readonly initDir: string;
  readonly ocfRoot: string;
  readonly ipAgent: 'builtin' | 'script';
}

export const BUILTIN_IP_AGENTS: readonly string[] = ['IPaddr', 'IPaddr2'];

export function resolveAgent(rsc: ResourceSpec, dirs: LookupDirs): ResolvedAgent {
  const direct = parseDirectOcfAgent(rsc.agent);
  if (direct) {
    if (!direct.ok) return { kind: 'missing', detail: direct.error };
    const params = parseDirectOcfParams(rsc.args);
    if (!params.ok) return { kind: 'missing', detail: params.error };
    const { provider, type } = direct.value;
    const path = join(dirs.ocfRoot, 'resource.d', provider, type);
    if (!isExecutableFile(path))
      return { kind: 'missing', detail: `OCF agent ${path} not found or not executable` };
    const reskeys: Record<string, string> = {};
    for (const [k, v] of Object.entries(params.value)) reskeys[k.slice('OCF_RESKEY_'.length)] = v;
    return {
      kind: 'ocf',
      path,
      provider,
      type,
      instance: directInstanceName(type, reskeys),
      params: params.value,
    };
  }

  if (rsc.agent === 'OCF') return resolveHeartbeatOcf(rsc, dirs);

  if (dirs.ipAgent === 'builtin' && BUILTIN_IP_AGENTS.includes(rsc.agent)) {
    if (rsc.args.length !== 1)
      return {
        kind: 'missing',
        detail: `${rsc.agent} takes one argument ip[/bits[/iface[:label]][/broadcast]], got ${rsc.args.length}`,
      };
    const spec = parseIpSpec(rsc.args[0] ?? '');
    if (!spec.ok) return { kind: 'missing', detail: spec.error };
    return { kind: 'builtin-ip', spec: spec.value, flavour: rsc.agent };
  }

  if (rsc.agent === '' || rsc.agent.includes('/') || rsc.agent === '.' || rsc.agent === '..')
    return { kind: 'missing', detail: `bad resource name "${rsc.agent}"` };
  const inResourceDir = join(dirs.resourceDir, rsc.agent);
  if (isExecutableFile(inResourceDir)) return { kind: 'heartbeat', path: inResourceDir, args: rsc.args };
  const inInitDir = join(dirs.initDir, rsc.agent);
  if (isExecutableFile(inInitDir)) return { kind: 'lsb', path: inInitDir, args: rsc.args };
  return {
    kind: 'missing',
    detail: `Cannot locate resource script ${rsc.agent} (looked for an executable file in ${dirs.resourceDir} and ${dirs.initDir})`,
  };
}

/** `OCF::TYPE::INSTANCE`: the first `<ocfRoot>/resource.d/*\/TYPE`, parameters from the instance file. */
function resolveHeartbeatOcf(rsc: ResourceSpec, dirs: LookupDirs): ResolvedAgent {
  const [type, instance, ...extra] = rsc.args;
  if (type === undefined || instance === undefined || extra.length > 0)
    return { kind: 'missing', detail: `OCF resources are written OCF::TYPE::INSTANCE, got "${rsc.raw}"` };
  if (!PLAIN_NAME_RE.test(type) || !PLAIN_NAME_RE.test(instance))
    return {
      kind: 'missing',
      detail: `bad OCF type or instance name in "${rsc.raw}" (plain names only, no '.' or '..')`,
    };
  const base = join(dirs.ocfRoot, 'resource.d');
  let providers: string[];
  try {
    providers = readdirSync(base).sort();
  } catch (err) {
    return { kind: 'missing', detail: `cannot list ${base}: ${errorText(err)}` };
  }
  let found: { path: string; provider: string } | undefined;
  for (const provider of providers) {
    const path = join(base, provider, type);
    if (isExecutableFile(path)) {
      found = { path, provider };
      break;
    }
  }
  if (!found) return { kind: 'missing', detail: `no OCF agent ${type} in ${base}/*/` };
  const file = join(dirs.configDir, 'conf', 'OCF', type, instance);
  // A regular file of at most 1 MiB: a FIFO here must not hang `hbts check` or the daemon.
  const read = readConfigFileSync(file, 'utf8');
  if (read.kind !== 'ok') {
    const why = read.kind === 'missing' ? 'no such file' : read.message;
    return { kind: 'missing', detail: `cannot read OCF instance file ${file}: ${why}` };
  }
  const params = parseOcfInstanceFile(file, read.text);
  if (!params.ok) return { kind: 'missing', detail: params.error };
  return { kind: 'ocf', path: found.path, provider: found.provider, type, instance, params: params.value };
}

export interface LocateOptions {
  readonly configDir: string;
  readonly resourceDir?: string;
  readonly initDir?: string;
  readonly ocfRoot?: string;
  readonly ipAgent?: 'builtin' | 'script';
}

export function lookupDirs(options: LocateOptions): LookupDirs {
  return {
    configDir: options.configDir,
    resourceDir: options.resourceDir ?? join(options.configDir, 'resource.d'),
    initDir: options.initDir ?? '/etc/init.d',
    ocfRoot: options.ocfRoot ?? '/usr/lib/ocf',
    ipAgent: options.ipAgent ?? 'builtin',
  };
}

/**
 * Which agent would run `rsc`, in words, for config checks (`hbts check`) and logs — the same
 * resolution the runner performs. `ok: false` carries the runner's own error text.
 */
export function locateResource(
  rsc: ResourceSpec,
  options: LocateOptions,
):
  | { readonly ok: true; readonly kind: Exclude<ResolvedAgent['kind'], 'missing'>; readonly where: string }
  | { readonly ok: false; readonly error: string } {
  const agent = resolveAgent(rsc, lookupDirs(options));
  switch (agent.kind) {
    case 'missing':
      return { ok: false, error: agent.detail };
    case 'builtin-ip':
      return { ok: true, kind: agent.kind, where: `built-in ${agent.flavour}` };
    case 'heartbeat':
      return { ok: true, kind: agent.kind, where: `${agent.path} (heartbeat-style)` };
    case 'lsb':
      return { ok: true, kind: agent.kind, where: `${agent.path} (LSB)` };
    case 'ocf':
      return { ok: true, kind: agent.kind, where: `${agent.path} (OCF, instance ${agent.instance})` };
  }
}

/**
 * locateResource as the config loader's resource locator, so `hbts check` and the daemon's host
 * checks ask exactly what the runner (with the same directories) will do.
 */
export function resourceLocator(options: Omit<LocateOptions, 'configDir'> = {}): ResourceLocator {
  return (rsc, configDir) => locateResource(rsc, { ...options, configDir });
}
