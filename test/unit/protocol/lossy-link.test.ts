// Two endpoints over a simulated link that drops, duplicates and reorders packets: every message
// is delivered exactly once thanks to gap detection, NS_rexmit and byte-identical retransmission.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MediumId } from '../../../src/config/types.js';
import type { ProtocolEndpoint } from '../../../src/protocol/endpoint.js';
import { STATUS, WALL, endpoint, seededRandom } from './helpers.js';

interface InFlight {
  readonly atMs: number;
  readonly to: 'a' | 'b';
  readonly bytes: Uint8Array;
}

function simulate(seed: number, loss: number, dup: number, maxDelayMs: number, messages: number) {
  const rnd = seededRandom(seed);
  const eps: Record<'a' | 'b', ProtocolEndpoint> = {
    a: endpoint('node1', { random: seededRandom(seed + 1) }),
    b: endpoint('node2', { random: seededRandom(seed + 2) }),
  };
  let queue: InFlight[] = [];
  const send = (to: 'a' | 'b', bytes: Uint8Array, nowMs: number): void => {
    if (rnd.next() < loss) return;
    const copies = rnd.next() < dup ? 2 : 1;
    for (let i = 0; i < copies; i++)
      queue.push({ atMs: nowMs + 1 + Math.floor(rnd.next() * maxDelayMs), to, bytes });
  };
  const delivered = new Map<number, number>();
  const medium = 'bcast:eth0' as MediumId;
  const endMs = messages * 10 + 5000;
  for (let now = 0; now <= endMs; now++) {
    if (now % 10 === 0 && now / 10 < messages)
      send('b', eps.a.send(STATUS, now, { wallMs: WALL + now }), now);
    const due = queue.filter((p) => p.atMs <= now);
    queue = queue.filter((p) => p.atMs > now);
    for (const p of due) {
      const r = eps[p.to].receive(p.bytes, medium, now);
      if (p.to === 'b' && r.received.kind === 'message' && r.received.seq !== undefined) {
        delivered.set(r.received.seq, (delivered.get(r.received.seq) ?? 0) + 1);
      }
      for (const reply of r.packets) send(p.to === 'a' ? 'b' : 'a', reply, now);
    }
    for (const name of ['a', 'b'] as const) {
      if (eps[name].nextWakeMs() <= now)
        for (const reply of eps[name].tick(now)) send(name === 'a' ? 'b' : 'a', reply, now);
    }
  }
  return { delivered, a: eps.a.counters(), b: eps.b.counters() };
}

void test('lossy, duplicating, reordering link: every message delivered exactly once', (t) => {
  for (const seed of [1, 2, 3]) {
    const messages = 600;
    const { delivered, a, b } = simulate(seed, 0.15, 0.1, 40, messages);
    for (let seq = 1; seq <= messages - 5; seq++) {
      assert.equal(
        delivered.get(seq),
        1,
        `seed ${seed}: seq ${seq} delivered ${delivered.get(seq) ?? 0} times`,
      );
    }
    for (const count of delivered.values()) assert.equal(count, 1);
    assert.ok(b.rexmitRequestsSent > 0 && a.rexmitRequestsAnswered > 0);
    assert.ok(b.duplicates > 0);
    assert.equal(b.lostPackets, 0);
    const rejected = Object.values(b.rejected).reduce((x, y) => x + y, 0);
    t.diagnostic(
      `seed ${seed}: ${delivered.size} delivered, ${b.duplicates} duplicates, ${b.rexmitRequestsSent} requests, ` +
        `${a.rexmitRequestsAnswered} retransmissions, ${rejected} rejected (late copies)`,
    );
  }
});
