#!/usr/bin/env node
// Writes the files generated from the code (the ha.cf directive reference, the man pages); with
// --check, writes nothing and exits 1 naming each stale file. Run after `npx tsc`.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles, PROJECT_ROOT } from '../dist/src/docs/generated-files.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const f of await generatedFiles()) {
  const path = join(PROJECT_ROOT, f.path);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old === f.content) continue;
  if (check) {
    console.error(`stale: ${f.path} (run npm run docs)`);
    stale++;
  } else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    console.log(`wrote ${f.path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
