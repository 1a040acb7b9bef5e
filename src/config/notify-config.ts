// Notify hooks (our extension; parsed by ha-cf-notify.ts): programs run once per cluster event.
import type { SourceLocation } from './source-location.js';

/** A `notify /path [args...]` line (our extension): a program run once per cluster event. */
export interface NotifyHook {
  readonly path: string;
  readonly args: readonly string[];
  readonly at: SourceLocation;
}

/** Notify hooks (our extension, hbts.cf or ha.cf): this node's own; a reload applies them. */
export interface NotifySettings {
  /** `notify` lines in order (ha.cf then hbts.cf); every event runs each of them. */
  readonly notify: readonly NotifyHook[];
  /** `notify_timeout`: one hook run's limit before it is killed (default 30 s). */
  readonly notifyTimeoutMs: number;
}
