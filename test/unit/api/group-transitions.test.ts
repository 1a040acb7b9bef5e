// The API's group transitions: per group the owner change with the event that explains it (a group
// event, else a node event such as peer-dead), named by the seq the daemon's event history gave it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterEvent, GroupStatusEntry } from '../../../src/cluster/types.js';
import { GroupTransitions } from '../../../src/api/group-transitions.js';
import { reasonLabel } from '../../../src/api/metrics.js';
import { EventHistory } from '../../../src/daemon/event-history.js';

const ev = (kind: ClusterEvent['kind'], text: string, extra: Partial<ClusterEvent> = {}): ClusterEvent =>
  ({ kind, level: 'info', atMs: 0, text, ...extra }) as ClusterEvent;

const group = (owners: string[]): GroupStatusEntry =>
  ({
    id: 'web',
    homeNode: 'node1',
    owners,
    target: undefined,
    localState: 'stopped',
    failures: 0,
    failedOn: [],
    detail: undefined,
  }) as unknown as GroupStatusEntry;

void test('an owner change is a transition, explained by the newest group event, else a node event', () => {
  let now = 1_000_000;
  const h = new GroupTransitions(() => now);
  const events = new EventHistory();
  const record = (e: ClusterEvent): number => {
    const r = events.record(e, now);
    h.heard(r);
    return r.seq;
  };
  // an event before the group is first seen does not explain its state at start
  record(ev('peer-up', 'node node2: is up', { node: 'node2' as never }));
  h.observeGroups([group([])]);
  assert.deepEqual(h.transition('web'), {
    since: new Date(1_000_000).toISOString(),
    from: undefined,
    to: 'nowhere',
    reason: 'state when the daemon started',
    eventSeq: undefined,
  });
  now += 500;
  const takeover = record(ev('takeover', 'acquiring group web (placement)', { group: 'web' as never }));
  h.observeGroups([group(['node1'])]);
  assert.equal(h.transition('web')?.reason, 'acquiring group web (placement)');
  assert.equal(h.transition('web')?.eventSeq, takeover, "the history's own number for the event");
  assert.equal(takeover, 2);
  assert.equal(h.transition('web')?.from, 'nowhere');
  // the same owner again: no new transition, `since` stays
  now += 500;
  record(ev('acquired', 'group web is running here', { group: 'web' as never }));
  h.observeGroups([group(['node1'])]);
  assert.equal(h.transition('web')?.since, new Date(1_000_500).toISOString());
  // seen from a peer: no group event here, the peer's death explains the move
  now += 500;
  const dead = record(ev('peer-dead', 'node node1: is dead', { node: 'node1' as never }));
  h.observeGroups([group(['node2'])]);
  assert.deepEqual(h.transition('web'), {
    since: new Date(1_001_500).toISOString(),
    from: 'node1',
    to: 'node2',
    reason: 'node node1: is dead',
    eventSeq: dead,
  });
  // a change nothing new explains says so instead of reusing an old reason
  h.observeGroups([group(['node1', 'node2'])]);
  assert.equal(h.transition('web')?.reason, 'no event seen');
  assert.equal(h.transition('web')?.eventSeq, undefined);
});

void test('takeover/release reasons become a bounded metrics label', () => {
  assert.equal(reasonLabel('acquiring group web (failover from node1)'), 'failover');
  assert.equal(reasonLabel('acquiring group web (placement)'), 'placement');
  assert.equal(reasonLabel('releasing group web (standby: node2 takes it)'), 'standby');
  assert.equal(reasonLabel('releasing group web (self-fence: disk lost)'), 'self-fence');
  assert.equal(reasonLabel('releasing group web (placement moves it to node2)'), 'placement');
  assert.equal(reasonLabel('acquiring group x (anything new)'), 'other');
  assert.equal(reasonLabel('no reason at all'), 'other');
});
