// The owner of a group crashes: a survivor runs each of its groups within
// deadtime + one keepalive + the simulated start time, in every seed.
import { test } from 'node:test';
import { SEEDS, assertNoViolations, runSeeds } from './helpers.js';

void test(`liveness: a crashed owner's groups run on a survivor in time, ${SEEDS} seeds`, () => {
  assertNoViolations(runSeeds('liveness'));
});
