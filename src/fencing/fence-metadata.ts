// What a fence agent says about itself (`<agent> -o metadata`, fence-agents' XML): its parameters
// and actions, and the checks of a fence line's options against them. fence-agents ignores an
// unknown option or a bad boolean with a mere warning on stderr, so a typo (`ipadr=`) or `lanplus=y`
// would only show at the first fence, when it matters most: `hbts check` and the daemon ask here.
import { closestName } from '../config/did-you-mean.js';

export interface FenceParameter {
  readonly name: string;
  readonly required: boolean;
  readonly deprecated: boolean;
  /** The older name this one replaces (`ip` obsoletes `ipaddr`). */
  readonly obsoletes: string | undefined;
  /** The getopt spelling; parameters sharing it are aliases of one option (`ip`/`ipaddr`). */
  readonly getopt: string;
  readonly type: string;
  /** Allowed values of a `select` parameter. */
  readonly choices: readonly string[];
}

export interface FenceMetadata {
  readonly parameters: readonly FenceParameter[];
  readonly actions: readonly string[];
}

const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

/** Parses fence-agents metadata; undefined when the text is not fence-agents XML. */
export function parseFenceMetadata(xml: string): FenceMetadata | undefined {
  if (!/<resource-agent\b/.test(xml)) return undefined;
  const parameters: FenceParameter[] = [];
  for (const m of xml.matchAll(/<parameter\b([^>]*)>([\s\S]*?)<\/parameter>/g)) {
    const tag = m[1] ?? '';
    const body = m[2] ?? '';
    const name = attr(tag, 'name');
    if (name === undefined) continue;
    const content = /<content\b([^>]*)>/.exec(body)?.[1] ?? '';
    parameters.push({
      name,
      required: attr(tag, 'required') === '1',
      deprecated: attr(tag, 'deprecated') === '1',
      obsoletes: attr(tag, 'obsoletes'),
      getopt: attr(/<getopt\b[^>]*>/.exec(body)?.[0] ?? '', 'mixed') ?? name,
      type: attr(content, 'type') ?? 'string',
      choices: [...body.matchAll(/<option\b[^>]*\bvalue="([^"]*)"/g)].map((o) => o[1] ?? ''),
    });
  }
  const actions = [...xml.matchAll(/<action\b[^>]*\bname="([^"]*)"/g)].map((a) => a[1] ?? '');
  return { parameters, actions };
}

/** fence-agents reads `ip-port` and `ip_port` alike on stdin. */
function findParameter(meta: FenceMetadata, key: string): FenceParameter | undefined {
  const norm = (s: string): string => s.replace(/-/g, '_');
  return meta.parameters.find((p) => norm(p.name) === norm(key));
}

const BOOLEAN_VALUES = ['1', 'yes', 'on', 'true', '0', 'no', 'off', 'false'];

/** Options heartbeat-ts handles itself and never hands to the agent under that name. */
const OUR_OPTIONS: ReadonlyMap<string, string> = new Map([['password_file', 'password']]);

export interface OptionFinding {
  /** error: the agent would not do what the line says; advice: works, but worth changing. */
  readonly severity: 'error' | 'advice';
  readonly message: string;
}

function valueProblem(p: FenceParameter, key: string, value: string): string | undefined {
  if (p.type === 'boolean' && !BOOLEAN_VALUES.includes(value.toLowerCase()))
    return `${key}=${value}: ${key} is a flag, write ${key}=1 (or 0); the agent would ignore '${value}'`;
  if (p.type === 'integer' && !/^-?\d+$/.test(value)) return `${key}=${value}: ${key} takes a whole number`;
  if (p.type === 'select' && p.choices.length > 0 && !p.choices.includes(value))
    return `${key}=${value}: ${key} takes one of ${p.choices.join(', ')}`;
  return undefined;
}

/** Every problem of a fence line's options for this agent, in option order, then missing ones. */
export function checkFenceOptions(
  agent: string,
  meta: FenceMetadata,
  options: readonly (readonly [string, string])[],
): OptionFinding[] {
  const findings: OptionFinding[] = [];
  const given: FenceParameter[] = [];
  for (const [written, value] of options) {
    const key = OUR_OPTIONS.get(written) ?? written;
    const p = findParameter(meta, key);
    if (p === undefined) {
      const names = meta.parameters.map((x) => x.name);
      const near = closestName(key, names);
      // A deprecated near miss (`ipadr` -> ipaddr) is better answered with its replacement (ip).
      const hint = meta.parameters.find((x) => near !== undefined && x.obsoletes === near)?.name ?? near;
      findings.push({
        severity: 'error',
        message:
          written !== key
            ? `${agent} takes no ${key}, so ${written}= cannot be used with it`
            : `${agent} has no option '${key}'${hint !== undefined ? `; did you mean '${hint}'?` : ''} (\`${agent} -o metadata\` lists them)`,
      });
      continue;
    }
    given.push(p);
    const problem = written === key ? valueProblem(p, key, value) : undefined;
    if (problem !== undefined) findings.push({ severity: 'error', message: `${agent}: ${problem}` });
    const newer = meta.parameters.find((x) => x.obsoletes === p.name);
    if (p.deprecated && newer !== undefined && written === key)
      findings.push({
        severity: 'advice',
        message: `${agent}: '${key}' is deprecated, write ${newer.name}=`,
      });
  }
  const satisfied = new Set(given.map((p) => p.getopt));
  const missing = meta.parameters.filter(
    (p) => p.required && !p.deprecated && p.name !== 'action' && !satisfied.has(p.getopt),
  );
  for (const p of missing)
    findings.push({ severity: 'error', message: `${agent} requires ${p.name}= (\`${agent} -o metadata\`)` });
  return findings;
}
