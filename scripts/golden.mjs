#!/usr/bin/env node
// Checks or rewrites the golden scenario scripts (test/golden/*.txt). Run after `npm run build`
// (`npm run golden -- ...` does both):
//   node scripts/golden.mjs                      check every story, print a diff per differing block
//   node scripts/golden.mjs --rewrite            write what the runs print as the expected output
//   node scripts/golden.mjs [--rewrite] WORD...  only the stories whose file name contains a WORD
// Review a rewrite with `git diff test/golden` before committing it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkGolden } from '../dist/src/sim/golden-runner.js';

const dir = join(new URL('..', import.meta.url).pathname, 'test', 'golden');
const args = process.argv.slice(2);
const rewrite = args.includes('--rewrite');
const words = args.filter((a) => a !== '--rewrite');
if (words.some((w) => w.startsWith('-'))) {
  console.error('usage: golden.mjs [--rewrite] [WORD...]');
  process.exit(2);
}
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no story in ${dir} matches ${words.join(' ')}`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  const path = join(dir, f);
  const text = readFileSync(path, 'utf8');
  let result;
  try {
    result = checkGolden(text, `test/golden/${f}`);
  } catch (err) {
    console.log(`ERROR ${err.message}`);
    failed++;
    continue;
  }
  if (rewrite) {
    if (result.rewritten !== text) writeFileSync(path, result.rewritten);
    console.log(`${result.rewritten !== text ? 'rewrote' : 'unchanged'} ${f}`);
  } else if (result.failures.length > 0) {
    failed++;
    console.log(`FAIL ${f}\n${result.failures.join('\n\n')}\n`);
  } else {
    console.log(`ok ${f}`);
  }
}
if (!rewrite) console.log(`${files.length - failed} of ${files.length} stories match`);
process.exit(failed > 0 ? 1 : 0);
