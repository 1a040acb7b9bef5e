// The lab's VIP watch (src/lab/address-watch.ts) without namespaces: the lines `ip -tshort monitor
// address all-nsid` prints, and the "two holders" check over the events they give.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdersAfter, overlapsOf, parseMonitorLine } from '../../../src/lab/address-watch.js';
import type { AddressEvent } from '../../../src/lab/address-watch.js';

void describe('ip -tshort monitor address all-nsid lines', () => {
  void it('reads an added and a deleted IPv4 address with its stamp and nsid', () => {
    const add = parseMonitorLine(
      '[2026-11-29T16:36:21.714671] [nsid 7]3: ifb1    inet 198.18.16.200/24 scope global secondary eth0',
    );
    assert.deepEqual(add, {
      t: new Date('2026-11-29T16:36:21.714').getTime(),
      nsid: 7,
      present: true,
      addr: '198.18.16.200',
    });
    const del = parseMonitorLine(
      '[2026-11-29T16:36:21.950100] [nsid 12]Deleted 3: eth0    inet 198.18.16.200/24 scope global eth0',
    );
    assert.equal(del?.present, false);
    assert.equal(del?.nsid, 12);
    assert.equal(del?.addr, '198.18.16.200');
  });

  void it('ignores continuation lines, IPv6, and events of the own namespace (no nsid)', () => {
    assert.equal(parseMonitorLine('       valid_lft forever preferred_lft forever'), undefined);
    assert.equal(
      parseMonitorLine('[2026-11-29T16:36:21.721998] [nsid 702]1: lo    inet6 ::1/128 scope host '),
      undefined,
    );
    assert.equal(
      parseMonitorLine('[2026-11-29T16:36:21.721998] 2: eth0    inet 10.0.0.1/24 scope global eth0'),
      undefined,
    );
  });
});

const ev = (t: number, node: string, present: boolean): AddressEvent => ({ t, node, present });

void describe('two holders over a stream of events', () => {
  void it('a move (delete, then add elsewhere, same millisecond) is no overlap', () => {
    const events = [ev(0, 'node1', true), ev(100, 'node1', false), ev(100, 'node2', true)];
    assert.deepEqual(overlapsOf(events), []);
    assert.deepEqual(holdersAfter(events), ['node2']);
    assert.deepEqual(holdersAfter(events, 50), ['node1']);
  });

  void it('an add before the other delete is one, however short', () => {
    const events = [ev(0, 'node1', true), ev(100, 'node2', true), ev(101, 'node1', false)];
    assert.deepEqual(overlapsOf(events), [{ fromT: 100, toT: 101, holders: ['node1', 'node2'] }]);
  });

  void it('reports an overlap still going, with every node that joined it', () => {
    const events = [ev(0, 'a', true), ev(5, 'b', true), ev(6, 'c', true), ev(7, 'a', false)];
    assert.deepEqual(overlapsOf(events), [{ fromT: 5, toT: undefined, holders: ['a', 'b', 'c'] }]);
  });
});
