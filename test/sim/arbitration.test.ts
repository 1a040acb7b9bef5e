// Arbitration in the simulator. Quorum on, no fencing: never two holders at any moment under
// crashes, restarts, clean splits (a ping node as tiebreaker on one side when the node count is
// even), heals and graceful stops, then convergence. ipfail: the holder that loses a ping node
// others reach gives every group up within deadping plus a move; all nodes losing it at once
// moves nothing; random flaps stay safe and converge.
import { test } from 'node:test';
import { assertNoViolations, runSeeds } from './helpers.js';

void test('quorum: never two holders without fencing, then convergence, 500 seeds', () => {
  assertNoViolations(runSeeds('quorum', 500));
});

void test('ping-loss: groups leave the node that lost the ping node, none move when all lose it, 200 seeds', () => {
  assertNoViolations(runSeeds('ping-loss', 200));
});
