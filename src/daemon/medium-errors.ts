// Send errors per medium: counted for status, logged at most once per medium per 10 s, so a dead
// link cannot flood the log.
import type { MediumId } from '../config/types.js';
import type { EventLog } from './event-log.js';

export interface MediumStatus {
  id: MediumId;
  description: string;
  sendErrors: number;
  lastError?: string;
}

export class MediumErrors {
  private readonly byMedium = new Map<MediumId, { count: number; last?: string; lastLoggedMs: number }>();

  constructor(private readonly log: Pick<EventLog, 'log'>) {}

  record(medium: MediumId, message: string, nowMs: number): void {
    const e = this.byMedium.get(medium) ?? { count: 0, lastLoggedMs: -Infinity };
    e.count++;
    e.last = message;
    if (nowMs - e.lastLoggedMs > 10_000) {
      e.lastLoggedMs = nowMs;
      this.log.log('warn', 'medium error', { medium, error: message, count: e.count });
    }
    this.byMedium.set(medium, e);
  }

  status(list: readonly { readonly id: MediumId; readonly description: string }[]): MediumStatus[] {
    return list.map((t) => {
      const e = this.byMedium.get(t.id);
      return {
        id: t.id,
        description: t.description,
        sendErrors: e?.count ?? 0,
        ...(e?.last !== undefined ? { lastError: e.last } : {}),
      };
    });
  }
}
