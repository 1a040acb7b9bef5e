// Heartbeat's own STONITH lines, run through cluster-glue's `stonith` command and its plugins
// (external/ipmi, ipmilan, external/riloe, apcmaster, null, meatware...), as Heartbeat did in-process:
//   stonith_host <host|*> <type> <params...>   the params, in the order `stonith -t TYPE -n` names
//                                             them, the last one taking the rest of the line
//   stonith <type> <configfile>               `stonith -t TYPE -F CONFIGFILE`
// Which node a device can reset is asked with `-l` (the device's host list), the reset with
// `-T off|on|reset NODE`. stonith_host parameters go to `stonith -E` as environment variables, not
// as `-p "..."`: a command line is readable by every local user (ps), the environment is not. The
// split is cluster-glue's own stonith1_compat_string_to_NVpair rule, so the device gets the same
// values as from `-p`. Exit codes are cluster-glue's S_* values.
import type { StonithDevice } from '../config/fencing-config.js';
import type { NodeName } from '../config/types.js';
import { runCommand, type CommandOutcome } from '../resources/run-command.js';
import { fenceEnvironment } from './agent-lookup.js';
import { agentMessage } from './fence-agents.js';

export const STONITH_COMMAND = '/usr/sbin/stonith';

/** cluster-glue include/stonith/stonith.h */
const S_CODES: readonly string[] = [
  'S_OK',
  'S_BADCONFIG: bad configuration',
  'S_ACCESS: cannot access the device',
  'S_INVAL: bad argument',
  'S_BADHOST: the device does not know this host',
  'S_RESETFAIL: the reset failed',
  'S_TIMEOUT: the device timed out',
  'S_ISOFF: the outlet is off',
  'S_OOPS: something strange happened',
];
export const S_ISOFF = 7;

export function stonithCodeText(code: number): string {
  return S_CODES[code] ?? `exit ${code}`;
}

/** `stonith_host * external/ipmi node2 198.18.0.52 admin pw lanplus` or `stonith baytech /etc/...`. */
export function describeDevice(d: StonithDevice): string {
  return d.kind === 'stonith'
    ? `stonith ${d.type} (${d.at.file}:${d.at.line})`
    : `stonith_host ${d.host} ${d.type} (${d.at.file}:${d.at.line})`;
}

/** How the device's parameters reach `stonith`: arguments and environment; a string is an error. */
export type DeviceConfig = { readonly args: string[]; readonly env: Record<string, string> } | string;

/** cluster-glue's v1 compat split of stonith_host parameters over the type's config names. */
export function deviceConfig(d: StonithDevice, names: readonly string[]): DeviceConfig {
  if (d.kind === 'stonith') return { args: ['-t', d.type, '-F', d.params[0] ?? ''], env: {} };
  if (d.params.length < names.length) {
    return (
      `${d.type} takes ${names.length} parameters (${names.join(' ')}), the line gives ${d.params.length}; ` +
      'cluster-glue refuses this too ("Invalid STONITH -p parameter")'
    );
  }
  const env: Record<string, string> = {};
  names.forEach((name, i) => {
    env[name] = i === names.length - 1 ? d.params.slice(i).join(' ') : (d.params[i] ?? '');
  });
  return { args: ['-t', d.type, '-E'], env };
}

function run(
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<CommandOutcome> {
  return runCommand({
    file: STONITH_COMMAND,
    args,
    env: fenceEnvironment(env),
    timeoutMs,
    killGraceMs: 1000,
  });
}

function failure(what: string, out: CommandOutcome, timeoutMs: number): string {
  switch (out.kind) {
    case 'spawn-error':
      return `${what}: cannot run ${STONITH_COMMAND}: ${out.message} (is the Debian package cluster-glue installed?)`;
    case 'timeout':
      return `${what}: no answer within ${timeoutMs} ms, killed`;
    case 'signalled':
      return `${what}: stonith killed by ${out.signal}${said(out.stderr)}`;
    case 'exited':
      return `${what}: ${stonithCodeText(out.code)}${said(out.stderr)}`;
  }
}

const said = (stderr: string): string => {
  const m = agentMessage(stderr);
  return m === '' ? '' : `: ${m}`;
};

/** `stonith -t TYPE -n`: the device type's parameter names, in their -p order. */
export async function stonithConfigNames(
  type: string,
  timeoutMs: number,
): Promise<string[] | { error: string }> {
  const out = await run(['-t', type, '-n'], {}, timeoutMs);
  if (out.kind === 'exited' && out.code === 0) return out.stdout.split(/\s+/).filter((w) => w !== '');
  return { error: failure(`stonith -t ${type} -n`, out, timeoutMs) };
}

export interface GlueAnswer {
  readonly ok: boolean;
  readonly detail: string;
}

/** `-l`: the hosts the device controls, lowercased (stonith lowercases the node it resets too). */
export async function stonithHostList(
  d: StonithDevice,
  config: Exclude<DeviceConfig, string>,
  timeoutMs: number,
): Promise<string[] | { error: string }> {
  const out = await run([...config.args, '-l'], config.env, timeoutMs);
  if (out.kind === 'exited' && out.code === 0)
    return out.stdout
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l !== '');
  return { error: failure(`${d.type} -l`, out, timeoutMs) };
}

/** `-T off|on|reset NODE`. S_ISOFF counts as done for off and reset: the node has no power. */
export async function stonithReset(
  d: StonithDevice,
  config: Exclude<DeviceConfig, string>,
  action: 'off' | 'on' | 'reset',
  node: NodeName,
  timeoutMs: number,
): Promise<GlueAnswer> {
  const out = await run([...config.args, '-T', action, node], config.env, timeoutMs);
  const what = `${d.type} -T ${action} ${node}`;
  if (out.kind === 'exited' && out.code === 0)
    return { ok: true, detail: `${what}: S_OK${said(out.stderr)}` };
  if (out.kind === 'exited' && out.code === S_ISOFF && action !== 'on')
    return { ok: true, detail: `${what}: ${stonithCodeText(out.code)}` };
  return { ok: false, detail: failure(what, out, timeoutMs) };
}

/** `-S`: whether the device answers (cluster-glue has no per-host power status). */
export async function stonithDeviceStatus(
  d: StonithDevice,
  config: Exclude<DeviceConfig, string>,
  timeoutMs: number,
): Promise<GlueAnswer> {
  const out = await run([...config.args, '-S'], config.env, timeoutMs);
  if (out.kind === 'exited' && out.code === 0) return { ok: true, detail: `${d.type} -S: device OK` };
  return { ok: false, detail: failure(`${d.type} -S`, out, timeoutMs) };
}
