// The supervisor's restart policy, kept apart from the process handling so it can be tested on its
// own: how many restarts a window allows, and how long a restarted daemon may take to be back
// before the peers' deadtime runs out (after that the supervisor stops the groups here instead).

export interface RestartLimit {
  /** Restarts allowed within the window; 0 = never restart (stop the groups at once). */
  readonly count: number;
  readonly windowMs: number;
}

/** 5 restarts in 60 s: a crash loop ends after the sixth death in a minute. */
export const DEFAULT_RESTART_LIMIT: RestartLimit = { count: 5, windowMs: 60_000 };

/** `N/SECONDS` (for example `5/60`); a message saying what is wrong otherwise. */
export function parseRestartLimit(text: string): RestartLimit | string {
  const m = /^(\d{1,4})\/(\d{1,6})$/.exec(text);
  if (!m) return `--restart-limit takes COUNT/SECONDS (for example 5/60), got '${text}'`;
  const count = Number(m[1]);
  const seconds = Number(m[2]);
  if (seconds === 0) return `--restart-limit: the window must be at least 1 second, got '${text}'`;
  return { count, windowMs: seconds * 1000 };
}

/** Sliding window of past restarts. */
export class RestartBudget {
  private readonly times: number[] = [];

  constructor(readonly limit: RestartLimit) {}

  /** Records a restart at nowMs when the window allows one more; false when the budget is spent. */
  take(nowMs: number): boolean {
    while (this.times.length > 0 && nowMs - (this.times[0] ?? 0) >= this.limit.windowMs) this.times.shift();
    if (this.times.length >= this.limit.count) return false;
    this.times.push(nowMs);
    return true;
  }

  /** Restarts counted in the window ending at nowMs. */
  used(nowMs: number): number {
    return this.times.filter((t) => nowMs - t < this.limit.windowMs).length;
  }
}

/**
 * How long after a death the restarted daemon may take to report ready. The peers declare this
 * node dead `deadtime` after its last heartbeat, which left up to one keepalive before the death;
 * the rest of the window is kept for stopping the groups here (virtual IPs first) if the restart is
 * late: a fifth of deadtime, at least 100 ms and at most 2 s.
 */
export function restartWindowMs(timing: { readonly deadtimeMs: number; readonly keepaliveMs: number }): {
  readonly readyWithinMs: number;
  readonly stopReserveMs: number;
} {
  const stopReserveMs = Math.min(2000, Math.max(100, Math.round(timing.deadtimeMs / 5)));
  const readyWithinMs = Math.max(0, timing.deadtimeMs - timing.keepaliveMs - stopReserveMs);
  return { readyWithinMs, stopReserveMs };
}
