// neighbour-refresh: while a ucast heartbeat link is dead, its peer's neighbour entry is flushed
// again and again, so that the kernel asks for the peer at once when the link comes back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Medium, MediumId } from '../../../src/config/types.js';
import { NeighbourRefresh } from '../../../src/daemon/neighbour-refresh.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const at = { file: 'ha.cf', line: 1 };
const ucast = (id: string, peer: string): Medium =>
  ({ kind: 'ucast', id: id as MediumId, iface: 'eth1', peer, port: 694, at }) as Medium;

void describe('NeighbourRefresh', () => {
  void it('flushes a dead ucast peer repeatedly until its link is up, once per medium', async () => {
    const calls: string[] = [];
    const n = new NeighbourRefresh((args) => {
      calls.push(args.join(' '));
      return Promise.resolve();
    }, 10);
    const m = ucast('ucast:eth1:198.18.41.2', '198.18.41.2');
    n.linkDead(m);
    n.linkDead(m); // a second death report does not start a second timer
    assert.deepEqual(n.refreshing(), ['ucast:eth1:198.18.41.2']);
    await sleep(55);
    const seen = calls.length;
    assert.ok(seen >= 3 && seen <= 6, `one flush per 10 ms: ${seen}`);
    assert.ok(
      calls.every((c) => c === '-4 neigh flush to 198.18.41.2 dev eth1'),
      calls.join('\n'),
    );
    n.linkUp(m.id);
    assert.deepEqual(n.refreshing(), []);
    await sleep(35);
    assert.equal(calls.length, seen, 'no flush once the link is up');
    n.close();
  });

  void it('leaves broadcast and multicast media, host names and unknown media alone; a failing ip is ignored', async () => {
    let calls = 0;
    const n = new NeighbourRefresh(() => {
      calls++;
      return Promise.reject(new Error('RTNETLINK answers: Operation not permitted'));
    }, 5);
    n.linkDead({ kind: 'bcast', id: 'bcast:eth1' as MediumId, iface: 'eth1', port: 694, at } as Medium);
    n.linkDead(ucast('ucast:eth1:peer-b', 'peer-b.example'));
    n.linkDead(undefined);
    await sleep(20);
    assert.equal(calls, 0);
    n.linkDead(ucast('ucast:eth1:198.18.41.3', '198.18.41.3'));
    await sleep(20);
    assert.ok(calls >= 2, 'it keeps trying after a failure');
    n.close();
    const after = calls;
    await sleep(20);
    assert.equal(calls, after, 'close stops every timer');
  });
});
