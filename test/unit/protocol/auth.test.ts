import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Authenticator, crc32Posix, digestHex } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { ProtocolSetupError } from '../../../src/protocol/errors.js';
import { authConfig, s } from './helpers.js';

const msg = { fields: [s('t', 'status'), s('src', 'node1'), s('ts', '6b06d776')] };

void test('CRC-32/POSIX catalogue check value, %lx formatting without leading zeros', () => {
  assert.equal(crc32Posix(Buffer.from('123456789')).toString(16), '765e7680');
  assert.equal(digestHex({ index: 1, method: 'crc', secret: '' }, Buffer.from('123456789')), '765e7680');
  // find an input whose CRC is below 0x10000000: Heartbeat prints it with fewer than 8 digits
  let found = false;
  for (let i = 0; i < 10000 && !found; i++) {
    const data = Buffer.from(`x${i}`);
    const crc = crc32Posix(data);
    if (crc < 0x10000000) {
      const text = digestHex({ index: 1, method: 'crc', secret: '' }, data);
      assert.ok(text.length < 8 && !text.startsWith('0'), text);
      found = true;
    }
  }
  assert.ok(found);
});

void test('HMAC-SHA1 and HMAC-MD5 match RFC 2202 test vectors', () => {
  const data = Buffer.from('what do ya want for nothing?');
  assert.equal(
    digestHex({ index: 1, method: 'sha1', secret: 'Jefe' }, data),
    'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  );
  assert.equal(
    digestHex({ index: 1, method: 'md5', secret: 'Jefe' }, data),
    '750c783e6ab0b503eaa86e310a5db738',
  );
});

for (const method of ['crc', 'md5', 'sha1'] as const) {
  void test(`${method}: sign then verify, trailer and inner field; tampering detected`, () => {
    const a = new Authenticator(authConfig(method, method === 'crc' ? '' : 'k'));
    const withInner = { fields: [...msg.fields, s('auth', a.innerAuthValue(msg))] };
    const bytes = a.signNetstring(withInner);
    const d = decodePacket(bytes);
    assert.ok(d.ok);
    assert.deepEqual(a.verify(d, bytes), { ok: true, keyIndex: 1 });
    assert.deepEqual(a.verifyInner(d.message), { ok: true, keyIndex: 1 });
    const tampered = Buffer.from(bytes);
    tampered[bytes.indexOf('node1') + 4] = 0x32; // node1 -> node2
    const td = decodePacket(tampered);
    assert.ok(td.ok);
    const v = a.verify(td, tampered);
    assert.ok(!v.ok && v.reason === 'bad-auth');
    assert.ok(!a.verifyInner(td.message).ok);
  });
}

void test('wrong secret is bad-auth; unknown key index is unknown-key', () => {
  const a = new Authenticator(authConfig('sha1', 'right'));
  const b = new Authenticator(authConfig('sha1', 'wrong'));
  const c = new Authenticator(authConfig('sha1', 'right', 3));
  const bytes = b.signNetstring(msg);
  const d = decodePacket(bytes);
  assert.ok(d.ok);
  const v = a.verify(d, bytes);
  assert.ok(!v.ok && v.reason === 'bad-auth');
  const bytes3 = c.signNetstring(msg);
  const d3 = decodePacket(bytes3);
  assert.ok(d3.ok);
  const v3 = a.verify(d3, bytes3);
  assert.ok(!v3.ok && v3.reason === 'unknown-key');
});

void test('missing trailer / missing inner auth field are bad-auth', () => {
  const a = new Authenticator(authConfig('sha1', 'k'));
  const body = Buffer.from('###\n11:(0)t=status,%%%\n');
  const d = decodePacket(body);
  assert.ok(d.ok);
  const v = a.verify(d, body);
  assert.ok(!v.ok && v.detail === 'no auth trailer');
  const c = decodePacket(Buffer.from('>>>\nt=status\n<<<\n'));
  assert.ok(c.ok);
  const vc = a.verify(c, Buffer.alloc(0));
  assert.ok(!vc.ok && vc.reason === 'bad-auth');
});

void test('key rotation: a message naming key N verifies with key N’s own secret', () => {
  const both = authConfig('sha1', 'old-secret', 1, [{ index: 2, method: 'md5', secret: 'new-secret' }]);
  const receiver = new Authenticator(both);
  const sender = new Authenticator({ ...both, activeIndex: 2 });
  const bytes = sender.signNetstring(msg);
  const d = decodePacket(bytes);
  assert.ok(d.ok);
  assert.deepEqual(receiver.verify(d, bytes), { ok: true, keyIndex: 2 });
});

void test('sha256/sha512 are refused unless explicitly allowed', () => {
  const cfg = authConfig('sha256', 'k');
  assert.throws(() => new Authenticator(cfg), /extension/);
  assert.throws(() => new Authenticator(cfg), ProtocolSetupError);
  const a = new Authenticator(cfg, { allowExtendedAuth: true });
  const bytes = a.signNetstring(msg);
  assert.match(bytes.toString('latin1'), /66:1 [0-9a-f]{64},$/);
  const d = decodePacket(bytes);
  assert.ok(d.ok);
  assert.ok(a.verify(d, bytes).ok);
  // a Heartbeat-compatible receiver with the same key listed but extension disabled refuses it
  const strict = new Authenticator(authConfig('sha1', 'x', 2, [{ index: 1, method: 'sha256', secret: 'k' }]));
  const v = strict.verify(d, bytes);
  assert.ok(!v.ok && v.reason === 'unknown-key');
  const a512 = new Authenticator(authConfig('sha512', 'k'), { allowExtendedAuth: true });
  assert.match(a512.signNetstring(msg).toString('latin1'), /130:1 [0-9a-f]{128},$/);
});

void test('the precomputed-pad HMAC equals createHmac for every method and key length', () => {
  const data = Buffer.from('###\n11:(0)t=status,%%%\n'.repeat(30));
  for (const method of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
    for (const len of [1, 20, 63, 64, 65, 127, 128, 129, 200]) {
      const secret = 'k'.repeat(len - 1) + String.fromCharCode(0xe9);
      const a = new Authenticator(authConfig(method, secret), { allowExtendedAuth: true });
      for (const size of [0, 1, 100, data.length]) {
        const chunk = data.subarray(0, size);
        const expected = createHmac(method, Buffer.from(secret, 'latin1')).update(chunk).digest('hex');
        assert.equal(a.sign(chunk), `1 ${expected}`, `${method} key ${len} data ${size}`);
      }
    }
  }
  // RFC 2202 test case 6: 80-byte key (hashed first), through the Authenticator
  const a = new Authenticator(authConfig('sha1', '\xaa'.repeat(80)));
  assert.equal(
    a.sign(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')),
    '1 aa4ae5e15272d00e95705637ce8a3b55ed402112',
  );
});
