// Checks the recorded real-Heartbeat fixtures (test/fixtures/heartbeat, made by
// scripts/record-fixtures.sh) independently of our codec: every file listed exists with the
// recorded length, starts like a Heartbeat message, its signature verifies with the key printed
// in the manifest (HMAC-SHA1 / HMAC-MD5 / CRC-32 POSIX, computed here with node:crypto), and the
// set covers every message type the scenarios must produce for every auth method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixturesDir = fileURLToPath(new URL('../../../test/fixtures/heartbeat/', import.meta.url));

interface PacketEntry {
  file: string;
  run: string;
  scenario: string;
  transport: 'udp' | 'serial';
  encoding: 'netstring' | 'classic';
  auth: { method: 'sha1' | 'md5' | 'crc'; keyIndex: number; secret: string | null };
  innerAuth: boolean;
  t: string;
  src: string | null;
  length: number;
  info?: string;
  st?: string;
  result?: string;
  retransmittedCopyOf?: string;
}
interface Manifest {
  runs: Record<string, { auth: { method: string } }>;
  packets: PacketEntry[];
}

const manifestPath = `${fixturesDir}manifest.json`;
const skip = existsSync(manifestPath) ? false : 'no fixtures recorded yet (run scripts/record-fixtures.sh)';

function crc32posix(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function digest(auth: PacketEntry['auth'], data: Uint8Array): string {
  if (auth.method === 'crc') return crc32posix(data).toString(16);
  return createHmac(auth.method, Buffer.from(auth.secret ?? '', 'latin1'))
    .update(data)
    .digest('hex');
}

function load(): Manifest {
  return JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
}

void test('every fixture file exists, has the recorded length and a valid signature', { skip }, () => {
  const m = load();
  assert.ok(m.packets.length > 50, `only ${m.packets.length} fixtures`);
  for (const p of m.packets) {
    const bytes = readFileSync(`${fixturesDir}${p.file}`);
    assert.equal(bytes.length, p.length, p.file);
    const text = bytes.toString('latin1');
    if (p.encoding === 'netstring') {
      assert.ok(text.startsWith('###\n'), p.file);
      const end = text.lastIndexOf('%%%\n') + 4;
      const trailer = /^(\d+):(\d+) ([0-9a-f]+),$/.exec(text.slice(end));
      assert.ok(trailer, `${p.file}: trailer`);
      assert.equal(Number(trailer[2]), p.auth.keyIndex, p.file);
      assert.equal(trailer[3], digest(p.auth, bytes.subarray(0, end)), `${p.file}: trailer digest`);
      assert.equal(text.includes('(0)auth='), p.innerAuth, `${p.file}: innerAuth flag`);
    } else {
      assert.ok(text.startsWith('>>>\n') && text.endsWith('<<<\n'), p.file);
      const lines = text.slice(4, -4).split('\n').slice(0, -1);
      const authLine = lines.find((l) => l.startsWith('auth='));
      assert.ok(authLine, `${p.file}: classic message without auth`);
      const signed = lines
        .filter((l) => !l.startsWith('auth='))
        .map((l) => `${l}\n`)
        .join('');
      assert.equal(
        authLine,
        `auth=${p.auth.keyIndex} ${digest(p.auth, Buffer.from(signed, 'latin1'))}`,
        p.file,
      );
    }
    assert.match(text, new RegExp(`\\(0\\)t=${p.t},|\\nt=${p.t}\\n`), `${p.file}: type ${p.t}`);
  }
});

void test('fixtures cover every message type for sha1, md5, crc on udp+serial', { skip }, () => {
  const m = load();
  const have = (pred: (p: PacketEntry) => boolean): boolean => m.packets.some(pred);
  const required: [string, (p: PacketEntry) => boolean][] = [
    ['status init', (p) => p.t === 'status' && p.st === 'init'],
    ['status up', (p) => p.t === 'status' && p.st === 'up'],
    ['status active', (p) => p.t === 'status' && p.st === 'active'],
    ['reqnodes', (p) => p.t === 'reqnodes'],
    ['repnodes', (p) => p.t === 'repnodes'],
    ['starting', (p) => p.t === 'starting'],
    ['ip-request-resp', (p) => p.t === 'ip-request-resp'],
    ['stonith n_stnth', (p) => p.t === 'stonith' && p.result === 'n_stnth'],
    ['resource mach_down', (p) => p.t === 'resource' && p.info === 'mach_down'],
    ['resource shutdown', (p) => p.t === 'resource' && p.info === 'shutdown'],
    ['shutdone', (p) => p.t === 'shutdone'],
    ['ask_resources me', (p) => p.t === 'ask_resources' && p.info === 'me'],
    ['ask_resources other', (p) => p.t === 'ask_resources' && p.info === 'other'],
    ['ask_resources done', (p) => p.t === 'ask_resources' && p.info === 'done'],
    ['hb_takeover', (p) => p.t === 'hb_takeover'],
    ['NS_ackmsg', (p) => p.t === 'NS_ackmsg'],
    ['NS_rexmit', (p) => p.t === 'NS_rexmit'],
    ['retransmitted copy', (p) => p.retransmittedCopyOf !== undefined],
  ];
  const missing: string[] = [];
  for (const method of ['sha1', 'md5', 'crc'] as const) {
    for (const [name, pred] of required) {
      if (!have((p) => p.transport === 'udp' && p.auth.method === method && pred(p)))
        missing.push(`${method}: ${name}`);
    }
  }
  // serial runs have no loss scenario (a pty pair loses nothing), so no NS_rexmit or copies there
  const noLoss = new Set(['NS_rexmit', 'retransmitted copy']);
  for (const method of ['sha1', 'md5', 'crc'] as const) {
    for (const [name, pred] of required) {
      if (noLoss.has(name)) continue;
      const serial = (p: PacketEntry): boolean => p.transport === 'serial' && p.encoding === 'classic';
      if (!have((p) => serial(p) && p.auth.method === method && pred(p)))
        missing.push(`serial ${method}: ${name}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(
    have((p) => p.encoding === 'netstring' && !p.innerAuth),
    'msgfmt netstring message (no inner auth)',
  );
  assert.ok(
    have((p) => p.t === 'ip-request'),
    'legacy ip-request',
  );
});
