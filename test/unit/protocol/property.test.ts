// Property tests (fast-check): encode/decode round trips in both forms and sign/verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { checkEncodable, encodeClassic, encodeNetstringBody } from '../../../src/protocol/encode.js';
import type { Field, Message } from '../../../src/protocol/message.js';
import type { AuthMethod } from '../../../src/config/auth-config.js';
import { authConfig } from './helpers.js';

const nameArb = fc
  .string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: 1,
    maxLength: 12,
  })
  .filter((n) => !n.includes('=') && !n.startsWith('('));

function byteString(exclude: readonly number[], maxLength = 40): fc.Arbitrary<string> {
  return fc.string({
    unit: fc
      .integer({ min: 0, max: 255 })
      .filter((c) => !exclude.includes(c))
      .map((c) => String.fromCharCode(c)),
    maxLength,
  });
}

function messageArb(classic: boolean): fc.Arbitrary<Message> {
  // classic: 0x0f-0x1f are newline symbols (0x13 at top level, others inside nested messages)
  const symbols = Array.from({ length: 17 }, (_, i) => 0x0f + i);
  const str = byteString(classic ? symbols : []);
  const item = byteString(classic ? [0x0a, ...symbols] : []);
  const bytes = fc.uint8Array({ maxLength: 40 });
  const { msg } = fc.letrec<{ msg: Message; field: Field }>((tie) => ({
    field: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ name: nameArb, type: fc.constant('string' as const), value: str }),
      fc.record({ name: nameArb, type: fc.constant('binary' as const), value: bytes }),
      fc.record({ name: nameArb, type: fc.constant('compressed' as const), value: bytes }),
      fc.record({
        name: nameArb,
        type: fc.constant('list' as const),
        value: fc.array(item, { maxLength: 4 }),
      }),
      fc.record({
        name: nameArb,
        type: fc.constant('struct' as const),
        value: tie('msg') as fc.Arbitrary<Message>,
      }),
      fc.record({
        name: nameArb,
        type: fc.constant('uncompressed' as const),
        value: tie('msg') as fc.Arbitrary<Message>,
      }),
    ) as fc.Arbitrary<Field>,
    msg: fc.record({ fields: fc.array(tie('field') as fc.Arbitrary<Field>, { maxLength: 6 }) }),
  }));
  return msg;
}

/** fast-check's uint8Array gives Uint8Array; the decoder returns Uint8Array too: compare structurally. */
function normal(m: Message): unknown {
  return JSON.parse(
    JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? { bytes: [...v] } : v)),
  ) as unknown;
}

void test('netstring: decode(encode(m)) == m and re-encoding gives the same bytes', () => {
  fc.assert(
    fc.property(messageArb(false), (m) => {
      const body = encodeNetstringBody(m);
      const d = decodePacket(body);
      assert.ok(d.ok, JSON.stringify(d));
      assert.deepEqual(normal(d.message), normal(m));
      assert.ok(encodeNetstringBody(d.message).equals(body));
    }),
    { numRuns: 500 },
  );
});

void test('classic: decode(encode(m)) == m and re-encoding gives the same bytes', () => {
  fc.assert(
    fc.property(messageArb(true), (m) => {
      assert.equal(checkEncodable(m, 'classic'), undefined);
      const bytes = encodeClassic(m);
      const d = decodePacket(bytes);
      assert.ok(d.ok, JSON.stringify(d));
      assert.equal(d.encoding, 'classic');
      assert.deepEqual(normal(d.message), normal(m));
      assert.ok(encodeClassic(d.message).equals(bytes));
    }),
    { numRuns: 500 },
  );
});

const methodArb = fc.constantFrom<AuthMethod>('crc', 'md5', 'sha1', 'sha256', 'sha512');
const secretArb = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 80,
});

void test('sign then verify succeeds; any single-byte change is never accepted', () => {
  fc.assert(
    fc.property(
      methodArb,
      secretArb,
      fc.integer({ min: 0, max: 15 }),
      messageArb(true),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      (method, secret, index, m, at, xor) => {
        const a = new Authenticator(authConfig(method, method === 'crc' ? '' : secret, index), {
          allowExtendedAuth: true,
        });
        const withInner: Message = {
          fields: [...m.fields, { name: 'auth', type: 'string', value: a.innerAuthValue(m) }],
        };
        const bytes = a.signNetstring(withInner);
        const d = decodePacket(bytes);
        assert.ok(d.ok);
        assert.deepEqual(a.verify(d, bytes), { ok: true, keyIndex: index });
        assert.ok(a.verifyInner(d.message).ok);
        const classic = encodeClassic(d.message);
        const dc = decodePacket(classic);
        assert.ok(dc.ok && a.verify(dc, classic).ok);
        const mutated = Buffer.from(bytes);
        const pos = at % mutated.length;
        mutated[pos] = (mutated[pos] ?? 0) ^ xor;
        const dm = decodePacket(mutated);
        if (dm.ok) assert.equal(a.verify(dm, mutated).ok, false, `accepted a change at byte ${pos}`);
      },
    ),
    { numRuns: 400 },
  );
});
