// auto_failback on: a group returns to its home node after it comes back; off: it stays put.
import { test } from 'node:test';
import { SEEDS, assertNoViolations, runSeeds } from './helpers.js';

void test(`auto_failback on: groups return home, ${SEEDS} seeds`, () => {
  assertNoViolations(runSeeds('failback-on'));
});

void test(`auto_failback off: groups stay where they run, ${SEEDS} seeds`, () => {
  assertNoViolations(runSeeds('failback-off'));
});
