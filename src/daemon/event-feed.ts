// Where the daemon's cluster events go besides the log: the event history (`hbts events`,
// `hbts why`, the `events` control request, the HTTP API), the notify hooks and whoever listens
// (the API's group transitions, metrics and live stream). One object so the daemon wires it in a
// few lines, a reload reconfigures the hooks in one call, and every reader sees one numbering.
import type { ClusterEvent } from '../cluster/types.js';
import { DEFAULT_NOTIFY_TIMEOUT_MS } from '../config/ha-cf-notify.js';
import type { ClusterConfig } from '../config/types.js';
import { EventHistory, type RecordedEvent } from './event-history.js';
import type { EventLog } from './event-log.js';
import { NotifyHooks, type NotifyCounters } from './notify-hooks.js';

/** How long a stopping daemon waits for the hook runs already queued. */
export const SHUTDOWN_DRAIN_MS = 10_000;

export interface EventFeedStatus {
  /** The seq of the last recorded event. */
  readonly lastSeq: number;
  /** Notify hook runs: finished, failed, killed at the timeout, dropped (queue full), waiting. */
  readonly notify: NotifyCounters & { readonly hooks: number };
}

export class EventFeed {
  readonly history = new EventHistory();
  private readonly hooks: NotifyHooks;
  private hookCount: number;
  /** Long polls waiting for the next event. */
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(e: RecordedEvent) => void>();
  private closing = false;

  constructor(config: ClusterConfig, self: string, log: EventLog) {
    this.hookCount = (config.notify ?? []).length;
    this.hooks = new NotifyHooks(
      config.notify ?? [],
      config.notifyTimeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
      self,
      config.clusterName,
      (level, what, fields) => log.log(level, what, fields),
    );
  }

  /** An event the log got: recorded with the wall-clock time, queued for the hooks, told to the listeners. */
  record(e: ClusterEvent): RecordedEvent {
    const r = this.history.record(e, Date.now());
    this.hooks.push(r);
    this.wake();
    for (const l of this.listeners) l(r);
    return r;
  }

  /** Hear every event as it is recorded (debug ones too); returns the way to stop. */
  subscribe(listener: (e: RecordedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  /** A reload: later events run the new hooks. */
  configure(config: ClusterConfig): void {
    this.hookCount = (config.notify ?? []).length;
    this.hooks.configure(
      config.notify ?? [],
      config.notifyTimeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS,
      config.clusterName,
    );
  }

  /** The `events` control request's reply; with waitMs, once there is an event after `since`. */
  async reply(req: {
    readonly since: number;
    readonly limit: number;
    readonly waitMs: number;
  }): Promise<Record<string, unknown>> {
    // a request from an earlier daemon's numbering (since beyond ours) is answered at once
    if (req.waitMs > 0 && req.since === this.history.lastSeq && !this.closing) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiters.add(resolve);
        timer = setTimeout(() => {
          this.waiters.delete(resolve);
          resolve();
        }, req.waitMs);
      });
      clearTimeout(timer);
    }
    return { ok: true, events: this.history.since(req.since, req.limit), last: this.history.lastSeq };
  }

  status(): EventFeedStatus {
    return { lastSeq: this.history.lastSeq, notify: { ...this.hooks.counters(), hooks: this.hookCount } };
  }

  /**
   * The daemon is leaving: the runs queued so far (the release of its groups) may finish, for at
   * most SHUTDOWN_DRAIN_MS; then no more.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.hooks.idle(), new Promise((r) => (timer = setTimeout(r, SHUTDOWN_DRAIN_MS)))]);
    clearTimeout(timer);
    this.hooks.close();
  }
}
