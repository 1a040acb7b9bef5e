// How a status/monitor result becomes running / stopped / unknown, per agent kind.
// Pure functions over (exit code, stdout), so each rule is pinned by a unit test.
import type { ResourceState } from './types.js';

/**
 * Heartbeat's ResourceManager rule (reference 10.4), which ignores the exit code:
 * stdout matching `*[Nn][Oo][Tt] *[Rr]unning*` is stopped; else containing `running`/`Running`
 * or `OK` is running; anything else, empty output included, is stopped.
 */
export function heartbeatOutputSaysRunning(stdout: string): boolean {
  if (/[Nn][Oo][Tt] *[Rr]unning/.test(stdout)) return false;
  return /[Rr]unning/.test(stdout) || stdout.includes('OK');
}

export interface StatusVerdict {
  readonly state: ResourceState;
  /** Why, for the log. */
  readonly rule: string;
}

/** resource.d scripts: exactly Heartbeat's output rule, so existing scripts behave as they always did. */
export function heartbeatScriptStatus(stdout: string): StatusVerdict {
  return heartbeatOutputSaysRunning(stdout)
    ? { state: 'running', rule: 'output says running' }
    : { state: 'stopped', rule: 'output does not say running' };
}

/**
 * LSB init scripts: the exit code decides (0 running; 1, 2, 3 not running). Two safety nets:
 * exit 0 while printing "not running" is a broken script and counts as stopped; codes with no
 * LSB "is it running" meaning (4 = unknown, 126/127 = cannot run...) fall back to Heartbeat's output rule.
 */
export function lsbStatus(code: number, stdout: string): StatusVerdict {
  if (code === 0) {
    if (/[Nn][Oo][Tt] *[Rr]unning/.test(stdout))
      return { state: 'stopped', rule: 'exit 0 but output says not running' };
    return { state: 'running', rule: 'LSB exit 0' };
  }
  if (code === 1 || code === 2 || code === 3) return { state: 'stopped', rule: `LSB exit ${code}` };
  const fallback = heartbeatScriptStatus(stdout);
  return { state: fallback.state, rule: `LSB exit ${code} has no status meaning; ${fallback.rule}` };
}

/** OCF exit codes. */
export const OCF_SUCCESS = 0;
export const OCF_NOT_RUNNING = 7;
export const OCF_RUNNING_MASTER = 8;

const OCF_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'OCF_SUCCESS',
  1: 'OCF_ERR_GENERIC',
  2: 'OCF_ERR_ARGS',
  3: 'OCF_ERR_UNIMPLEMENTED',
  4: 'OCF_ERR_PERM',
  5: 'OCF_ERR_INSTALLED',
  6: 'OCF_ERR_CONFIGURED',
  7: 'OCF_NOT_RUNNING',
  8: 'OCF_RUNNING_MASTER',
  9: 'OCF_FAILED_MASTER',
};

export function ocfCodeName(code: number): string {
  return OCF_CODE_NAMES[code] ?? `rc ${code}`;
}

/** OCF monitor: 0 (or 8, running as master) running, 7 stopped, anything else unknown (failed). */
export function ocfMonitorStatus(code: number): StatusVerdict {
  if (code === OCF_SUCCESS || code === OCF_RUNNING_MASTER)
    return { state: 'running', rule: ocfCodeName(code) };
  if (code === OCF_NOT_RUNNING) return { state: 'stopped', rule: ocfCodeName(code) };
  return { state: 'unknown', rule: ocfCodeName(code) };
}
