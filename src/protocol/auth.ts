// Message authentication exactly as Heartbeat 3 computes it (reference 3 and 4.4):
//   - the netstring trailer `<len>:<idx> <hex>,` = digest of the bytes `###\n` .. `%%%\n` inclusive;
//   - the inner `auth` field `<idx> <hex>` = digest of the classic text of the other fields.
// Methods: sha1 = HMAC-SHA1, md5 = HMAC-MD5, crc = CRC-32/POSIX (no key, `%lx`: no leading zeros);
// sha256 / sha512 (HMAC) are our extension and must be enabled explicitly (real Heartbeat
// peers cannot verify them).
//
// Key rotation: Heartbeat verifies a message naming key N with the *method* of key N but the
// *secret* of the active key (a bug: rotation only works when all secrets are equal). We verify
// with key N's own method and secret, which accepts everything a correctly configured Heartbeat
// node sends and lets several keys be listed during a rotation.

import * as nodeCrypto from 'node:crypto';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthConfig, AuthKey, AuthMethod } from '../config/types.js';
import { parseAuthText, type Decoded } from './codec.js';
import { classicAuthInput, encodeNetstringBody, trailerText } from './encode.js';
import { ProtocolSetupError } from './errors.js';
import type { Message } from './message.js';

/** Methods real Heartbeat 3.0.6 implements. */
export const HEARTBEAT_METHODS: readonly AuthMethod[] = ['crc', 'md5', 'sha1'];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * CRC-32/POSIX catalogue variant: poly 0x04C11DB7, init 0, MSB first, final xor 0xFFFFFFFF, no
 * length appended (unlike `cksum`). Check value of "123456789" is 0x765e7680.
 */
export function crc32Posix(data: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) {
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (data[i] ?? 0)) & 0xff] ?? 0)) >>> 0;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const HMAC_ALGORITHMS: Readonly<Record<Exclude<AuthMethod, 'crc'>, string>> = {
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha512: 'sha512',
};

/** Digest text (as put on the wire) of `data` with one key. */
export function digestHex(key: AuthKey, data: Uint8Array): string {
  if (key.method === 'crc') return crc32Posix(data).toString(16);
  return createHmac(HMAC_ALGORITHMS[key.method], Buffer.from(key.secret, 'latin1'))
    .update(data)
    .digest('hex');
}

/** Constant-time comparison of two digest texts (length is not secret). */
export function digestsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}

/** crypto.hash (Node >= 20.12): one-shot hashing without creating Hash objects. */
const oneShotHash = (nodeCrypto as { hash?: typeof nodeCrypto.hash }).hash;

const BLOCK_BYTES: Readonly<Record<string, number>> = { md5: 64, sha1: 64, sha256: 64, sha512: 128 };

/**
 * HMAC (RFC 2104) with the key pads computed once: H(K^opad || H(K^ipad || m)). With crypto.hash
 * this is about twice as fast as createHmac per message, which matters at 200,000 messages/s.
 */
class KeyedHmac {
  private inner: Buffer;
  private readonly outer: Buffer;
  private readonly block: number;

  constructor(
    private readonly algorithm: string,
    private readonly secret: Buffer,
  ) {
    this.block = BLOCK_BYTES[algorithm] ?? 64;
    const key =
      secret.length > this.block ? nodeCrypto.createHash(algorithm).update(secret).digest() : secret;
    const digestBytes = nodeCrypto.createHash(algorithm).digest().length;
    this.inner = Buffer.alloc(this.block + 512, 0x36);
    this.outer = Buffer.alloc(this.block + digestBytes, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] = (key[i] ?? 0) ^ 0x36;
      this.outer[i] = (key[i] ?? 0) ^ 0x5c;
    }
  }

  hex(data: Uint8Array): string {
    if (oneShotHash === undefined) return createHmac(this.algorithm, this.secret).update(data).digest('hex');
    const need = this.block + data.length;
    if (need > this.inner.length) {
      const grown = Buffer.alloc(Math.max(need, this.inner.length * 2));
      this.inner.copy(grown, 0, 0, this.block);
      this.inner = grown;
    }
    this.inner.set(data, this.block);
    // 'binary' (latin1) output is much cheaper than 'buffer' (no Buffer allocation) and carries the same bytes
    this.outer.write(
      oneShotHash(this.algorithm, this.inner.subarray(0, need), 'binary'),
      this.block,
      'latin1',
    );
    return oneShotHash(this.algorithm, this.outer, 'hex');
  }
}

interface KeyEntry {
  readonly key: AuthKey;
  /** undefined for crc. */
  readonly hmac: KeyedHmac | undefined;
}

export type AuthVerdict =
  | { readonly ok: true; readonly keyIndex: number }
  | { readonly ok: false; readonly reason: 'bad-auth' | 'unknown-key'; readonly detail: string };

export interface AuthenticatorOptions {
  /** Accept and produce sha256/sha512 (our extension). Default false: real Heartbeat cannot. */
  readonly allowExtendedAuth?: boolean;
}

/**
 * Signs with the active key and verifies with the key a message names. Secrets are turned into
 * Buffers once. Construction throws (a configuration error, never network input) when the
 * active key is missing or uses a method that is not allowed.
 */
export class Authenticator {
  private readonly keys = new Map<number, KeyEntry>();
  private readonly active: KeyEntry;
  /** Scratch space for constant-time comparison without allocating per message. */
  private readonly cmpA = Buffer.alloc(128);
  private readonly cmpB = Buffer.alloc(128);

  constructor(auth: AuthConfig, options: AuthenticatorOptions = {}) {
    const allowExtended = options.allowExtendedAuth ?? false;
    for (const [index, key] of auth.keys) {
      if (!allowExtended && !HEARTBEAT_METHODS.includes(key.method)) continue;
      const hmac =
        key.method === 'crc'
          ? undefined
          : new KeyedHmac(HMAC_ALGORITHMS[key.method], Buffer.from(key.secret, 'latin1'));
      this.keys.set(index, { key, hmac });
    }
    const active = this.keys.get(auth.activeIndex);
    if (active === undefined) {
      const named = auth.keys.get(auth.activeIndex);
      throw new ProtocolSetupError(
        named === undefined
          ? `${auth.file}: active auth key ${auth.activeIndex} is not defined`
          : `${auth.file}: auth method ${named.method} (key ${auth.activeIndex}) is a heartbeat-ts extension ` +
              'that real Heartbeat peers cannot verify; enable it explicitly to use it',
      );
    }
    this.active = active;
  }

  get activeIndex(): number {
    return this.active.key.index;
  }

  private digestWith(entry: KeyEntry, data: Uint8Array): string {
    if (entry.hmac === undefined) return crc32Posix(data).toString(16);
    return entry.hmac.hex(data);
  }

  /** Constant-time equality of two digest texts of at most 128 chars (length is not secret). */
  private sameDigest(a: string, b: string): boolean {
    if (a.length !== b.length || a.length > 128) return false;
    this.cmpA.write(a, 0, 'latin1');
    this.cmpB.write(b, 0, 'latin1');
    return timingSafeEqual(this.cmpA.subarray(0, a.length), this.cmpB.subarray(0, b.length));
  }

  /** `<idx> <hex>` over `data` with the active key. */
  sign(data: Uint8Array): string {
    return `${this.active.key.index} ${this.digestWith(this.active, data)}`;
  }

  /** The value of the inner `auth` field for a message (computed over its other fields). */
  innerAuthValue(msg: Message): string {
    return this.sign(classicAuthInput(msg));
  }

  /** A complete netstring packet: body plus trailer signed with the active key. */
  signNetstring(msg: Message): Buffer {
    const body = encodeNetstringBody(msg);
    const t = trailerText(this.active.key.index, this.digestWith(this.active, body));
    const out = Buffer.allocUnsafe(body.length + t.length);
    body.copy(out, 0);
    out.write(t, body.length, 'latin1');
    return out;
  }

  /** Check `<idx> <hex>` against `data`. */
  verifyDigest(index: number, digest: string, data: Uint8Array): AuthVerdict {
    const entry = this.keys.get(index);
    if (entry === undefined) {
      return {
        ok: false,
        reason: 'unknown-key',
        detail: `message signed with key ${index}, which we do not accept`,
      };
    }
    if (!this.sameDigest(this.digestWith(entry, data), digest)) {
      return {
        ok: false,
        reason: 'bad-auth',
        detail: `${entry.key.method} digest (key ${index}) does not match`,
      };
    }
    return { ok: true, keyIndex: index };
  }

  /**
   * Verify a decoded packet as Heartbeat does: the trailer for the netstring form, the inner
   * `auth` field for the classic form. `bytes` is the packet the message was decoded from.
   */
  verify(decoded: Decoded, bytes: Uint8Array): AuthVerdict {
    if (decoded.encoding === 'netstring') {
      if (decoded.trailer === undefined) return { ok: false, reason: 'bad-auth', detail: 'no auth trailer' };
      return this.verifyDigest(
        decoded.trailer.index,
        decoded.trailer.digest,
        bytes.subarray(0, decoded.signedLength),
      );
    }
    return this.verifyInner(decoded.message);
  }

  /** Verify the inner `auth` field of a message (the classic form's only signature). */
  verifyInner(msg: Message): AuthVerdict {
    let text: string | undefined;
    for (const f of msg.fields) {
      if (f.name === 'auth') {
        if (f.type !== 'string' || text !== undefined) {
          return { ok: false, reason: 'bad-auth', detail: 'malformed or repeated auth field' };
        }
        text = f.value;
      }
    }
    if (text === undefined) return { ok: false, reason: 'bad-auth', detail: 'no auth field' };
    const parsed = parseAuthText(text);
    if (parsed === undefined)
      return { ok: false, reason: 'bad-auth', detail: 'auth field is not "<index> <hex>"' };
    return this.verifyDigest(parsed.index, parsed.digest, classicAuthInput(msg));
  }
}
