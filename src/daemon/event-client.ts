// The client side of the `events` control request: every recorded event after a seq, page by page.
import { MAX_EVENTS_PER_REPLY } from './control-protocol.js';
import { controlRequest } from './control-server.js';
import { ControlSocketError } from './errors.js';
import type { RecordedEvent } from './event-history.js';
import { formatFields } from './event-log.js';

export interface EventPage {
  readonly events: readonly RecordedEvent[];
  /** The daemon's last seq: smaller than what we asked after = a new daemon (seq restarted at 1). */
  readonly last: number;
}

/** `waitMs`: wait that long for a first event after `since` when there is none yet. */
export async function fetchEvents(sock: string, since: number, waitMs = 0): Promise<EventPage> {
  const events: RecordedEvent[] = [];
  let after = since;
  for (let first = true; ; first = false) {
    const wait = first ? waitMs : 0;
    const reply = await controlRequest(
      sock,
      { cmd: 'events', since: after, limit: MAX_EVENTS_PER_REPLY, waitMs: wait },
      wait + 5000,
    );
    if (reply['ok'] !== true) throw new ControlSocketError(String(reply['error']));
    const page = reply['events'] as RecordedEvent[];
    const last = reply['last'] as number;
    events.push(...page);
    const tail = page[page.length - 1];
    if (tail === undefined || tail.seq >= last || page.length < MAX_EVENTS_PER_REPLY) return { events, last };
    after = tail.seq;
  }
}

/** One line per event, like the log file's: time, seq, level, kind, fields, text. */
export function formatEvent(e: RecordedEvent): string {
  const f = formatFields({ node: e.node, medium: e.medium, group: e.group, text: e.text });
  return `${e.time} #${e.seq} ${e.level}: ${e.kind} ${f}`;
}
