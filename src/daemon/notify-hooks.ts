// Notify hooks (`notify /path [args...]` in ha.cf/hbts.cf): every cluster event (debug ones
// excepted) runs each hook once, its facts in HBTS_* environment variables, without a shell.
// One queue and one run at a time, so hooks see events in order; the core never waits for them.
// The queue is bounded: when a hook is slower than the events come, new runs are dropped, counted
// and logged (at most once per DROP_LOG_INTERVAL_MS), never buffered without limit. A run past
// notify_timeout is killed (its whole process group) and the queue goes on.
import { performance } from 'node:perf_hooks';
import type { NotifyHook } from '../config/types.js';
import { describeOutcome, runCommand } from '../resources/run-command.js';
import type { RecordedEvent } from './event-history.js';

/** Runs waiting at most (one per event and hook). */
export const NOTIFY_QUEUE_LIMIT = 1000;
export const DROP_LOG_INTERVAL_MS = 10_000;
/** After SIGTERM at the timeout, SIGKILL this much later. */
const KILL_GRACE_MS = 1000;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface NotifyCounters {
  /** Runs finished with exit code 0. */
  readonly ok: number;
  /** Runs that exited non-zero, were signalled or could not start. */
  readonly failed: number;
  /** Runs killed at notify_timeout. */
  readonly timedOut: number;
  /** Runs never started: the queue was full. */
  readonly dropped: number;
  /** Runs waiting now (the running one not included). */
  readonly queued: number;
}

export type NotifyLog = (
  level: 'info' | 'warn' | 'error',
  what: string,
  fields: Record<string, string | number | undefined>,
) => void;

interface Job {
  readonly hook: NotifyHook;
  readonly env: Record<string, string>;
  readonly event: RecordedEvent;
}

/** The variables a hook gets for one event. */
export function notifyEnvironment(e: RecordedEvent, self: string, cluster: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? DEFAULT_PATH,
    HBTS_EVENT: e.kind,
    HBTS_LEVEL: e.level,
    HBTS_NODE: e.node ?? '',
    HBTS_GROUP: e.group ?? '',
    HBTS_MEDIUM: e.medium ?? '',
    HBTS_SEQ: String(e.seq),
    HBTS_TIME: e.time,
    HBTS_REASON: e.text,
    HBTS_SELF: self,
    HBTS_CLUSTER: cluster,
  };
}

export class NotifyHooks {
  private readonly queue: Job[] = [];
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private ok = 0;
  private failed = 0;
  private timedOut = 0;
  private dropped = 0;
  private droppedUnlogged = 0;
  private lastDropLogMs = -Infinity;

  constructor(
    private hooks: readonly NotifyHook[],
    private timeoutMs: number,
    private readonly self: string,
    private cluster: string,
    private readonly log: NotifyLog,
    private readonly limit = NOTIFY_QUEUE_LIMIT,
  ) {}

  /** A reload: later events run the new hooks (runs already queued keep theirs). */
  configure(hooks: readonly NotifyHook[], timeoutMs: number, cluster: string): void {
    this.hooks = hooks;
    this.timeoutMs = timeoutMs;
    this.cluster = cluster;
  }

  /** Queue the event for every hook; returns at once. */
  push(e: RecordedEvent): void {
    if (this.closed || e.level === 'debug') return;
    for (const hook of this.hooks) {
      if (this.queue.length >= this.limit) {
        this.dropped++;
        this.droppedUnlogged++;
        this.logDrops(false);
        continue;
      }
      this.queue.push({ hook, env: notifyEnvironment(e, this.self, this.cluster), event: e });
    }
    if (!this.running && this.queue.length > 0) void this.drain();
  }

  counters(): NotifyCounters {
    return {
      ok: this.ok,
      failed: this.failed,
      timedOut: this.timedOut,
      dropped: this.dropped,
      queued: this.queue.length,
    };
  }

  /** Resolves when nothing runs and nothing waits (tests; a shutdown that wants the last events out). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** No new runs; the one running finishes (or times out) on its own. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private logDrops(force: boolean): void {
    const now = performance.now();
    if (this.droppedUnlogged === 0 || (!force && now - this.lastDropLogMs < DROP_LOG_INTERVAL_MS)) return;
    this.log('warn', 'notify queue full: hook runs dropped', {
      dropped: this.droppedUnlogged,
      total: this.dropped,
      limit: this.limit,
    });
    this.droppedUnlogged = 0;
    this.lastDropLogMs = now;
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
      const outcome = await runCommand({
        file: job.hook.path,
        args: job.hook.args,
        env: job.env,
        timeoutMs: this.timeoutMs,
        killGraceMs: KILL_GRACE_MS,
        cwd: '/',
      });
      const fields = { hook: job.hook.path, event: job.event.kind, seq: job.event.seq };
      if (outcome.kind === 'exited' && outcome.code === 0) this.ok++;
      else if (outcome.kind === 'timeout') {
        this.timedOut++;
        this.log('warn', `notify hook killed after ${this.timeoutMs} ms (notify_timeout)`, fields);
      } else {
        this.failed++;
        this.log('warn', 'notify hook failed', { ...fields, outcome: describeOutcome(outcome) });
      }
    }
    this.running = false;
    this.logDrops(true);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
