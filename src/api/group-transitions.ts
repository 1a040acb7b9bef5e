// Per group since when it is in its current state and why it changed (the event that explains it),
// for the API's groups and the dashboard. It keeps no events of its own: it hears the daemon's event
// feed (src/daemon/event-feed.ts) and remembers only the newest group and node event, with the
// feed's numbers, so `eventSeq` is the seq `hbts events` and the API's events show.
import type { ClusterEvent, GroupStatusEntry } from '../cluster/types.js';
import type { RecordedEvent } from '../daemon/event-history.js';

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

export class GroupTransitions {
  private readonly lastGroupEvent = new Map<string, RecordedEvent>();
  private lastNodeEvent: RecordedEvent | undefined;
  /** The newest event heard (0: none yet). */
  private lastSeq = 0;
  private readonly groups = new Map<string, Observed>();

  constructor(private readonly wallMs: () => number = Date.now) {}

  /** An event from the feed (the API leaves debug ones out before they get here). */
  heard(r: RecordedEvent): void {
    this.lastSeq = r.seq;
    if (r.group !== undefined) this.lastGroupEvent.set(r.group, r);
    else if (NODE_REASONS.has(r.kind)) this.lastNodeEvent = r;
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
      const newestSeq = this.lastSeq;
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
