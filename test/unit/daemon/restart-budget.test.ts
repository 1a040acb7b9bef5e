import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RESTART_LIMIT,
  parseRestartLimit,
  RestartBudget,
  restartWindowMs,
} from '../../../src/daemon/restart-budget.js';

void describe('supervisor restart policy', () => {
  void it('parses COUNT/SECONDS and says what is wrong otherwise', () => {
    assert.deepEqual(parseRestartLimit('5/60'), { count: 5, windowMs: 60_000 });
    assert.deepEqual(parseRestartLimit('0/1'), { count: 0, windowMs: 1000 });
    assert.match(String(parseRestartLimit('5')), /takes COUNT\/SECONDS/);
    assert.match(String(parseRestartLimit('5/0')), /at least 1 second/);
    assert.match(String(parseRestartLimit('-1/60')), /takes COUNT\/SECONDS/);
    assert.deepEqual(DEFAULT_RESTART_LIMIT, { count: 5, windowMs: 60_000 });
  });

  void it('allows COUNT restarts in any window, then again once the oldest leaves it', () => {
    const b = new RestartBudget({ count: 2, windowMs: 1000 });
    assert.equal(b.take(0), true);
    assert.equal(b.take(500), true);
    assert.equal(b.take(900), false);
    assert.equal(b.used(900), 2);
    assert.equal(b.take(1000), true); // the restart at 0 left the window
    assert.equal(b.take(1400), false);
    assert.equal(b.take(1500), true);
    assert.equal(new RestartBudget({ count: 0, windowMs: 1000 }).take(0), false);
  });

  void it('a restart must be back before deadtime minus one keepalive, keeping time for the local stop', () => {
    assert.deepEqual(restartWindowMs({ deadtimeMs: 1000, keepaliveMs: 200 }), {
      readyWithinMs: 600,
      stopReserveMs: 200,
    });
    assert.deepEqual(restartWindowMs({ deadtimeMs: 30_000, keepaliveMs: 2000 }), {
      readyWithinMs: 26_000,
      stopReserveMs: 2000,
    });
    assert.deepEqual(restartWindowMs({ deadtimeMs: 300, keepaliveMs: 100 }), {
      readyWithinMs: 100,
      stopReserveMs: 100,
    });
    assert.equal(restartWindowMs({ deadtimeMs: 100, keepaliveMs: 100 }).readyWithinMs, 0);
  });
});
