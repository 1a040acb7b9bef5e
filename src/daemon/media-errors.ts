// Send/receive errors per heartbeat medium: counted for the status view, logged at most once per
// medium per 10 s (a dead link must not flood the log).
import type { MediumId } from '../config/types.js';
import type { EventLog } from './event-log.js';

interface MediumErrors {
  count: number;
  last?: string;
  lastLoggedMs: number;
}

export class MediaErrors {
  private readonly byMedium = new Map<MediumId, MediumErrors>();

  constructor(private readonly log: EventLog) {}

  record(medium: MediumId, message: string): void {
    const e = this.byMedium.get(medium) ?? { count: 0, lastLoggedMs: -Infinity };
    e.count++;
    e.last = message;
    const now = performance.now();
    if (now - e.lastLoggedMs > 10_000) {
      e.lastLoggedMs = now;
      this.log.log('warn', 'medium error', { medium, error: message, count: e.count });
    }
    this.byMedium.set(medium, e);
  }

  /** The status view's figures for one medium. */
  of(medium: MediumId): { sendErrors: number; lastError?: string } {
    const e = this.byMedium.get(medium);
    return { sendErrors: e?.count ?? 0, ...(e?.last !== undefined ? { lastError: e.last } : {}) };
  }
}
