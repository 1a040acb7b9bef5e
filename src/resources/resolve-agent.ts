// Decides which agent runs a haresources resource, in this order:
//   1. `ocf:PROVIDER:TYPE::name=value...`  direct OCF agent (our extension)
//   2. `OCF::TYPE::INSTANCE`                OCF agent with Heartbeat's instance file (done natively)
//   3. IPaddr / IPaddr2 / bare address      built-in address agent (unless ipAgent = 'script')
//   4. <resourceDir>/NAME                   heartbeat-style script (Heartbeat's first place)
//   5. <initDir>/NAME                       LSB init script (Heartbeat's second place)
// Resolution happens at every operation, so a script installed later is found without a restart.
import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResourceSpec } from '../config/types.js';
import { parseIpSpec, type IpSpec } from './ip-spec.js';
import {
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

export async function resolveAgent(rsc: ResourceSpec, dirs: LookupDirs): Promise<ResolvedAgent> {
  const direct = parseDirectOcfAgent(rsc.agent);
  if (direct) {
    if (!direct.ok) return { kind: 'missing', detail: direct.error };
    const params = parseDirectOcfParams(rsc.args);
    if (!params.ok) return { kind: 'missing', detail: params.error };
    const { provider, type } = direct.value;
    const path = join(dirs.ocfRoot, 'resource.d', provider, type);
    if (!(await isExecutableFile(path)))
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
  if (await isExecutableFile(inResourceDir))
    return { kind: 'heartbeat', path: inResourceDir, args: rsc.args };
  const inInitDir = join(dirs.initDir, rsc.agent);
  if (await isExecutableFile(inInitDir)) return { kind: 'lsb', path: inInitDir, args: rsc.args };
  return {
    kind: 'missing',
    detail: `Cannot locate resource script ${rsc.agent} (looked for an executable file in ${dirs.resourceDir} and ${dirs.initDir})`,
  };
}

/** `OCF::TYPE::INSTANCE`: the first `<ocfRoot>/resource.d/*\/TYPE`, parameters from the instance file. */
async function resolveHeartbeatOcf(rsc: ResourceSpec, dirs: LookupDirs): Promise<ResolvedAgent> {
  const [type, instance, ...extra] = rsc.args;
  if (type === undefined || instance === undefined || extra.length > 0)
    return { kind: 'missing', detail: `OCF resources are written OCF::TYPE::INSTANCE, got "${rsc.raw}"` };
  if (!/^[A-Za-z0-9_.+-]+$/.test(type) || !/^[A-Za-z0-9_.+-]+$/.test(instance))
    return { kind: 'missing', detail: `bad OCF type or instance name in "${rsc.raw}"` };
  const base = join(dirs.ocfRoot, 'resource.d');
  let providers: string[];
  try {
    providers = (await readdir(base)).sort();
  } catch (err) {
    return { kind: 'missing', detail: `cannot list ${base}: ${errorText(err)}` };
  }
  let found: { path: string; provider: string } | undefined;
  for (const provider of providers) {
    const path = join(base, provider, type);
    if (await isExecutableFile(path)) {
      found = { path, provider };
      break;
    }
  }
  if (!found) return { kind: 'missing', detail: `no OCF agent ${type} in ${base}/*/` };
  const file = join(dirs.configDir, 'conf', 'OCF', type, instance);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { kind: 'missing', detail: `cannot read OCF instance file ${file}: ${errorText(err)}` };
  }
  const params = parseOcfInstanceFile(file, text);
  if (!params.ok) return { kind: 'missing', detail: params.error };
  return { kind: 'ocf', path: found.path, provider: found.provider, type, instance, params: params.value };
}

/** Heartbeat: "first regular executable file wins". */
async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
