// The false-death scenarios: a measurement, not an invariant. How often does loss alone make a node
// declare a live peer dead, with and without retransmission, against what the loss model predicts.
import { countFalseDeaths, harness, result, startAll } from './scenario-harness.js';
import type { ScenarioOptions, ScenarioResult } from './scenario-harness.js';

/**
 * One medium at 30% loss, deadtime = 3 x keepalive, 2 nodes: count false deaths (measured, not an
 * invariant). `rexmit` false = retransmission requests disabled, the pure loss model the prediction
 * describes; true = real behaviour, where a retransmitted heartbeat also proves the peer alive.
 */
export function falseDeathScenario(seed: number, rexmit: boolean, options: ScenarioOptions): ScenarioResult {
  const keepaliveMs = 100;
  const h = harness(
    seed,
    {
      nodes: options.nodes ?? 2,
      media: 1,
      keepaliveMs,
      deadtimeMs: 3 * keepaliveMs,
      autoFailback: 'off',
      authMethod: 'crc',
      // No groups: ownership changes would add extra heartbeats outside the keepalive rhythm.
      groups: 0,
      ...(rexmit ? {} : { maxRexmitDelayMs: 1e9 }),
    },
    [{ loss: 0.3, delayMinMs: 0.5, delayMaxMs: 5, duplicate: 0 }],
    options,
  );
  startAll(h, 0);
  h.sim.runUntil(10_000);
  // Split brain is expected here; only the measurement matters.
  h.violations.length = 0;
  return result(h, rexmit ? 'false-death-rexmit' : 'false-death', seed, countFalseDeaths(h));
}

/**
 * Loss model for the false-death scenario: statuses are sent every keepalive; after one arrives at
 * delay d0, the peer is declared dead at +deadtime unless a later one arrives first. With deadtime
 * = k x keepalive, heartbeats 1..k-1 lost always kill; heartbeat k arrives exactly at the deadline
 * plus (dk - d0), i.e. too late half the time with i.i.d. jitter. Per received heartbeat:
 *   P(false death) = p^(k-1) * (p + (1 - p) / 2)       (jitter-aware)
 * versus the naive p^k when the k-th heartbeat is always in time.
 */
export function predictedFalseDeathPerHeartbeat(
  loss: number,
  deadtimeOverKeepalive: number,
): {
  jitterAware: number;
  naive: number;
} {
  const k = deadtimeOverKeepalive;
  return { jitterAware: loss ** (k - 1) * (loss + (1 - loss) / 2), naive: loss ** k };
}
