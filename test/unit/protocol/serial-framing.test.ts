import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from '../../../src/protocol/auth.js';
import { MAX_MESSAGE_BYTES, decodePacket } from '../../../src/protocol/codec.js';
import { SerialFramer, classicForSerial } from '../../../src/protocol/serial-framing.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint } from './helpers.js';

void test('classicForSerial: verifiable classic form, also from msgfmt netstring packets', () => {
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  for (const innerAuth of [true, false]) {
    const packet = endpoint('node1', { innerAuth }).send(STATUS, 0, { wallMs: WALL });
    const classic = classicForSerial(packet, auth);
    assert.ok(classic);
    assert.ok(classic.toString('latin1').startsWith('>>>\nt=status\n'));
    const d = decodePacket(classic);
    assert.ok(d.ok && auth.verify(d, classic).ok);
    assert.equal(endpoint('node2').receive(classic, MEDIUM, 0).received.kind, 'message');
  }
  assert.equal(classicForSerial(Buffer.from('junk'), auth), undefined);
});

void test('SerialFramer: packets split across chunks and noise between them', () => {
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  const a = endpoint('node1');
  const p1 = classicForSerial(a.send(STATUS, 0, { wallMs: WALL }), auth) as Buffer;
  const p2 = classicForSerial(a.send(STATUS, 0, { wallMs: WALL }), auth) as Buffer;
  const stream = Buffer.concat([
    Buffer.from('line noise\n>>>garbage\n'),
    p1,
    Buffer.from('\x00\x00\n'),
    p2,
    Buffer.from('x'),
    p1,
  ]);
  for (const size of [1, 3, 7, 64, stream.length]) {
    const f = new SerialFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...f.push(stream.subarray(i, i + size)));
    // the third copy follows 'x' on the same line: not a packet start, as in Heartbeat's reader
    assert.equal(got.length, 2, `chunk size ${size}`);
    assert.ok((got[0] as Buffer).equals(p1) && (got[1] as Buffer).equals(p2));
  }
});

void test('SerialFramer: an endless packet is abandoned, memory stays bounded', () => {
  const f = new SerialFramer();
  f.push(Buffer.from('>>>\n'));
  const line = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < (2 * MAX_MESSAGE_BYTES) / line.length; i++) f.push(line);
  assert.ok(f.oversized >= 1);
  const b = endpoint('node2');
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  const p = classicForSerial(endpoint('node1').send(STATUS, 0, { wallMs: WALL }), auth) as Buffer;
  const got = f.push(Buffer.concat([Buffer.from('\n'), p]));
  assert.equal(got.length, 1);
  assert.equal(b.receive(got[0] as Buffer, MEDIUM, 0).received.kind, 'message');
});
