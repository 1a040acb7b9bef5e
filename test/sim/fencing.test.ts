// Fencing configured on every node: never two holders at any moment (partitioned or not) under
// random crashes, restarts, partitions, one-way blocks, pauses and failing fence devices; and
// every group runs once after the heal.
import { test } from 'node:test';
import { assertNoViolations, runSeeds } from './helpers.js';

void test('fencing: never two holders, then convergence, 1000 seeds', () => {
  assertNoViolations(runSeeds('fencing', 1000));
});
