// One medium at 30% loss with deadtime = 3 x keepalive: the simulator's false-death rate matches
// what the loss model predicts (no retransmissions), and retransmission only lowers it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictedFalseDeathPerHeartbeat } from '../../src/sim/scenarios.js';
import { runSeeds } from './helpers.js';

function rate(results: ReturnType<typeof runSeeds>): number {
  const deaths = results.reduce((n, r) => n + r.falseDeaths, 0);
  const heartbeats = results.reduce((n, r) => n + r.heartbeatsReceived, 0);
  return deaths / heartbeats;
}

void test('false-death rate at 30% loss matches the loss model within 10%', () => {
  const measured = rate(runSeeds('false-death', 400));
  const predicted = predictedFalseDeathPerHeartbeat(0.3, 3).jitterAware;
  assert.ok(
    Math.abs(measured - predicted) / predicted < 0.1,
    `measured ${measured.toFixed(4)} vs predicted ${predicted.toFixed(4)} per heartbeat`,
  );
});

void test('retransmitted heartbeats lower the false-death rate', () => {
  const plain = rate(runSeeds('false-death', 200));
  const rexmit = rate(runSeeds('false-death-rexmit', 200));
  assert.ok(rexmit < plain * 0.8, `with rexmit ${rexmit.toFixed(4)}, without ${plain.toFixed(4)}`);
});
