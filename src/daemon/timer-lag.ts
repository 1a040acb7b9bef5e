// Event-loop lag as the heartbeat path feels it: how late the driver's one timer fired compared
// with the wake-up the core asked for (the next heartbeat to send, the next deadline to judge).
// Measured on the wake-ups the daemon makes anyway, so it costs no timer of its own. Reported in
// the status view (hbts status, the HTTP API / metrics): the last lag, the largest in the last
// 10 s and since start, and how many wake-ups were later than one keepalive.
export interface TimerLagSnapshot {
  readonly lastMs: number;
  /** Largest lag among the wake-ups of the last 10 s. */
  readonly recentMaxMs: number;
  readonly maxMs: number;
  readonly wakeups: number;
  /** Wake-ups later than one keepalive (the core's pause detection reacts to those). */
  readonly lateWakeups: number;
  /** SCHED_RR once `realtime` took effect; normal when off, refused, or not asked for. */
  readonly scheduling: Scheduling;
}

export type Scheduling = 'SCHED_RR' | 'normal';

const RECENT_MS = 10_000;

export class TimerLag {
  private last = 0;
  private max = 0;
  private wakeups = 0;
  private late = 0;
  /** Max of the current and the previous 10 s bucket: a rolling "recent" without a list. */
  private bucketStartMs = 0;
  private bucketMax = 0;
  private previousBucketMax = 0;
  scheduling: Scheduling = 'normal';

  constructor(private readonly keepaliveMs: () => number) {}

  record(lagMs: number, nowMs: number): void {
    const lag = Math.max(0, lagMs);
    this.last = lag;
    this.wakeups++;
    if (lag > this.max) this.max = lag;
    if (lag > this.keepaliveMs()) this.late++;
    this.roll(nowMs);
    if (lag > this.bucketMax) this.bucketMax = lag;
  }

  snapshot(nowMs: number): TimerLagSnapshot {
    this.roll(nowMs);
    const r = (x: number): number => Math.round(x * 10) / 10;
    return {
      lastMs: r(this.last),
      recentMaxMs: r(Math.max(this.bucketMax, this.previousBucketMax)),
      maxMs: r(this.max),
      wakeups: this.wakeups,
      lateWakeups: this.late,
      scheduling: this.scheduling,
    };
  }

  private roll(nowMs: number): void {
    if (nowMs - this.bucketStartMs < RECENT_MS) return;
    // one bucket gone: the current becomes the previous; more than one: both are stale
    this.previousBucketMax = nowMs - this.bucketStartMs < 2 * RECENT_MS ? this.bucketMax : 0;
    this.bucketMax = 0;
    this.bucketStartMs = nowMs;
  }
}
