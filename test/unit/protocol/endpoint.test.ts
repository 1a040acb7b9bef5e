import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { encodeClassic } from '../../../src/protocol/encode.js';
import type { NodeName } from '../../../src/config/types.js';
import type { ReceiveResult } from '../../../src/protocol/endpoint.js';
import { getString, type Message } from '../../../src/protocol/message.js';
import { encodePingPayload } from '../../../src/protocol/ping-message.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint, s, uuidOf } from './helpers.js';

function fields(bytes: Uint8Array): Message {
  const d = decodePacket(bytes);
  assert.ok(d.ok);
  return d.message;
}

function names(bytes: Uint8Array): string[] {
  return fields(bytes).fields.map((f) => f.name);
}

function kind(r: ReceiveResult): string {
  return r.received.kind === 'rejected' ? `rejected:${r.received.reason}` : r.received.kind;
}

void test('send stamps fields in Heartbeat order; receive delivers the message', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const bytes = a.send(STATUS, 0, { wallMs: WALL, loadAvg: '0.03 0.13 0.07 1/119 12614' });
  assert.deepEqual(names(bytes), [
    't',
    'st',
    'dt',
    'protocol',
    'src',
    'srcuuid',
    'seq',
    'hg',
    'ts',
    'ld',
    'ttl',
    'auth',
  ]);
  const m = fields(bytes);
  assert.equal(getString(m, 'seq'), '1');
  assert.equal(getString(m, 'hg'), '100');
  assert.equal(getString(m, 'ts'), '6b06d776');
  assert.equal(getString(m, 'ttl'), '3');
  const r = b.receive(bytes, MEDIUM, 0);
  assert.equal(r.received.kind, 'message');
  if (r.received.kind !== 'message') return;
  assert.equal(r.received.src, 'node1');
  assert.equal(r.received.type, 'status');
  assert.equal(r.received.seq, 1);
  assert.equal(r.received.generation, 0x100);
  assert.equal(r.received.peerRestarted, false);
});

void test('innerAuth false (msgfmt netstring) omits the auth field; NS_ messages get no seq or ld', () => {
  const a = endpoint('node1', { innerAuth: false });
  assert.ok(!names(a.send(STATUS, 0, { wallMs: WALL })).includes('auth'));
  const ns = a.send([s('t', 'NS_test')], 0, { wallMs: WALL, loadAvg: '1' });
  assert.deepEqual(names(ns), ['t', 'src', 'srcuuid', 'hg', 'ts', 'ttl']);
  // NS_ messages do not consume sequence numbers
  assert.equal(getString(fields(a.send(STATUS, 0, { wallMs: WALL })), 'seq'), '2');
});

void test('dest goes right after t, destuuid once the peer uuid is known; others see link-only', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const c = endpoint('node3');
  const first = a.send([s('t', 'reqnodes')], 0, { wallMs: WALL, dest: 'node2' as NodeName });
  assert.deepEqual(names(first).slice(0, 3), ['t', 'dest', 'src']);
  a.receive(b.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  const second = a.send([s('t', 'reqnodes')], 0, { wallMs: WALL, dest: 'node2' as NodeName });
  assert.deepEqual(names(second).slice(0, 4), ['t', 'dest', 'destuuid', 'src']);
  assert.equal(kind(b.receive(second, MEDIUM, 0)), 'message');
  assert.equal(kind(c.receive(second, MEDIUM, 0)), 'link-only');
  // a caller-placed dest keeps its position (repnodes puts it first)
  const rep = a.send([s('dest', 'node2'), s('t', 'repnodes')], 0, { wallMs: WALL });
  assert.deepEqual(names(rep).slice(0, 3), ['dest', 't', 'destuuid']);
});

void test('duplicates are link-only, own loopback is own, unknown nodes rejected', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const stranger = endpoint('node9');
  const bytes = a.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(b.receive(bytes, MEDIUM, 0)), 'message');
  assert.equal(kind(b.receive(bytes, 'ucast:eth0:x' as never, 1)), 'link-only');
  assert.equal(kind(a.receive(bytes, MEDIUM, 0)), 'own');
  assert.equal(
    kind(b.receive(stranger.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)),
    'rejected:unknown-node',
  );
  const c = b.counters();
  assert.equal(c.duplicates, 1);
  assert.equal(c.rejected['unknown-node'], 1);
  assert.equal(c.received, 3);
});

void test('rejections are counted by reason: tampered, wrong key, truncated, oversized, garbage', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const wrongKey = endpoint('node1', { auth: authConfig('sha1', 'other-secret') });
  const bytes = Buffer.from(a.send(STATUS, 0, { wallMs: WALL }));
  const tampered = Buffer.from(bytes);
  tampered[tampered.indexOf('active')] = 0x41;
  assert.equal(kind(b.receive(tampered, MEDIUM, 0)), 'rejected:bad-auth');
  assert.equal(kind(b.receive(wrongKey.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)), 'rejected:bad-auth');
  assert.equal(kind(b.receive(bytes.subarray(0, bytes.length - 3), MEDIUM, 0)), 'rejected:malformed');
  assert.equal(kind(b.receive(Buffer.alloc(300 * 1024, 0x23), MEDIUM, 0)), 'rejected:too-big');
  const garbage = Buffer.alloc(10 * 1024 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  assert.equal(kind(b.receive(garbage, MEDIUM, 0)), 'rejected:too-big');
  assert.equal(kind(b.receive(garbage.subarray(0, 1000), MEDIUM, 0)), 'rejected:malformed');
  const c = b.counters().rejected;
  assert.deepEqual([c['bad-auth'], c.malformed, c['too-big']], [2, 2, 2]);
  // the original still passes afterwards: nothing was acted on
  assert.equal(kind(b.receive(bytes, MEDIUM, 0)), 'message');
});

void test('missing t/src/ts/seq/hg are missing-field', () => {
  const b = endpoint('node2');
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  const base = [s('t', 'status'), s('src', 'node1'), s('seq', '1'), s('hg', '5'), s('ts', '1')];
  for (const drop of ['t', 'src', 'ts', 'seq', 'hg']) {
    const bytes = auth.signNetstring({ fields: base.filter((f) => f.name !== drop) });
    assert.equal(kind(b.receive(bytes, MEDIUM, 0)), 'rejected:missing-field', drop);
  }
  // NS_ messages need no seq
  const ns = auth.signNetstring({
    fields: [s('t', 'NS_other'), s('src', 'node1'), s('hg', '5'), s('ts', '1')],
  });
  assert.equal(kind(b.receive(ns, MEDIUM, 0)), 'message');
});

void test('generations: lower hg is a replay, higher hg a restart once a second packet confirms it', () => {
  const b = endpoint('node2');
  const old = endpoint('node1', { generation: 4 });
  const cur = endpoint('node1', { generation: 5 });
  const next = endpoint('node1', { generation: 6 });
  const oldBytes = old.send(STATUS, 0, { wallMs: WALL });
  const r1 = b.receive(cur.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  assert.ok(r1.received.kind === 'message' && !r1.received.peerRestarted);
  assert.equal(kind(b.receive(oldBytes, MEDIUM, 0)), 'rejected:replay');
  // node1 is tracked (not declared dead): its new generation is held until it goes on
  const first = next.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(b.receive(first, MEDIUM, 0)), 'rejected:seq-jump');
  const r2 = b.receive(next.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  assert.ok(r2.received.kind === 'message' && r2.received.peerRestarted && r2.received.seq === 2);
  assert.deepEqual(r2.received.resync, {
    direction: 'forward',
    fromGeneration: 5,
    fromSeq: 1,
    toGeneration: 6,
    toSeq: 2,
  });
  // the held seq 1 is asked for again and delivered when it comes
  const req = b.tick(b.nextWakeMs());
  assert.equal(req.length, 1);
  const answer = next.receive(req[0] as Uint8Array, MEDIUM, 1000);
  assert.ok(Buffer.from(answer.packets[0] as Uint8Array).equals(Buffer.from(first)));
  const r3 = b.receive(first, MEDIUM, 1000);
  assert.ok(r3.received.kind === 'message' && r3.received.seq === 1 && !r3.received.peerRestarted);
  assert.equal(kind(b.receive(cur.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)), 'rejected:replay');
  assert.equal(b.counters().rejected.replay, 2);
  assert.equal(b.counters().rejected['seq-jump'], 1);
  assert.equal(b.counters().resyncs, 1);
});

void test('a peer declared dead (forgetPeer) is accepted at once in a new generation', () => {
  const b = endpoint('node2');
  const cur = endpoint('node1', { generation: 5 });
  const next = endpoint('node1', { generation: 6 });
  b.receive(cur.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  b.forgetPeer('node1' as NodeName);
  const r = b.receive(next.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  assert.ok(r.received.kind === 'message' && r.received.peerRestarted && r.received.resync === undefined);
});

void test('replayed old sequence numbers are rejected as old-seq, recent ones are duplicates', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const sent: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) sent.push(a.send(STATUS, i, { wallMs: WALL }));
  for (const p of sent) b.receive(p, MEDIUM, 0);
  assert.equal(kind(b.receive(sent[0] as Uint8Array, MEDIUM, 0)), 'rejected:old-seq');
  assert.equal(kind(b.receive(sent[90] as Uint8Array, MEDIUM, 0)), 'link-only');
  assert.equal(b.counters().rejected['old-seq'], 1);
});

void test('classic-encoded packets are accepted (inner auth verified)', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const bytes = a.send(STATUS, 0, { wallMs: WALL });
  const classic = encodeClassic(fields(bytes));
  assert.equal(kind(b.receive(classic, MEDIUM, 0)), 'message');
  const noAuth = endpoint('node1', { innerAuth: false, generation: 0x200 });
  const bad = encodeClassic(fields(noAuth.send(STATUS, 0, { wallMs: WALL })));
  assert.equal(kind(b.receive(bad, MEDIUM, 0)), 'rejected:bad-auth');
});

void test('ACK every 10th seq at the per-peer trigger, addressed to the sender', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const acked: number[] = [];
  for (let i = 0; i < 30; i++) {
    const r = b.receive(a.send(STATUS, i, { wallMs: WALL }), MEDIUM, i);
    for (const p of r.packets) {
      const m = fields(p);
      assert.equal(getString(m, 't'), 'NS_ackmsg');
      assert.equal(getString(m, 'dest'), 'node1');
      acked.push(parseInt(getString(m, 'ackseq') ?? '', 16));
      assert.equal(kind(a.receive(p, MEDIUM, i)), 'link-only');
    }
  }
  assert.equal(acked.length, 3);
  assert.equal(new Set(acked.map((x) => x % 10)).size, 1);
  assert.equal((acked[1] ?? 0) - (acked[0] ?? 0), 10);
});

void test('a gap produces NS_rexmit after a random delay; the answer is byte-identical and fills it', () => {
  const a = endpoint('node1');
  const b = endpoint('node2', { maxRexmitDelayMs: 250 });
  const p1 = a.send(STATUS, 0, { wallMs: WALL });
  const p2 = a.send(STATUS, 0, { wallMs: WALL });
  const p3 = a.send(STATUS, 0, { wallMs: WALL });
  b.receive(p1, MEDIUM, 1000);
  assert.equal(kind(b.receive(p3, MEDIUM, 1000)), 'message');
  const due = b.nextWakeMs();
  assert.ok(due >= 1050 && due <= 1250, String(due));
  assert.deepEqual(b.tick(due - 1), []);
  const reqs = b.tick(due);
  assert.equal(reqs.length, 1);
  const req = fields(reqs[0] as Uint8Array);
  assert.equal(getString(req, 't'), 'NS_rexmit');
  assert.equal(getString(req, 'firstseq'), '2');
  assert.equal(getString(req, 'lastseq'), '2');
  const answer = a.receive(reqs[0] as Uint8Array, MEDIUM, due);
  assert.equal(answer.received.kind, 'link-only');
  assert.equal(answer.packets.length, 1);
  assert.ok(Buffer.from(answer.packets[0] as Uint8Array).equals(Buffer.from(p2)));
  // rate limit: the same request again at once is not answered
  assert.equal(a.receive(reqs[0] as Uint8Array, MEDIUM, due + 5).packets.length, 0);
  assert.equal(a.receive(reqs[0] as Uint8Array, MEDIUM, due + 240).packets.length, 1);
  const filled = b.receive(answer.packets[0] as Uint8Array, MEDIUM, due + 1);
  assert.ok(filled.received.kind === 'message' && filled.received.seq === 2);
  assert.equal(b.nextWakeMs(), Infinity);
  assert.equal(a.counters().rexmitRequestsAnswered, 2);
  assert.equal(b.counters().rexmitRequestsSent, 1);
});

void test('short reordering is tolerated silently (no request before 50 ms)', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const p1 = a.send(STATUS, 0, { wallMs: WALL });
  const p2 = a.send(STATUS, 0, { wallMs: WALL });
  const p3 = a.send(STATUS, 0, { wallMs: WALL });
  b.receive(p1, MEDIUM, 0);
  b.receive(p3, MEDIUM, 0);
  assert.equal(b.tick(49).length, 0);
  assert.equal(kind(b.receive(p2, MEDIUM, 10)), 'message');
  assert.equal(b.nextWakeMs(), Infinity);
  assert.equal(b.tick(1000).length, 0);
});

void test('re-requests every max_rexmit_delay, then gives up; gaps over 250 reset tracking', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  a.send(STATUS, 0, { wallMs: WALL });
  b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  let requests = 0;
  for (let t = 0; t < 10_000; t += 10) requests += b.tick(t).length;
  assert.equal(requests, 10);
  assert.equal(b.counters().lostPackets, 1);
  for (let i = 0; i < 300; i++) a.send(STATUS, 0, { wallMs: WALL });
  // 300 missing at once: not trusted to one packet; the next one confirms the jump
  assert.equal(kind(b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 20_000)), 'rejected:seq-jump');
  assert.equal(b.nextWakeMs(), Infinity);
  const r = b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 20_000);
  assert.ok(r.received.kind === 'message' && !r.received.peerRestarted && r.received.seq === 0x131);
  assert.equal(r.received.resync?.direction, 'forward');
  // only the held packet is asked for, not the 300 before it
  const req = b.tick(b.nextWakeMs());
  assert.equal(req.length, 1);
  assert.equal(getString(fields(req[0] as Uint8Array), 'firstseq'), String(0x130));
  assert.equal(getString(fields(req[0] as Uint8Array), 'lastseq'), String(0x130));
  assert.equal(b.counters().lostPackets, 1);
});

void test('requests beyond the history are NAKed; a NAK makes the requester forget the gap', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0); // seq 1
  for (let i = 0; i < 600; i++) a.send(STATUS, 0, { wallMs: WALL }); // seq 2..601, history keeps 102..601
  // 602 is more than 250 ahead: held; 603 confirms the jump, and 602 is asked for
  const held = a.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(b.receive(held, MEDIUM, 0)), 'rejected:seq-jump');
  b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  const req = b.tick(1000);
  assert.equal(req.length, 1);
  const ans = a.receive(req[0] as Uint8Array, MEDIUM, 1000);
  assert.equal(ans.packets.length, 1);
  assert.equal(getString(fields(ans.packets[0] as Uint8Array), 'seq'), '25a');
  // a hand-made request for seq 5 (decimal), long gone: NAK with hex firstseq
  const c = endpoint('node2', { generation: 0x100 });
  const hand = c.send([s('t', 'NS_rexmit'), s('dest', 'node1'), s('firstseq', '5'), s('lastseq', '5')], 0, {
    wallMs: WALL,
  });
  const nak = a.receive(hand, MEDIUM, 2000);
  assert.equal(nak.packets.length, 1);
  const m = fields(nak.packets[0] as Uint8Array);
  assert.equal(getString(m, 't'), 'NS_nak_rexmit');
  assert.equal(getString(m, 'firstseq'), '5');
  assert.equal(getString(m, 'dest'), 'node2');
  assert.ok(getString(m, 'info'));
  assert.equal(a.counters().naksSent, 1);
  // a replayed request does not produce a stream of NAKs: one per requester per interval
  const many = c.send([s('t', 'NS_rexmit'), s('dest', 'node1'), s('firstseq', '3'), s('lastseq', '52')], 0, {
    wallMs: WALL,
  });
  assert.equal(a.receive(many, MEDIUM, 2100).packets.length, 0);
  assert.equal(a.receive(many, MEDIUM, 2300).packets.length, 1);
  assert.equal(a.counters().naksSent, 2);
  // b gets a NAK for its pending gap: forgets it
  const b2 = endpoint('node2');
  const a2 = endpoint('node1');
  b2.receive(a2.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  a2.send(STATUS, 0, { wallMs: WALL });
  b2.receive(a2.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  assert.notEqual(b2.nextWakeMs(), Infinity);
  const nak2 = a2.send([s('t', 'NS_nak_rexmit'), s('firstseq', '2'), s('info', 'seqno too low')], 0, {
    wallMs: WALL,
    dest: 'node2' as NodeName,
  });
  assert.equal(kind(b2.receive(nak2, MEDIUM, 10)), 'link-only');
  assert.equal(b2.nextWakeMs(), Infinity);
  assert.equal(b2.counters().lostPackets, 1);
});

void test('at most 50 seqs are retransmitted per request; ACKed seqs are not resent', () => {
  const a = endpoint('node1');
  for (let i = 0; i < 100; i++) a.send(STATUS, 0, { wallMs: WALL });
  const c = endpoint('node2');
  const req = c.send([s('t', 'NS_rexmit'), s('firstseq', '1'), s('lastseq', '100')], 0, {
    wallMs: WALL,
    dest: 'node1' as NodeName,
  });
  assert.equal(a.receive(req, MEDIUM, 0).packets.length, 50);
  const ack = c.send([s('t', 'NS_ackmsg'), s('ackseq', '3c')], 0, {
    wallMs: WALL,
    dest: 'node1' as NodeName,
  });
  a.receive(ack, MEDIUM, 0);
  const req2 = c.send([s('t', 'NS_rexmit'), s('firstseq', '51'), s('lastseq', '70')], 0, {
    wallMs: WALL,
    dest: 'node1' as NodeName,
  });
  assert.equal(a.receive(req2, MEDIUM, 1000).packets.length, 10); // 61..70
});

void test('ping node NS_st echoes are delivered; forgetPeer restarts tracking', () => {
  const b = endpoint('node2');
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  const base = [
    s('t', 'NS_st'),
    s('st', 'ping'),
    s('info', 'ping'),
    s('src', '198.18.0.254'),
    s('ts', '6b06d776'),
  ];
  const ping = auth.signNetstring({ fields: [...base, s('auth', auth.innerAuthValue({ fields: base }))] });
  const r = b.receive(ping, MEDIUM, 0);
  assert.ok(
    r.received.kind === 'message' && r.received.src === '198.18.0.254' && r.received.seq === undefined,
  );
  const a = endpoint('node1');
  const p1 = a.send(STATUS, 0, { wallMs: WALL });
  b.receive(p1, MEDIUM, 0);
  b.forgetPeer('node1' as NodeName);
  for (let i = 0; i < 5; i++) a.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)), 'message');
  assert.equal(b.nextWakeMs(), Infinity); // no gap recorded after forgetting
  assert.ok(uuidOf(1).length === 16);
});

void test('ping payloads built by encodePingPayload come back as NS_st messages from the ping node', () => {
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  const payload = encodePingPayload(auth, '198.18.0.254', WALL);
  assert.deepEqual(names(payload), ['t', 'st', 'info', 'src', 'ts', 'auth']);
  assert.equal(getString(fields(payload), 'ts'), '6b06d776');
  const b = endpoint('node2');
  const r = b.receive(payload, MEDIUM, 0);
  assert.ok(
    r.received.kind === 'message' && r.received.type === 'NS_st' && r.received.src === '198.18.0.254',
  );
  // an echo naming a host that is not a configured ping node is refused
  assert.equal(
    kind(b.receive(encodePingPayload(auth, '198.18.0.99', WALL), MEDIUM, 0)),
    'rejected:unknown-node',
  );
});

void test('a restarted peer’s control message does not hide the restart from the next real message', () => {
  const b = endpoint('node2');
  const before = endpoint('node1', { generation: 5 });
  const after = endpoint('node1', { generation: 6 });
  b.receive(before.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  const ack = after.send([s('t', 'NS_ackmsg'), s('ackseq', '1')], 0, {
    wallMs: WALL,
    dest: 'node2' as NodeName,
  });
  assert.equal(kind(b.receive(ack, MEDIUM, 0)), 'link-only');
  assert.equal(kind(b.receive(after.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)), 'rejected:seq-jump');
  const r = b.receive(after.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  assert.ok(r.received.kind === 'message' && r.received.peerRestarted && r.received.generation === 6);
  // and the old generation is now a replay, for control messages too
  const oldAck = before.send([s('t', 'NS_ackmsg'), s('ackseq', '1')], 0, {
    wallMs: WALL,
    dest: 'node2' as NodeName,
  });
  assert.equal(kind(b.receive(oldAck, MEDIUM, 0)), 'rejected:replay');
});

void test('after forgetPeer, replayed packets of the same generation are still refused', () => {
  const a = endpoint('node1');
  const b = endpoint('node2');
  const early = a.send(STATUS, 0, { wallMs: WALL });
  b.receive(early, MEDIUM, 0);
  b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0);
  b.forgetPeer('node1' as NodeName);
  assert.equal(kind(b.receive(early, MEDIUM, 0)), 'rejected:old-seq');
  // the real peer, continuing after a partition, is accepted with a fresh start (no gap requests)
  for (let i = 0; i < 10; i++) a.send(STATUS, 0, { wallMs: WALL });
  assert.equal(kind(b.receive(a.send(STATUS, 0, { wallMs: WALL }), MEDIUM, 0)), 'message');
  assert.equal(b.nextWakeMs(), Infinity);
});
