// scripts/check-import-cycles.mjs (run by `npm run lint`) on small source trees written here: it
// must fail on a cycle, type-only ones and re-exports included, and pass an acyclic tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/check-import-cycles.mjs', import.meta.url));

function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'hbts-cycles-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, 'src', name)), { recursive: true });
      writeFileSync(join(root, 'src', name), text);
    }
    const r = spawnSync(process.execPath, [SCRIPT, 'src'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

void test('import cycles: an acyclic tree passes', () => {
  const r = check({
    'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'b.ts': "import type { C } from './sub/c.js';\nexport const b: C = 1;\n",
    'sub/c.ts': "import { readFileSync } from 'node:fs';\nexport type C = number;\nvoid readFileSync;\n",
  });
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /no import cycles among 3 files/);
});

void test('import cycles: a cycle through a type-only import and a re-export fails, with its path', () => {
  const r = check({
    'endpoint.ts': "export type Options = { n: number };\nexport { create } from './create.js';\n",
    'create.ts': "import type { Options } from './endpoint.js';\nexport const create = (o: Options) => o;\n",
    'other.ts': "import { create } from './create.js';\nexport const x = create;\n",
  });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /import cycle: src\/create\.ts -> src\/endpoint\.ts -> src\/create\.ts/);
  assert.match(r.out, /1 import cycle\(s\) among 3 files/);
});

void test('import cycles: a longer cycle across folders is one closed path; multi-line imports count', () => {
  const r = check({
    'a/one.ts': "import {\n  two,\n} from '../b/two.js';\nexport const one = two;\n",
    'b/two.ts': "export { three as two } from './three.js';\n",
    'b/three.ts':
      "// import { nothing } from './nowhere.js' is a comment, not an edge\nimport '../a/one.js';\nexport const three = 3;\n",
  });
  assert.equal(r.status, 1, r.out);
  assert.match(
    r.out,
    /import cycle: src\/a\/one\.ts -> src\/b\/two\.ts -> src\/b\/three\.ts -> src\/a\/one\.ts/,
  );
});

void test('import cycles: a module importing itself is a cycle', () => {
  const r = check({
    'self.ts': "import type { T } from './self.js';\nexport type T = string;\nexport const t: T = '';\n",
  });
  assert.equal(r.status, 1, r.out);
  assert.match(r.out, /import cycle: src\/self\.ts -> src\/self\.ts/);
});

void test('import cycles: a missing folder is a usage error', () => {
  const r = spawnSync(process.execPath, [SCRIPT, join(tmpdir(), 'hbts-no-such-dir-for-cycles')], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /is not a folder/);
});
