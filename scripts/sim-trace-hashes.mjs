#!/usr/bin/env node
// Records or checks the simulator's trace hashes (every scenario x 2-5 nodes x 200 seeds), the
// behaviour pin of the cluster core. Run after `npm run build`:
//   node scripts/sim-trace-hashes.mjs            check against test/fixtures/sim-trace-hashes.json
//   node scripts/sim-trace-hashes.mjs --record   write the file anew (commit it with the reason)
//   --seeds N  fewer seeds (check only), --scenario NAME  one scenario only (with --record: record
//   that scenario's hashes into the file, every other scenario's left as recorded)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareTraceHashes, traceHashes } from '../dist/src/sim/trace-hashes.js';
import { scenarioNames } from '../dist/src/sim/scenarios.js';

const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'test', 'fixtures', 'sim-trace-hashes.json');
const args = process.argv.slice(2);
const record = args.includes('--record');
const seedsAt = args.indexOf('--seeds');
const seeds = seedsAt >= 0 ? Number(args[seedsAt + 1]) : 200;
const scenarioAt = args.indexOf('--scenario');
const scenarios = scenarioAt >= 0 ? [args[scenarioAt + 1]] : scenarioNames;
if (!Number.isInteger(seeds) || seeds < 1 || scenarios.some((s) => !scenarioNames.includes(s))) {
  console.error('usage: sim-trace-hashes.mjs [--record] [--seeds N] [--scenario NAME]');
  process.exit(2);
}
if (record && seeds !== 200) {
  console.error('--record writes 200 seeds: no --seeds with it');
  process.exit(2);
}
const started = performance.now();
const actual = traceHashes(seeds, scenarios);
const secs = ((performance.now() - started) / 1000).toFixed(1);
if (record) {
  const merged =
    scenarios.length === scenarioNames.length
      ? actual
      : { ...JSON.parse(readFileSync(file, 'utf8')), ...actual };
  writeFileSync(file, JSON.stringify(merged, null, 0).replace(/\],"/g, '],\n"') + '\n');
  console.log(
    `recorded ${scenarios.length} scenarios x 4 node counts x ${seeds} seeds in ${secs} s: ${file}`,
  );
  process.exit(0);
}
const diffs = compareTraceHashes(JSON.parse(readFileSync(file, 'utf8')), actual);
const runs = scenarios.length * 4 * seeds;
if (diffs.length === 0) {
  console.log(`${runs} runs, every trace hash matches (${secs} s)`);
  process.exit(0);
}
console.log(`${diffs.length} of ${runs} runs differ (${secs} s):`);
for (const d of diffs.slice(0, 40)) console.log(`  ${d}`);
process.exit(1);
