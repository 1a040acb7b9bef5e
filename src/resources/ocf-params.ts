// OCF parameters from the two haresources forms:
//   OCF::<type>::<instance>              Heartbeat's generic wrapper; NAME=value lines in
//                                        <configDir>/conf/OCF/<type>/<instance>
//   ocf:<provider>:<type>::name=value... our direct form; each name becomes OCF_RESKEY_<name>
// Pure parsing; the runner reads the files.
import type { ParseResult } from './ip-spec.js';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A plain file name: no `/`, and not `.`, `..` or hidden (the first character is no dot), so that
 * `ocf:..:x` cannot reach above the OCF root's resource.d. At most 255 characters (NAME_MAX).
 */
export const PLAIN_NAME_RE = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]{0,254}$/;
const PART_RE = PLAIN_NAME_RE;

/** `ocf:provider:type` → provider and type, or undefined when the agent is not of that form. */
export function parseDirectOcfAgent(
  agent: string,
): ParseResult<{ provider: string; type: string }> | undefined {
  if (!/^ocf:/i.test(agent)) return undefined;
  const parts = agent.split(':');
  const [, provider, type, ...rest] = parts;
  if (
    provider === undefined ||
    type === undefined ||
    rest.length > 0 ||
    !PART_RE.test(provider) ||
    !PART_RE.test(type)
  )
    return {
      ok: false,
      error: `bad OCF agent "${agent}" (expected ocf:PROVIDER:TYPE with plain names, no '.' or '..', e.g. ocf:heartbeat:IPaddr2)`,
    };
  return { ok: true, value: { provider, type } };
}

/** `name=value` arguments of the direct form → OCF_RESKEY_name=value. */
export function parseDirectOcfParams(args: readonly string[]): ParseResult<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (eq < 0 || !NAME_RE.test(name))
      return { ok: false, error: `bad OCF parameter "${arg}" (expected name=value, e.g. ip=198.18.0.10)` };
    env[`OCF_RESKEY_${name}`] = arg.slice(eq + 1);
  }
  return { ok: true, value: env };
}

/**
 * An instance file as Heartbeat's resource.d/OCF reads it: `NAME=value` lines, `#` comments,
 * blank lines. Heartbeat sources it with /bin/sh; we parse without a shell, so only literal values
 * (optionally in single or double quotes) are understood, and anything else is an error with its line.
 * Names are exported as written (Heartbeat's files spell them OCF_RESKEY_ip=...).
 */
export function parseOcfInstanceFile(file: string, text: string): ParseResult<Record<string, string>> {
  const env: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const line = stripComment(raw).trim();
    if (line === '') continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    const value = m ? unquote(m[2] ?? '') : undefined;
    if (!m || value === undefined)
      return { ok: false, error: `${file}:${i + 1}: expected NAME=value, got "${raw.trim()}"` };
    env[m[1] ?? ''] = value;
  }
  return { ok: true, value: env };
}

function stripComment(line: string): string {
  // A `#` starts a comment unless inside quotes.
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i);
  }
  return line;
}

function unquote(value: string): string | undefined {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    const inner = v.slice(1, -1);
    if (v[0] === '"' && /[$`\\]/.test(inner)) return undefined;
    return inner;
  }
  if (/[\s$`\\"';&|<>()]/.test(v)) return undefined;
  return v;
}

/** OCF_RESOURCE_INSTANCE for the direct form: `<type>_<values>`, like the IPaddr2 wrapper's `IPaddr2_<ip>`. */
export function directInstanceName(type: string, params: Readonly<Record<string, string>>): string {
  const values = Object.values(params).join('_');
  const suffix = values.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return suffix === '' ? type : `${type}_${suffix}`;
}
