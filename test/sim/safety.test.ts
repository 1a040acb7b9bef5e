// Random faults (crash, restart, graceful stop, one- and two-way partitions, loss, duplication,
// jitter, standby/takeover, failing starts) over 2000 seeds: never two owners of a group while
// the two nodes can hear each other (past initdead, after a short post-heal grace), and after
// the faults stop and the network heals every group runs on exactly one node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEEDS, assertNoViolations, runSeeds } from './helpers.js';

void test(`safety and convergence under random faults, ${SEEDS} seeds`, () => {
  const results = runSeeds('random');
  assert.equal(results.length, SEEDS);
  assert.ok(results.every((r) => r.packets > 0));
  // The scenario must really exercise multi-node clusters.
  assert.ok(results.some((r) => r.nodes === 5) && results.some((r) => r.nodes === 2));
  assertNoViolations(results);
});
