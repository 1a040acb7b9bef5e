// Fuzz: 1,000,000 random and mutated packets through decode + verify (and the endpoint's whole
// receive path): no exception may escape and the heap must not grow without bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { encodeClassic } from '../../../src/protocol/encode.js';
import type { NodeName } from '../../../src/config/types.js';
import type { Message } from '../../../src/protocol/message.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint, s } from './helpers.js';
import { fixturePackets } from './fixtures.js';

const TOTAL = 1_000_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** xorshift32: fast deterministic randomness for the mutation loop. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function corpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const method of ['crc', 'md5', 'sha1'] as const) {
    const auth = authConfig(method, method === 'crc' ? '' : 'test-secret');
    const a = endpoint('node1', { auth });
    const b = endpoint('node2', { auth });
    out.push(Buffer.from(a.send(STATUS, 0, { wallMs: WALL, loadAvg: '0.03 0.13 0.07 1/119 12614' })));
    out.push(Buffer.from(b.send(STATUS, 0, { wallMs: WALL })));
    out.push(Buffer.from(a.send([s('t', 'reqnodes')], 0, { wallMs: WALL, dest: 'node2' as NodeName })));
    out.push(
      Buffer.from(
        a.send([s('t', 'NS_rexmit'), s('firstseq', '1'), s('lastseq', '60')], 0, {
          wallMs: WALL,
          dest: 'node2' as NodeName,
        }),
      ),
    );
    out.push(
      Buffer.from(
        a.send([s('t', 'NS_ackmsg'), s('ackseq', 'a')], 0, { wallMs: WALL, dest: 'node2' as NodeName }),
      ),
    );
  }
  let nested: Message = {
    fields: [
      s('deep', 'x\ny'),
      { name: 'u', type: 'binary', value: Uint8Array.from([0x25, 0x25, 0x25, 0x0a]) },
    ],
  };
  for (let i = 0; i < 15; i++)
    nested = {
      fields: [
        s('t', 'n'),
        { name: 'child', type: 'struct', value: nested },
        { name: 'l', type: 'list', value: ['a', 'bc'] },
      ],
    };
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  out.push(auth.signNetstring(nested));
  out.push(encodeClassic(nested));
  const d = decodePacket(out[0] as Buffer);
  if (d.ok) out.push(encodeClassic(d.message));
  out.push(...fixturePackets().map((f) => f.bytes));
  return out;
}

function mutate(base: Buffer, r: () => number): Buffer {
  const op = r() % 10;
  const len = base.length;
  switch (op) {
    case 0: {
      // overwrite one byte with a printable char: mostly lands in values, keeps the structure
      const b = Buffer.from(base);
      b[r() % len] = 0x20 + (r() % 95);
      return b;
    }
    case 1: {
      const b = Buffer.from(base);
      const flips = 1 + (r() % 3);
      for (let i = 0; i < flips; i++) {
        const p = r() % len;
        b[p] = (b[p] ?? 0) ^ (1 << (r() % 8));
      }
      return b;
    }
    case 2:
      return base.subarray(0, r() % len);
    case 3: {
      // length field lie: rewrite the digits before some ':' with another number
      const colon = base.indexOf(0x3a, r() % len);
      if (colon < 0) return base.subarray(0, len - 1);
      let start = colon;
      while (start > 0 && (base[start - 1] ?? 0) >= 0x30 && (base[start - 1] ?? 0) <= 0x39) start--;
      const lies = ['0', '1', '99999999', '4294967296', String(len), String(r() % 400), '-5', '007'];
      const lie = lies[r() % lies.length] ?? '0';
      return Buffer.concat([base.subarray(0, start), Buffer.from(lie), base.subarray(colon)]);
    }
    case 4: {
      const p = r() % len;
      const junk = Buffer.alloc(1 + (r() % 16));
      for (let i = 0; i < junk.length; i++) junk[i] = r() & 0xff;
      return Buffer.concat([base.subarray(0, p), junk, base.subarray(p)]);
    }
    case 5: {
      const p = r() % len;
      return Buffer.concat([base.subarray(0, p), base.subarray(Math.min(len, p + 1 + (r() % 20)))]);
    }
    case 6: {
      // splice a chunk of the packet into itself (duplicated fields, markers in odd places)
      const p = r() % len;
      const q = r() % len;
      return Buffer.concat([
        base.subarray(0, p),
        base.subarray(q, Math.min(len, q + 1 + (r() % 40))),
        base.subarray(p),
      ]);
    }
    case 7: {
      // deep nesting bomb
      const depth = 1 + (r() % 40);
      return Buffer.from('###\n' + '9:(2)x=###\n'.repeat(depth) + '%%%\n'.repeat(depth + 1), 'latin1');
    }
    case 8: {
      const g = Buffer.alloc(r() % 600);
      for (let i = 0; i < g.length; i++) g[i] = r() & 0xff;
      const prefixes = ['###\n', '>>>\n', '', '###\n1:'];
      return Buffer.concat([Buffer.from(prefixes[r() % prefixes.length] ?? ''), g]);
    }
    default: {
      // huge declared length at the first field
      return Buffer.concat([Buffer.from('###\n9999999:(0)t='), base.subarray(4, 64)]);
    }
  }
}

void test(`fuzz: ${TOTAL} random and mutated packets, no exception, bounded memory`, (t) => {
  const base = corpus();
  const r = rng(0x5eed);
  const auths = [
    new Authenticator(authConfig('sha1', 'test-secret')),
    new Authenticator(authConfig('md5', 'test-secret')),
    new Authenticator(authConfig('crc', '')),
  ];
  const ep = endpoint('node2');
  let exceptions = 0;
  let firstError: unknown;
  let decodedOk = 0;
  let accepted = 0;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  for (let i = 0; i < TOTAL; i++) {
    const packet = mutate(base[r() % base.length] as Buffer, r);
    try {
      if ((i & 7) === 0) {
        const res = ep.receive(packet, MEDIUM, i, WALL);
        if (res.received.kind === 'message') accepted++;
      } else {
        const d = decodePacket(packet);
        if (d.ok) {
          decodedOk++;
          if ((auths[i % 3] as Authenticator).verify(d, packet).ok) accepted++;
        }
      }
    } catch (err) {
      exceptions++;
      firstError ??= err;
    }
    if ((i & 0x3ffff) === 0) {
      const h = process.memoryUsage().heapUsed;
      if (h > heapPeak) heapPeak = h;
    }
  }
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const growthMb = (heapAfter - heapBefore) / 1048576;
  assert.equal(exceptions, 0, `first exception: ${String(firstError)}`);
  assert.ok(decodedOk > 1000, `mutations should often still decode (got ${decodedOk})`);
  // heap after a full GC must be back near where it started; the peak stays bounded too
  assert.ok(growthMb < 32, `heap grew by ${growthMb.toFixed(1)} MB`);
  assert.ok(
    (heapPeak - heapBefore) / 1048576 < 256,
    `heap peak +${((heapPeak - heapBefore) / 1048576).toFixed(1)} MB`,
  );
  const c = ep.counters();
  const rejected = Object.values(c.rejected).reduce((x, y) => x + y, 0);
  assert.equal(c.received, TOTAL / 8);
  assert.ok(rejected > c.received * 0.9, `endpoint rejected ${rejected} of ${c.received}`);
  t.diagnostic(
    `decoded ${decodedOk}, verified ${accepted} (unchanged or crc), heap +${growthMb.toFixed(1)} MB after gc, ` +
      `endpoint: ${JSON.stringify(c.rejected)}`,
  );
});

void test('10 MB of garbage in datagram-sized pieces: every piece rejected and counted', () => {
  const r = rng(99);
  const ep = endpoint('node2');
  let pieces = 0;
  let left = 10 * 1024 * 1024;
  while (left > 0) {
    const n = Math.min(left, 1 + (r() % 1500));
    const g = Buffer.alloc(n);
    for (let i = 0; i < n; i++) g[i] = r() & 0xff;
    if (pieces % 3 === 0) g.write('###\n', 0, 'latin1');
    const res = ep.receive(g, MEDIUM, pieces);
    assert.equal(res.received.kind, 'rejected');
    left -= n;
    pieces++;
  }
  const c = ep.counters();
  assert.equal(c.rejected.malformed + c.rejected['bad-auth'], pieces);
  assert.equal(c.received, pieces);
});
