// The recent past the API and dashboard show: the last cluster events (a bounded ring, numbered so
// a client can ask for what came after the last one it saw), and per group since when it is in its
// current state and why it changed (the event that explains it). Fed by the daemon from the core's
// events and status; listeners (the live stream, the metrics) hear each event as it is recorded.
import type { ClusterEvent, GroupStatusEntry } from '../cluster/types.js';

export interface RecordedEvent {
  readonly seq: number;
  /** Wall-clock time, ISO 8601. */
  readonly time: string;
  readonly kind: ClusterEvent['kind'];
  readonly level: ClusterEvent['level'];
  readonly node?: string;
  readonly medium?: string;
  readonly group?: string;
  readonly text: string;
}

export interface GroupTransition {
  /** When the group entered its current state (ISO 8601). */
  readonly since: string;
  /** Where it ran before, e.g. `node1`, `nowhere`; undefined: first seen (the daemon started). */
  readonly from: string | undefined;
  readonly to: string;
  /** The event that explains it (its text), or why there is none. */
  readonly reason: string;
  /** That event's number, to find it in the event list. */
  readonly eventSeq: number | undefined;
}

export const DEFAULT_EVENT_CAPACITY = 500;

/** Events about the cluster as a whole that may explain a group moving on a peer (we saw no group event). */
const NODE_REASONS: ReadonlySet<ClusterEvent['kind']> = new Set([
  'peer-dead',
  'peer-up',
  'peer-restarted',
  'shutdown-notice',
  'standby',
  'admin',
  'shutdown',
  'partition-healed',
  'conflict-resolved',
  'self-fence',
  'fence',
]);

interface Observed {
  key: string;
  /** The newest event number when this state was last seen: only later events can explain a change. */
  seenAtSeq: number;
  transition: GroupTransition;
}

export class EventHistory {
  private readonly ring: RecordedEvent[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(e: RecordedEvent) => void>();
  private readonly lastGroupEvent = new Map<string, RecordedEvent>();
  private lastNodeEvent: RecordedEvent | undefined;
  private readonly groups = new Map<string, Observed>();

  constructor(
    readonly capacity = DEFAULT_EVENT_CAPACITY,
    private readonly wallMs: () => number = Date.now,
  ) {}

  /** Debug events stay out (they are for the debug log, and would push the rest out of the ring). */
  record(e: ClusterEvent): RecordedEvent | undefined {
    if (e.level === 'debug') return undefined;
    const r: RecordedEvent = {
      seq: this.nextSeq++,
      time: new Date(this.wallMs()).toISOString(),
      kind: e.kind,
      level: e.level,
      ...(e.node !== undefined ? { node: e.node } : {}),
      ...(e.medium !== undefined ? { medium: e.medium } : {}),
      ...(e.group !== undefined ? { group: e.group } : {}),
      text: e.text,
    };
    this.ring.push(r);
    if (this.ring.length > this.capacity) this.ring.shift();
    if (r.group !== undefined) this.lastGroupEvent.set(r.group, r);
    else if (NODE_REASONS.has(r.kind)) this.lastNodeEvent = r;
    for (const l of this.listeners) l(r);
    return r;
  }

  /** The newest `limit` events with seq > after, oldest first. */
  recent(limit = 100, after = 0): RecordedEvent[] {
    const newer = this.ring.filter((e) => e.seq > after);
    return newer.slice(Math.max(0, newer.length - limit));
  }

  /** Hear every recorded event; returns the way to stop. */
  subscribe(listener: (e: RecordedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Compare the groups' owners with what was seen last; note when and why they changed. An owner
   * change is the transition; starting/stopping here is the group's state, not a new transition
   * (else `acquired` would hide the reason it was acquired).
   */
  observeGroups(groups: readonly GroupStatusEntry[]): void {
    for (const g of groups) {
      const to = describe(g.owners);
      const seen = this.groups.get(g.id);
      const newestSeq = this.nextSeq - 1;
      if (seen?.key === to) {
        seen.seenAtSeq = newestSeq;
        continue;
      }
      const since = new Date(this.wallMs()).toISOString();
      // First sight: only an event about the group itself explains it (a peer coming up does not).
      const explained = this.explain(g.id, seen?.seenAtSeq ?? 0, seen !== undefined);
      this.groups.set(g.id, {
        key: to,
        seenAtSeq: newestSeq,
        transition: {
          since,
          from: seen?.key,
          to,
          reason: explained?.text ?? (seen === undefined ? 'state when the daemon started' : 'no event seen'),
          eventSeq: explained?.seq,
        },
      });
    }
  }

  transition(group: string): GroupTransition | undefined {
    return this.groups.get(group)?.transition;
  }

  /** The newest event about this group after `afterSeq`, else the newest node-level event after it. */
  private explain(group: string, afterSeq: number, nodeEvents: boolean): RecordedEvent | undefined {
    const g = this.lastGroupEvent.get(group);
    if (g !== undefined && g.seq > afterSeq) return g;
    const n = nodeEvents ? this.lastNodeEvent : undefined;
    return n !== undefined && n.seq > afterSeq ? n : undefined;
  }
}

/** `node1`, `node1,node2` (a conflict being resolved), `nowhere`: where the group runs (or starts, or stops). */
function describe(owners: readonly string[]): string {
  return owners.length === 0 ? 'nowhere' : [...owners].sort().join(',');
}
