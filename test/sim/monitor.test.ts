// Health checks in the simulator: a dead service is restarted in place once, moves once past its
// restart budget, and when it is broken on every node (some checks hanging) it starts at most once
// per node and ends down everywhere, reported; never two holders; cleanup brings it back once.
import { test } from 'node:test';
import { assertNoViolations, runSeeds } from './helpers.js';

const MONITOR_SEEDS = 300;

void test(`monitor failures: restart in place, one move, down everywhere without ping-pong or double start, ${MONITOR_SEEDS} seeds`, () => {
  assertNoViolations(runSeeds('monitor', MONITOR_SEEDS));
});
