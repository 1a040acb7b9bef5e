// The real-world corpus (test/fixtures/real-world/<case>/): configurations written for this project
// that reproduce patterns seen in public Heartbeat configurations (each case's about.txt names the
// pattern and where it was seen). This file reads the cases and their about.txt; corpus-heartbeat.ts
// gives a case to real Heartbeat 3.0.6 and to `hbts check` in a network namespace.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Verdict = 'runs' | 'refuses';

export interface CorpusCase {
  readonly name: string;
  readonly dir: string;
  /** The node name the case runs as (`uname -n` of the namespace). */
  readonly runAs: string;
  /** What real Heartbeat 3.0.6 did with it when the case was written (the interop test re-checks). */
  readonly heartbeat: Verdict;
  /** What the heartbeat-ts daemon does with it (`hbts check --as-daemon`). */
  readonly hbts: Verdict;
  /** about.txt fields, lowercased keys. */
  readonly about: ReadonlyMap<string, string>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Fixtures stay in the source tree (test/fixtures), next to dist/. */
export const corpusRoot = join(here, '..', '..', '..', 'test', 'fixtures', 'real-world');
export const docsPage = join(here, '..', '..', '..', 'docs', 'real-world-configs.md');

function verdict(v: string | undefined, what: string): Verdict {
  if (v === 'runs' || v === 'refuses') return v;
  throw new Error(`${what}: expected 'runs' or 'refuses', got '${v ?? ''}'`);
}

/** `key: value` lines; a line starting with spaces continues the previous value. */
export function parseAbout(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z -]*):\s*(.*)$/.exec(line);
    if (m !== null && !/^\s/.test(line)) {
      last = (m[1] ?? '').toLowerCase();
      out.set(last, m[2] ?? '');
    } else if (last !== undefined && line.trim() !== '') {
      out.set(last, `${out.get(last) ?? ''} ${line.trim()}`.trim());
    }
  }
  return out;
}

export function loadCorpus(root = corpusRoot): CorpusCase[] {
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, 'about.txt')))
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const about = parseAbout(readFileSync(join(dir, 'about.txt'), 'utf8'));
      const runAs = about.get('run as');
      if (runAs === undefined || runAs === '') throw new Error(`${name}/about.txt: no 'run as' line`);
      return {
        name,
        dir,
        runAs,
        heartbeat: verdict(about.get('heartbeat'), `${name}/about.txt heartbeat`),
        hbts: verdict(about.get('hbts'), `${name}/about.txt hbts`),
        about,
      };
    });
}

/** Case names listed in the docs page's "Differences from Heartbeat" section. */
export function documentedDifferences(page = docsPage): Set<string> {
  const text = readFileSync(page, 'utf8');
  const start = text.indexOf('## Differences from Heartbeat');
  if (start < 0) return new Set();
  const next = text.indexOf('\n## ', start + 3);
  const section = text.slice(start, next < 0 ? undefined : next);
  return new Set([...section.matchAll(/`(\d\d-[a-z0-9-]+)`/g)].map((m) => m[1] ?? ''));
}

/** Resource agents named in a case's haresources (for harmless stand-ins). */
export function resourceAgents(haresources: string): string[] {
  const agents = new Set<string>();
  for (const raw of haresources.replace(/\\\n/g, ' ').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    for (const word of line.split(/\s+/).slice(1)) {
      const agent = word.split('::')[0] ?? '';
      if (/^\d+\.\d+\.\d+\.\d+/.test(agent)) agents.add('IPaddr');
      else if (agent !== '') agents.add(agent);
    }
  }
  return [...agents];
}
