// The behaviour pin of the cluster core: the canonical trace hash of a fixed matrix of simulator
// runs (recorded by scripts/sim-trace-hashes.mjs, 200 seeds each; here the first seeds of each) and
// determinism (the same seed twice gives the same trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runScenario, scenarioNames } from '../../src/sim/scenarios.js';
import { compareTraceHashes, traceHashes } from '../../src/sim/trace-hashes.js';
import type { TraceHashTable } from '../../src/sim/trace-hashes.js';

const recorded = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/sim-trace-hashes.json', import.meta.url), 'utf8'),
) as TraceHashTable;

void test('the same seed run twice gives the same trace hash, in every scenario', () => {
  for (const scenario of scenarioNames) {
    for (const seed of [1, 77, 4242]) {
      const a = runScenario(scenario, seed, { traceHash: true });
      const b = runScenario(scenario, seed, { traceHash: true });
      assert.match(a.traceHash ?? '', /^[0-9a-f]{64}$/);
      assert.equal(a.traceHash, b.traceHash, `${scenario} seed ${seed}`);
    }
  }
});

void test('different seeds give different traces (the hash sees the run)', () => {
  const hashes = new Set(
    [1, 2, 3, 4, 5].map((seed) => runScenario('random', seed, { traceHash: true }).traceHash),
  );
  assert.equal(hashes.size, 5);
});

void test('recorded trace hashes still match: first 8 seeds of every scenario at 2-5 nodes', () => {
  const diffs = compareTraceHashes(recorded, traceHashes(8));
  assert.deepEqual(
    diffs,
    [],
    `behaviour changed; run node scripts/sim-trace-hashes.mjs for the whole matrix`,
  );
});
