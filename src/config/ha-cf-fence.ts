// Fencing, our extension (in ha.cf or hbts.cf): `fence <node> <agent> key=value...` runs a Debian
// fence-agents program the fence-agents way (the options become `key=value` lines on its stdin),
// `fence <node> sbd` writes a poison pill on the `disk_lock` device, `fence_delay` and
// `fence_timeout` tune when and how long. The handlers check each line; finishFencing checks what
// needs the whole of ha.cf + hbts.cf (targets are nodes, sbd has its disk).
import type { SourceLocation } from './source-location.js';
import type { NodeName } from './types.js';
import type { DirectiveHandler, HaCfBuilder } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import { DEFAULT_FENCE_DELAY_MS, DEFAULT_FENCE_TIMEOUT_MS } from './ha-cf-defaults.js';

const EXAMPLE =
  '`fence node2 fence_ipmilan ip=198.18.0.52 username=admin password_file=/etc/ha.d/node2.pw lanplus=1` or `fence node2 sbd`';

/** fence-agents names (`fence_ipmilan`) and absolute paths; a relative path would depend on the cwd. */
export function fenceAgentNameProblem(agent: string): string | undefined {
  if (agent.startsWith('/')) return undefined;
  if (agent.includes('/'))
    return `the fence agent '${agent}' is a relative path: write its name (looked up in /usr/sbin, then PATH) or an absolute path`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(agent))
    return `'${agent}' is not a fence agent name: write a name such as fence_ipmilan or an absolute path`;
  return undefined;
}

/** Options heartbeat-ts sets itself: the agent must not get them from the fence line. */
const RESERVED: ReadonlyMap<string, string> = new Map([
  [
    'action',
    'the action is chosen by heartbeat-ts (off, then status to confirm; `hbts fence --action` by hand): remove action=',
  ],
  [
    'nodename',
    "nodename is passed by heartbeat-ts (the fence line's node): remove it; to name the machine on the device, use plug=",
  ],
]);

/** `key=value` words -> pairs, or undefined after reporting the first bad one. */
function fenceOptions(
  b: HaCfBuilder,
  target: string,
  words: readonly string[],
  at: SourceLocation,
): (readonly [string, string])[] | undefined {
  const options: (readonly [string, string])[] = [];
  for (const word of words) {
    const problem = optionProblem(word, options);
    if (problem !== undefined) {
      b.err(at, `fence ${target}: ${problem}`);
      return undefined;
    }
    const eq = word.indexOf('=');
    options.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  const keys = options.map(([k]) => k);
  if (keys.includes('password_file') && (keys.includes('password') || keys.includes('passwd'))) {
    b.err(at, `fence ${target}: give either password_file= or the password itself, not both`);
    return undefined;
  }
  return options;
}

function optionProblem(word: string, before: readonly (readonly [string, string])[]): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)=(.*)$/.exec(word);
  if (m === null) {
    if (word.startsWith('-'))
      return `'${word}' is a command-line flag; fence options are written key=value (e.g. ip=198.18.0.52, lanplus=1)`;
    if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(word)) return `'${word}' has no value: write ${word}=1 for a flag`;
    return `'${word}' is not a key=value option (e.g. ip=198.18.0.52, lanplus=1)`;
  }
  const key = m[1] ?? '';
  const value = m[2] ?? '';
  const reserved = RESERVED.get(key);
  if (reserved !== undefined) return reserved;
  if (value === '') return `option '${key}' has no value: write ${key}=VALUE`;
  if (before.some(([k]) => k === key)) return `option '${key}' is given twice`;
  if (key === 'password_file' && !value.startsWith('/'))
    return `password_file must be an absolute path (a mode-600 file holding the password), got '${value}'`;
  return undefined;
}

export const fence: DirectiveHandler = (b, value, { at }) => {
  const [target, agent, ...rest] = splitWords(value);
  if (target === undefined || agent === undefined) {
    b.err(at, `fence needs a node and how to fence it, e.g. ${EXAMPLE}`);
    return;
  }
  const node = target.toLowerCase() as NodeName;
  if (agent === 'sbd') {
    if (rest.length > 0) b.err(at, `fence ${target} sbd takes no options, got '${rest.join(' ')}'`);
    else b.fence.push({ kind: 'sbd', target: node, at });
    return;
  }
  const problem = fenceAgentNameProblem(agent);
  if (problem !== undefined) {
    b.err(at, problem);
    return;
  }
  const options = fenceOptions(b, target, rest, at);
  if (options !== undefined) b.fence.push({ kind: 'fence-agent', target: node, agent, options, at });
};

export const diskLock: DirectiveHandler = (b, value, { at }) => {
  if (!value.startsWith('/')) {
    b.err(
      at,
      `disk_lock takes the shared disk's device path, e.g. \`disk_lock /dev/disk/by-id/...\`, got '${value}'`,
    );
    return;
  }
  b.diskLock = { value, at };
};

export interface FenceSettings {
  readonly fenceDelayMs: number;
  readonly fenceTimeoutMs: number;
}

/** The checks that need every line read (node lines may come after a fence line), and the times. */
export function finishFencing(b: HaCfBuilder): FenceSettings {
  const names = b.nodes.map((n) => n.name);
  for (const m of b.fence) {
    if (!names.includes(m.target)) {
      b.err(
        m.at,
        `fence: '${m.target}' is not a node in ${b.file} (nodes: ${names.join(', ') || 'none'}); fence lines name the node to fence`,
      );
    }
    if (m.kind === 'sbd' && b.diskLock === undefined) {
      b.err(
        m.at,
        `fence ${m.target} sbd needs the shared disk: add \`disk_lock <device>\` (the SBD device every node opens)`,
      );
    }
  }
  const delay = b.times.get('fence_delay');
  const timeout = b.times.get('fence_timeout');
  const fenceDelayMs = delay?.ms ?? DEFAULT_FENCE_DELAY_MS;
  const fenceTimeoutMs = timeout?.ms ?? DEFAULT_FENCE_TIMEOUT_MS;
  if (timeout !== undefined && fenceTimeoutMs <= 0)
    b.err(timeout.at, `fence_timeout must be more than 0 (\`${timeout.text}\` is ${fenceTimeoutMs} ms)`);
  const fencing = b.fence.length > 0 || b.stonith.length > 0;
  for (const t of [delay, timeout]) {
    if (t !== undefined && !fencing) {
      const name = t === delay ? 'fence_delay' : 'fence_timeout';
      b.warn(t.at, `${name} has no effect: there is no fence, stonith or stonith_host line`);
    }
  }
  if (delay !== undefined && fenceDelayMs === 0 && fencing && names.length === 2) {
    b.warn(
      delay.at,
      'fence_delay 0: when the two nodes lose each other, both fence at once and both may go down; keep a delay longer than one fence call (the default is 5 s)',
    );
  }
  return { fenceDelayMs, fenceTimeoutMs };
}
