// Every configuration example in the README and docs/ is given to `hbts check`: a fenced block
// labelled ha.cf, hbts.cf, haresources or authkeys is a file of an example; an ha.cf block (or a
// new section) starts a new example, and the files an example does not show get small defaults.
// Valid examples must be accepted; a block labelled `error=FILE:LINE` (one or more) must be refused
// with an error at exactly those places, as the docs say. A `file:NAME` block after an example adds a
// file it refers to (a token, a password file); `/etc/ha.d/` in an example means its own directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../../src/docs/generated-files.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
const FILES = ['ha.cf', 'hbts.cf', 'haresources', 'authkeys'] as const;
type ConfigFile = (typeof FILES)[number];

interface Example {
  readonly where: string;
  readonly files: Map<ConfigFile, string>;
  /** Other files the example refers to (`file:NAME` blocks: a token, a password file), mode 600. */
  readonly extra: Map<string, string>;
  readonly errors: string[];
}

const DEFAULTS: Record<ConfigFile, string> = {
  'ha.cf': 'keepalive 1\ndeadtime 10\nbcast lo\nauto_failback on\nnode node1 node2\n',
  'hbts.cf': '',
  haresources: '',
  authkeys: 'auth 1\n1 sha1 docs-example-secret\n',
};

function markdownFiles(): string[] {
  const out = [join(PROJECT_ROOT, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(join(PROJECT_ROOT, 'docs'));
  return out;
}

export function examplesOf(path: string): Example[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const examples: Example[] = [];
  let current: Example | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^#{1,3} /.test(line)) current = undefined;
    const open = /^```(\S+)(.*)$/.exec(line);
    if (open === null) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith('```')) body.push(lines[j++] ?? '');
    const lang = open[1] as ConfigFile;
    const extra = /^file:([\w.-]+)$/.exec(open[1] ?? '')?.[1];
    if (extra !== undefined && current !== undefined) current.extra.set(extra, body.join('\n') + '\n');
    if ((FILES as readonly string[]).includes(lang)) {
      if (current === undefined || lang === 'ha.cf' || current.files.has(lang)) {
        current = {
          where: `${relative(PROJECT_ROOT, path)}:${i + 1}`,
          files: new Map(),
          extra: new Map(),
          errors: [],
        };
        examples.push(current);
      }
      current.files.set(lang, body.join('\n') + '\n');
      for (const m of (open[2] ?? '').matchAll(/error=(\S+)/g)) current.errors.push(m[1] ?? '');
    }
    i = j;
  }
  return examples;
}

function checkExample(ex: Example): { code: number | null; out: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-docs-example-'));
  // The examples say /etc/ha.d: point that at the example's own directory.
  const here = (text: string): string => text.replaceAll('/etc/ha.d/', `${dir}/`);
  for (const f of FILES) {
    writeFileSync(join(dir, f), here(ex.files.get(f) ?? DEFAULTS[f]), {
      mode: f === 'authkeys' ? 0o600 : 0o644,
    });
  }
  for (const [name, text] of ex.extra) writeFileSync(join(dir, name), text, { mode: 0o600 });
  const haCf = ex.files.get('ha.cf') ?? DEFAULTS['ha.cf'];
  const node = /^\s*node\s+([^\s,#]+)/m.exec(haCf)?.[1] ?? 'node1';
  const r = spawnSync(process.execPath, [MAIN, 'check', '--config-dir', dir, '--node-name', node], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, dir };
}

const all = markdownFiles().flatMap(examplesOf);

void test('the docs hold configuration examples to check (valid and broken ones)', () => {
  assert.ok(all.length >= 8, `found ${all.length} examples`);
  assert.ok(
    all.some((e) => e.errors.length > 0),
    'at least one broken example',
  );
  assert.ok(
    all.some((e) => e.errors.length === 0),
    'at least one valid example',
  );
});

for (const ex of all) {
  const kind = ex.errors.length > 0 ? `is refused at ${ex.errors.join(', ')}` : 'is accepted';
  void test(`docs example ${ex.where} ${kind} by hbts check`, () => {
    const { code, out, dir } = checkExample(ex);
    try {
      if (ex.errors.length === 0) {
        assert.equal(code, 0, `${ex.where}: hbts check refused a documented valid example:\n${out}`);
      } else {
        assert.equal(code, 2, `${ex.where}: hbts check accepted a documented broken example:\n${out}`);
        const errorLines = out
          .split('\n')
          .filter((l) => l.startsWith(`${dir}/`) && !/^\S+: warning:/.test(l));
        const places = errorLines
          .map((l) => l.slice(dir.length + 1).split(': ')[0])
          .filter((p) => /:\d+$/.test(p ?? ''));
        for (const want of ex.errors) {
          assert.ok(
            places.includes(want),
            `${ex.where}: no error at ${want}; errors at ${places.join(', ')}\n${out}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
