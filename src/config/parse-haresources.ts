// haresources: one resource group per logical line, `home-node resource...`, lines continued with a
// trailing `\`, `#` comments. A resource is `Agent::arg1::arg2`, a bare agent name, or an IPv4
// address (anything Heartbeat's `[0-9]*.[0-9]*.[0-9]*.[0-9]*` pattern matches), which means IPaddr.
// Owners are checked against the ha.cf nodes in resolve-config.ts.
import type { ResourceSpec } from './resource-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { GroupId } from './types.js';
import { errorAt, warningAt } from './config-issues.js';
import { MAX_NAME_CHARS, isIPv4 } from './config-values.js';
import { printableShort } from './printable.js';

/** Longest physical line, and logical line (continuations joined): far beyond any real group. */
export const MAX_HARESOURCES_LINE_CHARS = 4096;
export const MAX_HARESOURCES_LOGICAL_CHARS = 16384;
/** Longest resource as written, arguments included (Agent::arg1::arg2). */
export const MAX_RESOURCE_CHARS = 1024;

/** A group as written: the owner is not yet checked against ha.cf. */
export interface HaresourcesLine {
  readonly id: GroupId;
  /** Home node as written (lowercased). */
  readonly owner: string;
  readonly ownerAsWritten: string;
  readonly resources: readonly ResourceSpec[];
  readonly at: SourceLocation;
}

export interface HaresourcesParse {
  readonly groups: readonly HaresourcesLine[];
  readonly issues: readonly ConfigIssue[];
}

/** The shell glob `[0-9]*.[0-9]*.[0-9]*.[0-9]*` that ResourceManager uses to spot addresses. */
const LOOKS_LIKE_ADDRESS = /^[0-9].*\.[0-9].*\.[0-9].*\.[0-9]/;
const IP_AGENTS = ['IPaddr', 'IPaddr2'];

export function parseResource(raw: string): ResourceSpec {
  if (LOOKS_LIKE_ADDRESS.test(raw)) return { raw, agent: 'IPaddr', args: [raw] };
  const [agent = '', ...args] = raw.split('::');
  return { raw, agent, args };
}

/**
 * What makes two resources "the same" across groups: an address is one resource whether written
 * bare, as IPaddr:: or as IPaddr2::, anything else is compared as written.
 */
function identity(r: ResourceSpec): string {
  if (IP_AGENTS.includes(r.agent)) {
    const ip = (r.args[0] ?? '').split('/')[0] ?? '';
    return `ip ${ip}`;
  }
  return `raw ${r.raw}`;
}

/** Problems with an IPaddr/IPaddr2 argument `ip[/bits[/iface[:label]][/broadcast]]`. */
function addressProblem(r: ResourceSpec): string | undefined {
  if (!IP_AGENTS.includes(r.agent)) return undefined;
  const arg = r.args[0];
  if (arg === undefined || arg === '')
    return `${r.raw}: ${r.agent} needs an address, e.g. ${r.agent}::198.18.0.100/24/eth0`;
  const [ip = '', bits, iface] = arg.split('/');
  if (!isIPv4(ip)) return `'${ip}' in ${r.raw} is not a valid IPv4 address`;
  if (bits !== undefined && bits !== '' && !(/^\d+$/.test(bits) && Number(bits) <= 32) && !isIPv4(bits)) {
    return `'${bits}' in ${r.raw} is not a prefix length (0-32) or netmask`;
  }
  if (iface !== undefined && iface.length > 15 + 1 + 8)
    return `'${iface}' in ${r.raw} is not an interface name`;
  return undefined;
}

interface LogicalLine {
  readonly text: string;
  readonly at: SourceLocation;
}

/** Joins `\`-continued lines the way the shell's `read` in ResourceManager does, then drops comments. */
function logicalLines(text: string, file: string, issues: ConfigIssue[]): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let i = 0;
  while (i < physical.length) {
    const start = i;
    let joined = '';
    let line = physical[i] ?? '';
    i++;
    if (line.length > MAX_HARESOURCES_LINE_CHARS) {
      issues.push(
        errorAt(
          { file, line: start + 1 },
          `line is ${line.length} characters long; at most ${MAX_HARESOURCES_LINE_CHARS} are accepted (continue a long group on the next line with a trailing '\\')`,
        ),
      );
      continue;
    }
    while (/\\\s*$/.test(line)) {
      const before = line.replace(/\\\s*$/, '');
      if (before.includes('#') && i < physical.length && (physical[i] ?? '').trim() !== '') {
        issues.push(
          warningAt(
            { file, line: i },
            `this comment ends in '\\', so line ${i + 1} is joined to it and ignored as part of the comment`,
          ),
        );
      }
      joined += before + ' ';
      if (i >= physical.length) {
        line = '';
        break;
      }
      line = physical[i] ?? '';
      i++;
      if (line.length > MAX_HARESOURCES_LINE_CHARS || joined.length > MAX_HARESOURCES_LOGICAL_CHARS) break;
    }
    joined += line;
    if (line.length > MAX_HARESOURCES_LINE_CHARS || joined.length > MAX_HARESOURCES_LOGICAL_CHARS) {
      issues.push(
        errorAt(
          { file, line: start + 1 },
          `this group (with its continuation lines) is too long: at most ${MAX_HARESOURCES_LINE_CHARS} characters a line and ${MAX_HARESOURCES_LOGICAL_CHARS} a group`,
        ),
      );
      continue;
    }
    const hash = joined.indexOf('#');
    const content = (hash < 0 ? joined : joined.slice(0, hash)).trim();
    if (content !== '') out.push({ text: content, at: { file, line: start + 1 } });
  }
  return out;
}

/** What is wrong with a group line's first word (its home node), if anything. */
function ownerProblem(owner: string, resourceCount: number): string | undefined {
  if (resourceCount === 0)
    return `resource group for '${owner}' is empty: write \`${owner} <resource> [<resource>...]\``;
  if (owner.length > MAX_NAME_CHARS)
    return `node name '${printableShort(owner)}' is longer than ${MAX_NAME_CHARS} characters`;
  if (LOOKS_LIKE_ADDRESS.test(owner) || owner.includes('::'))
    return `a group line starts with its home node's name, but '${owner}' looks like a resource`;
  return undefined;
}

/** What is wrong with one resource word on its own (length, empty parts, a path, a bad address). */
function resourceProblem(raw: string, r: ResourceSpec): string | undefined {
  if (raw.length > MAX_RESOURCE_CHARS || r.agent.length > MAX_NAME_CHARS)
    return `resource '${printableShort(raw)}' is too long: at most ${MAX_NAME_CHARS} characters for its name and ${MAX_RESOURCE_CHARS} with its arguments`;
  if (r.agent === '' || r.args.some((a) => a === ''))
    return `'${raw}' is not a resource: write Agent or Agent::arg1::arg2 (no empty parts)`;
  if (r.agent.includes('/'))
    return `'${r.agent}' is not a resource name: scripts are looked up by name in resource.d and /etc/init.d, not by path`;
  return addressProblem(r);
}

export function parseHaresources(text: string, file = 'haresources'): HaresourcesParse {
  const issues: ConfigIssue[] = [];
  const groups: HaresourcesLine[] = [];
  const seen = new Map<string, { raw: string; at: SourceLocation }>();
  for (const { text: content, at } of logicalLines(text, file, issues)) {
    const [owner, ...raws] = content.split(/\s+/);
    if (owner === undefined) continue;
    const ownerBad = ownerProblem(owner, raws.length);
    if (ownerBad !== undefined) {
      issues.push(errorAt(at, ownerBad));
      continue;
    }
    const resources: ResourceSpec[] = [];
    let bad = false;
    for (const raw of raws) {
      const r = parseResource(raw);
      const problem = resourceProblem(raw, r);
      if (problem !== undefined) {
        issues.push(errorAt(at, problem));
        bad = true;
        continue;
      }
      const key = identity(r);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const where = earlier.at.line === at.line ? 'earlier on this line' : `on line ${earlier.at.line}`;
        issues.push(
          errorAt(
            at,
            `'${raw}' is already a resource ${where} (as '${earlier.raw}'); a resource may belong to only one group, once`,
          ),
        );
        bad = true;
        continue;
      }
      seen.set(key, { raw, at });
      resources.push(r);
    }
    if (bad || resources[0] === undefined) continue;
    groups.push({
      id: resources[0].raw as GroupId,
      owner: owner.toLowerCase(),
      ownerAsWritten: owner,
      resources,
      at,
    });
  }
  return { groups, issues };
}
