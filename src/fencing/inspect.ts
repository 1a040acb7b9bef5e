// The checks `hbts check` and the daemon's start make of fencing on this host (handed to the config
// loader as its FenceInspector): the fence agent exists and is executable, and its options are
// ones `<agent> -o metadata` lists, with valid values; a stonith device type exists and its line
// gives the parameters `stonith -t TYPE -n` names. Synchronous, as the loader's other host facts
// are; every call has a timeout, and each agent or type is asked once.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FenceCheck, FenceInspector } from '../config/load.js';
import type { StonithDevice } from '../config/fencing-config.js';
import { fenceEnvironment, locateFenceProgram } from './agent-lookup.js';
import { checkFenceOptions, parseFenceMetadata, type FenceMetadata } from './fence-metadata.js';
import { deviceConfig, STONITH_COMMAND } from './stonith-glue.js';

const ASK_TIMEOUT_MS = 10_000;

type Asked = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly error: string };

function ask(file: string, args: readonly string[]): Asked {
  try {
    const stdout = execFileSync(file, [...args], {
      encoding: 'utf8',
      env: fenceEnvironment(),
      timeout: ASK_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 4 * 1024 * 1024,
    });
    return { ok: true, stdout };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number | null; signal?: string | null };
    if (e.code === 'ETIMEDOUT' || e.signal === 'SIGKILL')
      return { ok: false, error: `no answer within ${ASK_TIMEOUT_MS} ms` };
    if (typeof e.status === 'number') return { ok: false, error: `exit ${e.status}` };
    return { ok: false, error: e.code ?? e.message };
  }
}

type AgentFacts =
  | { readonly ok: true; readonly meta: FenceMetadata | undefined; readonly why?: string }
  | { readonly ok: false; readonly error: string };

export function fenceInspector(): FenceInspector {
  const agents = new Map<string, AgentFacts>();
  const types = new Map<string, string[] | { error: string }>();

  const agentFacts = (agent: string): AgentFacts => {
    const where = locateFenceProgram(agent);
    if (!where.ok) return { ok: false, error: where.error };
    const out = ask(where.path, ['-o', 'metadata']);
    if (!out.ok) return { ok: true, meta: undefined, why: `\`${agent} -o metadata\` failed (${out.error})` };
    const meta = parseFenceMetadata(out.stdout);
    return meta === undefined
      ? { ok: true, meta, why: `\`${agent} -o metadata\` gave no fence-agents metadata` }
      : { ok: true, meta };
  };

  const typeNames = (type: string): string[] | { error: string } => {
    const out = ask(STONITH_COMMAND, ['-t', type, '-n']);
    if (out.ok) return out.stdout.split(/\s+/).filter((w) => w !== '');
    const missing = out.error === 'ENOENT' ? ' (is the Debian package cluster-glue installed?)' : '';
    return {
      error: `\`stonith -t ${type} -n\` failed (${out.error})${missing}: is ${type} in \`stonith -L\`?`,
    };
  };

  return {
    agent(agent, options): FenceCheck {
      const facts = agents.get(agent) ?? agentFacts(agent);
      agents.set(agent, facts);
      if (!facts.ok) return { needed: [facts.error], advice: [] };
      if (facts.meta === undefined)
        return { needed: [], advice: [`${facts.why ?? ''}: options not checked`] };
      const findings = checkFenceOptions(agent, facts.meta, options);
      return {
        needed: findings.filter((f) => f.severity === 'error').map((f) => f.message),
        advice: findings.filter((f) => f.severity === 'advice').map((f) => f.message),
      };
    },
    stonith(device: StonithDevice): FenceCheck {
      const names = types.get(device.type) ?? typeNames(device.type);
      types.set(device.type, names);
      if (!Array.isArray(names)) return { needed: [names.error], advice: [] };
      const file = device.params[0] ?? '';
      if (device.kind === 'stonith' && !existsSync(file))
        return { needed: [`configuration file ${file} does not exist`], advice: [] };
      const cfg = deviceConfig(device, names);
      return { needed: typeof cfg === 'string' ? [cfg] : [], advice: [] };
    },
  };
}
