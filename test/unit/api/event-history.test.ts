// The API's event history: a bounded ring numbered for "what came after", and per group the owner
// change with the event that explains it (a group event, else a node event such as peer-dead).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterEvent, GroupStatusEntry } from '../../../src/cluster/types.js';
import { EventHistory } from '../../../src/api/event-history.js';
import { reasonLabel } from '../../../src/api/metrics.js';

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

void test('the ring keeps the newest events, numbered; debug events stay out', () => {
  let now = Date.UTC(2026, 10, 29, 12, 0, 0);
  const h = new EventHistory(3, () => now);
  assert.equal(h.record(ev('note', 'debug', { level: 'debug' })), undefined);
  for (let i = 1; i <= 5; i++) {
    now += 1000;
    h.record(ev('note', `n${i}`));
  }
  assert.deepEqual(
    h.recent().map((e) => [e.seq, e.text, e.time]),
    [
      [3, 'n3', '2026-11-29T12:00:03.000Z'],
      [4, 'n4', '2026-11-29T12:00:04.000Z'],
      [5, 'n5', '2026-11-29T12:00:05.000Z'],
    ],
  );
  assert.deepEqual(
    h.recent(1).map((e) => e.seq),
    [5],
  );
  assert.deepEqual(
    h.recent(10, 4).map((e) => e.seq),
    [5],
  );
});

void test('an owner change is a transition, explained by the newest group event, else a node event', () => {
  let now = 1_000_000;
  const h = new EventHistory(100, () => now);
  const heard: string[] = [];
  h.subscribe((e) => heard.push(e.kind));
  h.observeGroups([group([])]);
  assert.deepEqual(h.transition('web'), {
    since: new Date(1_000_000).toISOString(),
    from: undefined,
    to: 'nowhere',
    reason: 'state when the daemon started',
    eventSeq: undefined,
  });
  now += 500;
  h.record(ev('takeover', 'acquiring group web (placement)', { group: 'web' as never }));
  h.observeGroups([group(['node1'])]);
  assert.equal(h.transition('web')?.reason, 'acquiring group web (placement)');
  assert.equal(h.transition('web')?.from, 'nowhere');
  // the same owner again: no new transition, `since` stays
  now += 500;
  h.record(ev('acquired', 'group web is running here', { group: 'web' as never }));
  h.observeGroups([group(['node1'])]);
  assert.equal(h.transition('web')?.since, new Date(1_000_500).toISOString());
  // seen from a peer: no group event here, the peer's death explains the move
  now += 500;
  h.record(ev('peer-dead', 'node node1: is dead', { node: 'node1' as never }));
  h.observeGroups([group(['node2'])]);
  assert.deepEqual(
    { ...h.transition('web'), eventSeq: undefined },
    {
      since: new Date(1_001_500).toISOString(),
      from: 'node1',
      to: 'node2',
      reason: 'node node1: is dead',
      eventSeq: undefined,
    },
  );
  // a change nothing new explains says so instead of reusing an old reason
  h.observeGroups([group(['node1', 'node2'])]);
  assert.equal(h.transition('web')?.reason, 'no event seen');
  assert.deepEqual(heard, ['takeover', 'acquired', 'peer-dead']);
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
