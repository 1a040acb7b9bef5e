// The daemon's memory of its own cluster events: each gets a sequence number and a wall-clock time
// when it happens, and the last MAX_EVENTS are kept for `hbts events`, `hbts why`, the notify hooks
// and the HTTP API (its events, the dashboard's stream), which all read the same records with the
// same numbers (the log file gets the same events as lines).
import type { ClusterEvent, ClusterEventKind, EventLevel } from '../cluster/types.js';

/** Events kept; older ones are forgotten (a day of a quiet cluster, minutes of a flapping one). */
export const MAX_EVENTS = 5000;

export interface RecordedEvent {
  /** 1, 2, ... since the daemon started; gaps never happen, forgotten ones are just gone. */
  readonly seq: number;
  /** ISO 8601 wall-clock time. */
  readonly time: string;
  readonly kind: ClusterEventKind;
  readonly level: EventLevel;
  readonly node?: string;
  readonly medium?: string;
  readonly group?: string;
  readonly text: string;
}

export class EventHistory {
  private readonly events: RecordedEvent[] = [];
  private next = 1;

  constructor(private readonly limit = MAX_EVENTS) {}

  record(e: ClusterEvent, wallMs: number): RecordedEvent {
    const r: RecordedEvent = {
      seq: this.next++,
      time: new Date(wallMs).toISOString(),
      kind: e.kind,
      level: e.level,
      ...(e.node !== undefined ? { node: e.node } : {}),
      ...(e.medium !== undefined ? { medium: e.medium } : {}),
      ...(e.group !== undefined ? { group: e.group } : {}),
      text: e.text,
    };
    this.events.push(r);
    if (this.events.length > this.limit) this.events.splice(0, this.events.length - this.limit);
    return r;
  }

  /** Events after `seq` (oldest first), at most `max` of them: the oldest ones first. */
  since(seq: number, max = this.limit): RecordedEvent[] {
    const first = this.events.findIndex((e) => e.seq > seq);
    return first < 0 ? [] : this.events.slice(first, first + max);
  }

  /**
   * The newest `limit` events after `seq` that `shown` keeps, oldest first (the API's view: what
   * happened last, where `since` pages forward from the oldest).
   */
  newest(limit: number, seq = 0, shown: (e: RecordedEvent) => boolean = () => true): RecordedEvent[] {
    const out: RecordedEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i];
      if (e === undefined || e.seq <= seq) break;
      if (shown(e)) out.push(e);
    }
    return out.reverse();
  }

  /** The number of the last event recorded (0: none yet). */
  get lastSeq(): number {
    return this.next - 1;
  }
}
