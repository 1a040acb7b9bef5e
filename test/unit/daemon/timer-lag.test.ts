// TimerLag: the event-loop lag figures of the status view, from the driver's own wake-ups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimerLag } from '../../../src/daemon/timer-lag.js';

void describe('TimerLag', () => {
  void it('keeps the last lag, the largest, and counts wake-ups later than a keepalive', () => {
    const lag = new TimerLag(() => 10);
    lag.record(0.4, 1000);
    lag.record(37, 1010);
    lag.record(2, 1020);
    lag.record(-0.2, 1030); // a timer cannot fire early: clamped to 0
    const s = lag.snapshot(1030);
    assert.deepEqual(s, {
      lastMs: 0,
      recentMaxMs: 37,
      maxMs: 37,
      wakeups: 4,
      lateWakeups: 1,
      scheduling: 'normal',
    });
  });

  void it('forgets a spike in the recent maximum after 10 to 20 s, never in the all-time one', () => {
    const lag = new TimerLag(() => 200);
    lag.record(50, 0);
    lag.record(1, 5_000);
    assert.equal(lag.snapshot(9_000).recentMaxMs, 50);
    lag.record(1, 12_000); // a new bucket: the spike is in the previous one, still recent
    assert.equal(lag.snapshot(12_000).recentMaxMs, 50);
    lag.record(2, 23_000); // two buckets later
    const s = lag.snapshot(23_000);
    assert.equal(s.recentMaxMs, 2);
    assert.equal(s.maxMs, 50);
    assert.equal(s.lateWakeups, 0);
  });

  void it('asks for the keepalive at every wake-up (a reload may change it)', () => {
    let keepalive = 100;
    const lag = new TimerLag(() => keepalive);
    lag.record(50, 0);
    keepalive = 10;
    lag.record(50, 1);
    assert.equal(lag.snapshot(1).lateWakeups, 1);
  });
});
