// 10% independent loss on each of two media, deadtime = 5 x keepalive: no node is ever declared
// dead and no group moves, in any seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEEDS, assertNoViolations, runSeeds } from './helpers.js';

void test(`stability: no false death, no group move with 10% loss on two media, ${SEEDS} seeds`, () => {
  const results = runSeeds('stability');
  assertNoViolations(results);
  assert.equal(
    results.reduce((n, r) => n + r.falseDeaths, 0),
    0,
  );
  // Enough heartbeat windows to mean something (about 1e6).
  assert.ok(results.reduce((n, r) => n + r.heartbeatsReceived, 0) > 500_000);
});
