// One authentic packet with a jumped sequence number or generation (forged with the key, or a
// peer bug) must not make a live peer's later packets unacceptable: Heartbeat's tracking would
// refuse them as old-seq / replay for ever, and the peer would be declared dead (split brain).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from '../../../src/protocol/auth.js';
import type { NodeName } from '../../../src/config/types.js';
import type { ProtocolEndpoint, ReceiveResult } from '../../../src/protocol/endpoint.js';
import { MAX_GAP, MAX_REXMIT_REQUESTS } from '../../../src/protocol/peer-sequence.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint, s, uuidOf } from './helpers.js';

const auth = new Authenticator(authConfig('sha1', 'test-secret'));

/** An authentic status from node1 with any seq and generation (what a key holder can send). */
function forged(seq: number, generation = 0x100, extra: Record<string, string> = {}): Uint8Array {
  return auth.signNetstring({
    fields: [
      ...STATUS,
      ...Object.entries(extra).map(([n, v]) => s(n, v)),
      s('src', 'node1'),
      { name: 'srcuuid', type: 'binary', value: uuidOf(0x99) },
      s('seq', seq.toString(16)),
      s('hg', generation.toString(16)),
      s('ts', '6b06d776'),
      s('ttl', '3'),
    ],
  });
}

function kind(r: ReceiveResult): string {
  return r.received.kind === 'rejected' ? `rejected:${r.received.reason}` : r.received.kind;
}

/** node1 sends `n` statuses to b, `stepMs` apart from `fromMs`; returns the kinds b saw. */
function stream(
  a: ProtocolEndpoint,
  b: ProtocolEndpoint,
  n: number,
  fromMs: number,
  stepMs: number,
): string[] {
  const kinds: string[] = [];
  for (let i = 0; i < n; i++) {
    const now = fromMs + i * stepMs;
    b.tick(now);
    kinds.push(kind(b.receive(a.send(STATUS, now, { wallMs: WALL }), MEDIUM, now)));
  }
  return kinds;
}

function tracked(): { a: ProtocolEndpoint; b: ProtocolEndpoint } {
  const a = endpoint('node1');
  const b = endpoint('node2');
  assert.deepEqual(stream(a, b, 10, 0, 100), Array(10).fill('message'));
  return { a, b };
}

void test('a packet with seq 0x100000 is held, counted, and the real packets go on being delivered', () => {
  const { a, b } = tracked();
  const r = b.receive(forged(0x100000), MEDIUM, 1000);
  assert.equal(kind(r), 'rejected:seq-jump');
  assert.ok(r.received.kind === 'rejected' && /100000 is more than 250 ahead of a/.test(r.received.detail));
  assert.deepEqual(stream(a, b, 50, 1100, 100), Array(50).fill('message'));
  assert.equal(b.counters().rejected['seq-jump'], 1);
  assert.equal(b.counters().rejected['old-seq'], 0);
  // the held packet never became the tracked stream: its copy is held again, not a message
  assert.equal(kind(b.receive(forged(0x100000), MEDIUM, 7000)), 'rejected:seq-jump');
});

void test('a packet of a newer generation is held while the peer is tracked; the real one goes on', () => {
  const { a, b } = tracked();
  assert.equal(kind(b.receive(forged(1, 0x101), MEDIUM, 1000)), 'rejected:seq-jump');
  assert.equal(kind(b.receive(forged(5, 0x7fffffff), MEDIUM, 1001)), 'rejected:seq-jump');
  assert.deepEqual(stream(a, b, 50, 1100, 100), Array(50).fill('message'));
  assert.equal(b.counters().rejected.replay, 0);
});

void test('a jump within 250 does not strand the real packets once their retransmit requests give up', () => {
  const { a, b } = tracked();
  // accepted as Heartbeat does (a gap of 240); nobody will ever answer for seqs 11..249
  assert.equal(kind(b.receive(forged(10 + MAX_GAP - 10), MEDIUM, 1000)), 'message');
  // the real node1 sends one status a second: long after the requests were given up
  const kinds = stream(a, b, 60, 1000 + 1000, 1000);
  assert.deepEqual(kinds, Array(60).fill('message'));
  // the requests were given up (10 each) before most of those packets arrived
  assert.ok(b.counters().lostPackets > 100, String(b.counters().lostPackets));
  assert.ok(b.counters().rexmitRequestsSent >= MAX_REXMIT_REQUESTS);
});

void test('two forged packets in a row switch tracking, and the real stream wins it back', () => {
  const { a, b } = tracked();
  assert.equal(kind(b.receive(forged(0x100000), MEDIUM, 1000)), 'rejected:seq-jump');
  const sw = b.receive(forged(0x100001), MEDIUM, 1001);
  assert.ok(sw.received.kind === 'message' && sw.received.resync?.direction === 'forward');
  // the real node1 keeps sending: refused until its packets outnumber the two forged ones, then
  // tracking resynchronises back to it
  const kinds = stream(a, b, 20, 1100, 100);
  assert.deepEqual(kinds.slice(0, 2), ['rejected:old-seq', 'rejected:old-seq']);
  assert.deepEqual(kinds.slice(2), Array(18).fill('message'));
  assert.equal(b.counters().resyncs, 2);
  // a replay of the forged packets cannot switch it again
  assert.notEqual(kind(b.receive(forged(0x100000), MEDIUM, 5000)), 'message');
  assert.notEqual(kind(b.receive(forged(0x100001), MEDIUM, 5001)), 'message');
  assert.deepEqual(stream(a, b, 5, 5100, 100), Array(5).fill('message'));
});

void test('a forged first contact (far seq, newer generation) gives way to the real stream', () => {
  for (const first of [forged(0x100000), forged(3, 0x7fffffff)]) {
    const a = endpoint('node1');
    const b = endpoint('node2');
    assert.equal(kind(b.receive(first, MEDIUM, 0)), 'message');
    const results = Array.from({ length: 20 }, (_, i) =>
      b.receive(a.send(STATUS, i * 100, { wallMs: WALL }), MEDIUM, 100 + i * 100),
    );
    assert.deepEqual(results.slice(1).map(kind), Array(19).fill('message'));
    const back = results[1]?.received;
    // the core must forget what the forged packet told it
    assert.ok(back?.kind === 'message' && back.peerRestarted && back.resync?.direction === 'back');
    assert.equal(back.generation, 0x100);
  }
});

void test('a forged first contact a little ahead: the real packets below it are delivered', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  assert.equal(kind(b.receive(forged(40), MEDIUM, 0)), 'message');
  const kinds = stream(a, b, 50, 100, 100);
  // within max_rexmit_delay (250 ms) of the first contact they may be a reordered burst:
  // duplicates, as in Heartbeat; then, the forged stream not going on, they are new
  assert.deepEqual(kinds.slice(0, 2), ['link-only', 'link-only']);
  assert.deepEqual(kinds.slice(2, 39), Array(37).fill('message'));
  // 40 is the seq the forged packet took (a duplicate); 41.. go on in order
  assert.equal(kinds[39], 'link-only');
  assert.deepEqual(kinds.slice(40), Array(10).fill('message'));
  assert.equal(b.counters().resyncs, 0);
  // a copy (other medium) of one delivered below it is a duplicate
  const c = endpoint('node1');
  const d = endpoint('node2');
  d.receive(forged(40), MEDIUM, 0);
  const p1 = c.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(d.receive(p1, MEDIUM, 300)), 'message');
  assert.equal(kind(d.receive(p1, MEDIUM, 301)), 'link-only');
});

void test('replays stay refused: old packets, an old generation, reordering does not resync', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) sent.push(a.send(STATUS, i, { wallMs: WALL }));
  for (const [i, p] of sent.entries()) b.receive(p, MEDIUM, i * 100);
  // replaying the old packets for a long time never moves tracking back to them
  for (let i = 0; i < 30; i++) {
    assert.equal(kind(b.receive(sent[i] as Uint8Array, MEDIUM, 10_000 + i * 100)), 'rejected:old-seq');
  }
  const older = endpoint('node1', { generation: 0xff });
  for (let i = 0; i < 30; i++) {
    const p = older.send(STATUS, 0, { wallMs: WALL });
    assert.equal(kind(b.receive(p, MEDIUM, 13_000 + i * 100)), 'rejected:replay');
  }
  assert.equal(b.counters().resyncs, 0);
  // reordering at first contact: the late packet is a duplicate, as in Heartbeat, and no resync
  // follows
  const c = endpoint('node1', { generation: 0x100 });
  const d = endpoint('node3');
  const p1 = c.send(STATUS, 0, { wallMs: WALL });
  const p2 = c.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(d.receive(p2, MEDIUM, 0)), 'message');
  assert.equal(kind(d.receive(p1, MEDIUM, 1)), 'link-only');
  assert.deepEqual(stream(c, d, 10, 2, 100), Array(10).fill('message'));
  assert.equal(d.counters().resyncs, 0);
});

void test('after forgetPeer a forged packet cannot lock the returning peer out either', () => {
  const { a, b } = tracked();
  b.forgetPeer('node1' as NodeName);
  assert.equal(kind(b.receive(forged(0x100000), MEDIUM, 5000)), 'message');
  const kinds = stream(a, b, 20, 5100, 100);
  const back = kinds.indexOf('message');
  assert.ok(back > 0 && kinds.slice(back).every((k) => k === 'message'), kinds.join(' '));
});

void test('an ACK for a seq we never sent is ignored (it would silence our retransmissions)', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  for (let i = 0; i < 3; i++) b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  const bogusAck = auth.signNetstring({
    fields: [
      s('t', 'NS_ackmsg'),
      s('dest', 'node1'),
      s('ackseq', 'ffffff'),
      s('src', 'node2'),
      s('hg', '100'),
      s('ts', '1'),
      s('ttl', '3'),
    ],
  });
  a.receive(bogusAck, MEDIUM, 0);
  const ask = b.send([s('t', 'NS_rexmit'), s('dest', 'node1'), s('firstseq', '2'), s('lastseq', '2')], 0, {
    wallMs: WALL,
  });
  assert.equal(a.receive(ask, MEDIUM, 1000).packets.length, 1);
});
