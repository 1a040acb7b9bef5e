import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_BYTES, decodePacket } from '../../../src/protocol/codec.js';
import {
  checkEncodable,
  classicAuthInput,
  encodeClassic,
  encodeNetstringBody,
  trailerText,
} from '../../../src/protocol/encode.js';
import type { Field, Message } from '../../../src/protocol/message.js';
import { s } from './helpers.js';

const nasty = Uint8Array.from([0x25, 0x25, 0x25, 0x0a, 0x2c, 0x00, 0x3d, 0x0a, 0x23, 0x23, 0x23, 0x0a, 0xff]);

const allTypes: Message = {
  fields: [
    s('t', 'status'),
    s('multi', 'line one\nline two, with = and %%%\n'),
    { name: 'srcuuid', type: 'binary', value: nasty },
    { name: 'empty', type: 'binary', value: new Uint8Array(0) },
    { name: 'names', type: 'list', value: ['node1', '', 'a,b:c'] },
    {
      name: 'child',
      type: 'struct',
      value: {
        fields: [
          s('k', 'v\nw'),
          {
            name: 'grand',
            type: 'struct',
            value: { fields: [s('deep', 'x\ny'), { name: 'b', type: 'binary', value: nasty }] },
          },
        ],
      },
    },
    { name: 'z', type: 'compressed', value: Uint8Array.from([1, 2, 3]) },
    { name: 'u', type: 'uncompressed', value: { fields: [s('a', '1')] } },
    s('latin1', '\u00e9\u00ff\u0000'),
  ],
};

function packet(msg: Message, digest = '1 abc'): Buffer {
  const body = encodeNetstringBody(msg);
  const [idx, hex] = digest.split(' ');
  return Buffer.concat([body, Buffer.from(trailerText(Number(idx), hex ?? ''), 'latin1')]);
}

void test('netstring layout is exactly Heartbeat’s', () => {
  const body = encodeNetstringBody({
    fields: [s('t', 'status'), { name: 'u', type: 'binary', value: Uint8Array.from([0, 10]) }],
  });
  assert.equal(body.toString('latin1'), '###\n11:(0)t=status,7:(1)u=\x00\n,%%%\n');
  assert.equal(
    trailerText(1, 'a98a00c7c446b6a73d885b9b0e4114b8ca0ed7a3'),
    '42:1 a98a00c7c446b6a73d885b9b0e4114b8ca0ed7a3,',
  );
});

void test('netstring round trip of every field type, binary-safe', () => {
  const bytes = packet(allTypes);
  const d = decodePacket(bytes);
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(d.encoding, 'netstring');
  assert.deepEqual(d.message, allTypes);
  if (d.encoding !== 'netstring') return;
  assert.deepEqual(d.trailer, { index: 1, digest: 'abc' });
  assert.equal(d.signedLength, encodeNetstringBody(allTypes).length);
  assert.ok(packet(d.message).equals(bytes));
});

void test('classic round trip of every field type; newlines become 0x13, binary base64', () => {
  const bytes = encodeClassic(allTypes);
  const text = bytes.toString('latin1');
  assert.ok(
    text.startsWith(
      '>>>\nt=status\nmulti=line one\x13line two, with = and %%%\x13\n(1)srcuuid=JSUlCiwAPQojIyMK/w==\n',
    ),
  );
  assert.ok(text.endsWith('<<<\n'));
  const d = decodePacket(bytes);
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(d.encoding, 'classic');
  assert.deepEqual(d.message, allTypes);
  assert.ok(encodeClassic(d.message).equals(bytes));
});

void test('classic auth input: name=value lines without markers and without the auth field', () => {
  const msg: Message = {
    fields: [s('t', 'x'), s('auth', '1 00'), { name: 'u', type: 'binary', value: Uint8Array.from([0xff]) }],
  };
  assert.equal(classicAuthInput(msg).toString('latin1'), 't=x\n(1)u=/w==\n');
});

void test('a netstring packet without trailer decodes with trailer undefined', () => {
  const d = decodePacket(encodeNetstringBody({ fields: [s('t', 'a')] }));
  assert.ok(d.ok && d.encoding === 'netstring' && d.trailer === undefined);
});

void test('every truncation of a valid packet is rejected as malformed, never thrown', () => {
  for (const bytes of [packet(allTypes), encodeClassic(allTypes)]) {
    for (let n = 0; n < bytes.length; n++) {
      const d = decodePacket(bytes.subarray(0, n));
      // A netstring packet cut right after %%%\n is a (trailer-less) valid packet.
      if (d.ok) {
        assert.equal(d.encoding, 'netstring');
        continue;
      }
      assert.equal(d.reason, 'malformed');
    }
  }
});

void test('length lies, leading zeros, huge lengths, bad types are malformed', () => {
  const bad = [
    '###\n12:(0)t=status,%%%\n',
    '###\n10:(0)t=status,%%%\n',
    '###\n011:(0)t=status,%%%\n',
    '###\n99999999:(0)t=status,%%%\n',
    '###\n9999999:(0)t=status,%%%\n',
    '###\n-1:(0)t=status,%%%\n',
    '###\n11:(9)t=status,%%%\n',
    '###\n11:[0]t=status,%%%\n',
    '###\n6:(0)=abc,%%%\n',
    '###\n6:(0)abcd,%%%\n',
    '###\n11:(0)t=status,%%%\nX',
    '###\n11:(0)t=status,%%%\n5:1 ab,',
    '###\n11:(0)t=status,%%%\n5:1 zz,',
    '###\n11:(0)t=status,%%%\n6:16 ab,',
    '###\n11:(0)t=status,%%%%\n',
    '###\n11:(3)t=4:abc,,%%%\n',
    '>>>\nt=status\n',
    '>>>\nt=status\n<<<\nextra',
    '>>>\n(0)t=status\n<<<\n',
    '>>>\n(1)u=AAA\n<<<\n',
    '>>>\nnoequals\n<<<\n',
    'GET / HTTP/1.0\r\n',
    '',
  ];
  for (const b of bad) {
    const d = decodePacket(Buffer.from(b, 'latin1'));
    assert.equal(d.ok, false, JSON.stringify(b));
    if (!d.ok) assert.equal(d.reason, 'malformed', JSON.stringify(b));
  }
});

void test('oversized packets are too-big; nesting deeper than 16 is malformed', () => {
  const big = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x23);
  const d = decodePacket(big);
  assert.ok(!d.ok && d.reason === 'too-big');
  let msg: Message = { fields: [s('a', 'b')] };
  for (let i = 0; i < 17; i++) msg = { fields: [{ name: 'n', type: 'struct', value: msg }] };
  const deep = decodePacket(encodeNetstringBody(msg));
  assert.ok(!deep.ok && deep.reason === 'malformed');
  const deepClassic = decodePacket(encodeClassic(msg));
  assert.ok(!deepClassic.ok && deepClassic.reason === 'malformed');
});

void test('checkEncodable flags what cannot be encoded faithfully', () => {
  const bad: Field[] = [s('a=b', 'x'), s('', 'x'), s('(1)x', 'x'), s('x', '\u0100'), s('x', 'a\x13b')];
  for (const f of bad)
    assert.notEqual(checkEncodable({ fields: [f] }, 'classic'), undefined, JSON.stringify(f));
  assert.equal(checkEncodable(allTypes, 'classic'), undefined);
  assert.equal(checkEncodable({ fields: [s('x', 'a\x13b')] }, 'netstring'), undefined);
});
