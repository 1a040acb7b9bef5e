// Status verdicts per agent kind.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  heartbeatOutputSaysRunning,
  lsbStatus,
  ocfMonitorStatus,
} from '../../../src/resources/status-rules.js';

void describe("Heartbeat's output rule", () => {
  const cases: [string, boolean][] = [
    ['apache is running', true],
    ['Running', true],
    ['status: OK', true],
    ['apache is not running', false],
    ['NOT   Running', false],
    ['Not running (pid file stale) but OK', false],
    ['stopped', false],
    ['', false],
    ['ok', false], // only upper-case OK counts
  ];
  for (const [out, running] of cases)
    void it(`${JSON.stringify(out)} -> ${running ? 'running' : 'stopped'}`, () => {
      assert.equal(heartbeatOutputSaysRunning(out), running);
    });
});

void describe('LSB status', () => {
  void it('uses the exit code: 0 running, 1/2/3 stopped', () => {
    assert.equal(lsbStatus(0, '').state, 'running');
    for (const code of [1, 2, 3]) assert.equal(lsbStatus(code, 'is running').state, 'stopped');
  });
  void it('treats exit 0 with "not running" output as stopped', () => {
    assert.equal(lsbStatus(0, 'foo is not running').state, 'stopped');
  });
  void it('falls back to the output for codes without a status meaning', () => {
    assert.equal(lsbStatus(4, 'foo is running').state, 'running');
    assert.equal(lsbStatus(127, '').state, 'stopped');
  });
});

void describe('OCF monitor', () => {
  void it('maps 0 and 8 to running, 7 to stopped, the rest to unknown', () => {
    assert.equal(ocfMonitorStatus(0).state, 'running');
    assert.equal(ocfMonitorStatus(8).state, 'running');
    assert.equal(ocfMonitorStatus(7).state, 'stopped');
    assert.equal(ocfMonitorStatus(1).state, 'unknown');
    assert.equal(ocfMonitorStatus(5).rule, 'OCF_ERR_INSTALLED');
  });
});
