// Golden tests over every packet recorded from real Heartbeat 3.0.6 (test/fixtures/heartbeat/,
// written by scripts/record-fixtures.sh): decode -> the fields Heartbeat put there, signatures
// verify, re-encoding gives the same bytes (netstring and classic), our endpoint builds the very
// same bytes from the same inputs, and an observer endpoint accepts the recorded traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeReport, encodeFromJson } from '../../../src/cli/commands/msg.js';
import type { AuthConfig, AuthMethod } from '../../../src/config/auth-config.js';
import type { MediumId, NodeName } from '../../../src/config/types.js';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { encodeClassic, encodeNetstringBody, trailerText } from '../../../src/protocol/encode.js';
import { createEndpoint } from '../../../src/protocol/create-endpoint.js';
import { getBinary, getString, type Field } from '../../../src/protocol/message.js';
import { FIXTURE_DIR } from './fixtures.js';
import { seededRandom } from './helpers.js';

interface ManifestPacket {
  readonly file: string;
  readonly run: string;
  readonly scenario: string;
  readonly transport: 'udp' | 'serial';
  readonly encoding: 'netstring' | 'classic';
  readonly auth: { readonly method: AuthMethod; readonly keyIndex: number; readonly secret: string | null };
  readonly innerAuth: boolean;
  readonly t: string;
  readonly src: string | null;
  readonly [field: string]: unknown;
}

const manifestPath = join(FIXTURE_DIR, 'manifest.json');
const missing = existsSync(manifestPath)
  ? undefined
  : 'no recorded fixtures: run scripts/record-fixtures.sh (as root) to write test/fixtures/heartbeat/';
const packets: ManifestPacket[] = missing
  ? []
  : (JSON.parse(readFileSync(manifestPath, 'utf8')) as { packets: ManifestPacket[] }).packets;

function authOf(p: ManifestPacket): AuthConfig {
  const { method, keyIndex, secret } = p.auth;
  return {
    file: 'manifest',
    activeIndex: keyIndex,
    keys: new Map([[keyIndex, { index: keyIndex, method, secret: secret ?? '' }]]),
  };
}

function load(p: ManifestPacket): Buffer {
  return readFileSync(join(FIXTURE_DIR, p.file));
}

/** Manifest fields that copy a message field's string value. */
const COPIED = [
  'dest',
  'seq',
  'st',
  'info',
  'rsc_hold',
  'rtype',
  'isstable',
  'result',
  'node',
  'ackseq',
  'firstseq',
  'lastseq',
  'ipaddr',
  'weown',
  'ok',
  'nodelist',
  'dt',
];

void test('recorded fixtures cover the scenarios, methods and media', { skip: missing }, () => {
  const methods = new Set(packets.map((p) => p.auth.method));
  assert.deepEqual([...methods].sort(), ['crc', 'md5', 'sha1']);
  const transports = new Set(packets.map((p) => p.transport));
  assert.deepEqual([...transports].sort(), ['serial', 'udp']);
  for (const transport of ['serial', 'udp']) {
    const onIt = new Set(packets.filter((p) => p.transport === transport).map((p) => p.auth.method));
    assert.deepEqual([...onIt].sort(), ['crc', 'md5', 'sha1'], `auth methods recorded over ${transport}`);
  }
  const types = new Set(packets.map((p) => p.t));
  const scenarios = new Set(packets.map((p) => p.scenario));
  for (const sc of ['startup', 'failover', 'standby', 'takeover', 'shutdown', 'rexmit']) {
    assert.ok(scenarios.has(sc), `no recorded '${sc}' scenario`);
  }
  for (const t of [
    'status',
    'NS_ackmsg',
    'NS_rexmit',
    'starting',
    'resource',
    'ask_resources',
    'hb_takeover',
    'shutdone',
    'reqnodes',
    'repnodes',
    'ip-request-resp',
  ]) {
    assert.ok(types.has(t), `no recorded '${t}' message (types: ${[...types].sort().join(' ')})`);
  }
  assert.ok(packets.some((p) => p.encoding === 'classic'));
  assert.ok(
    packets.some((p) => !p.innerAuth),
    'a msgfmt netstring packet (no inner auth field)',
  );
});

void test(
  'every fixture decodes to its recorded fields, verifies, and re-encodes to the same bytes',
  { skip: missing },
  () => {
    assert.ok(packets.length > 0);
    for (const p of packets) {
      const bytes = load(p);
      const d = decodePacket(bytes);
      assert.ok(d.ok, `${p.file}: ${JSON.stringify(d)}`);
      assert.equal(d.encoding, p.encoding, p.file);
      const msg = d.message;
      assert.equal(getString(msg, 't'), p.t, p.file);
      if (p.src !== null) assert.equal(getString(msg, 'src'), p.src, p.file);
      for (const name of COPIED) {
        if (typeof p[name] === 'string') assert.equal(getString(msg, name), p[name], `${p.file}: ${name}`);
      }
      assert.equal(
        msg.fields.some((f) => f.name === 'auth'),
        p.innerAuth,
        `${p.file}: inner auth field`,
      );
      const auth = new Authenticator(authOf(p));
      assert.deepEqual(auth.verify(d, bytes), { ok: true, keyIndex: p.auth.keyIndex }, p.file);
      if (p.innerAuth) assert.ok(auth.verifyInner(msg).ok, `${p.file}: inner auth`);
      if (d.encoding === 'netstring') {
        const t = d.trailer;
        assert.ok(t, p.file);
        const again = Buffer.concat([
          encodeNetstringBody(msg),
          Buffer.from(trailerText(t.index, t.digest), 'latin1'),
        ]);
        assert.ok(again.equals(bytes), `${p.file}: re-encoding differs`);
        assert.ok(auth.signNetstring(msg).equals(bytes), `${p.file}: re-signing differs`);
        // what a serial writer makes of it (classic form) still verifies by its inner field
        if (p.innerAuth) {
          const classic = encodeClassic(msg);
          const dc = decodePacket(classic);
          assert.ok(dc.ok && auth.verify(dc, classic).ok, `${p.file}: classic form`);
        }
      } else {
        assert.ok(encodeClassic(msg).equals(bytes), `${p.file}: classic re-encoding differs`);
      }
      // a wrong key never verifies
      const wrong = new Authenticator({
        file: 'x',
        activeIndex: p.auth.keyIndex,
        keys: new Map([
          [
            p.auth.keyIndex,
            { index: p.auth.keyIndex, method: p.auth.method === 'sha1' ? 'md5' : 'sha1', secret: 'wrong' },
          ],
        ]),
      });
      assert.equal(wrong.verify(d, bytes).ok, false, p.file);
    }
  },
);

/**
 * Standard fields the endpoint adds; everything before the first of them is what the caller passes
 * (a `src` there stays in place, as Heartbeat's API messages have it mid-message).
 */
const STAMPED = new Set(['destuuid', 'srcuuid', 'seq', 'hg', 'ts', 'ld', 'ttl', 'auth']);

void test('our endpoint builds byte-identical packets from the same inputs', { skip: missing }, (t) => {
  let reproduced = 0;
  let candidates = 0;
  for (const p of packets) {
    if (p.encoding !== 'netstring' || p.src === null || p.t === 'NS_st') continue;
    const d = decodePacket(load(p));
    assert.ok(d.ok);
    const msg = d.message;
    const src = getString(msg, 'src') ?? '';
    const uuid = getBinary(msg, 'srcuuid');
    const hg = getString(msg, 'hg');
    const ts = getString(msg, 'ts');
    const ttl = getString(msg, 'ttl');
    if (uuid === undefined || hg === undefined || ts === undefined || ttl === undefined) continue;
    const own: Field[] = [];
    for (const f of msg.fields) {
      if (STAMPED.has(f.name)) break;
      own.push(f);
    }
    const dest = getString(msg, 'dest');
    const destuuid = getBinary(msg, 'destuuid');
    candidates++;
    const ep = createEndpoint({
      self: src as NodeName,
      uuid,
      generation: parseInt(hg, 16),
      auth: authOf(p),
      innerAuth: p.innerAuth,
      knownNodes: [src, dest ?? src] as NodeName[],
      pingNodes: [],
      ttl: Number(ttl),
      maxRexmitDelayMs: 250,
      random: seededRandom(1),
    });
    // teach the endpoint the destination's uuid with a packet of that node from the same run
    if (dest !== undefined && destuuid !== undefined && dest !== src) {
      const teacher = packets.find(
        (q) => q.run === p.run && q.src === dest && q.encoding === 'netstring' && q.t !== 'NS_st',
      );
      if (teacher === undefined) continue;
      const tr = ep.receive(load(teacher), 'bcast:eth0' as MediumId, 0);
      assert.notEqual(tr.received.kind, 'rejected', `${teacher.file} as teacher`);
    }
    const seq = getString(msg, 'seq');
    if (seq !== undefined)
      for (let i = 1; i < parseInt(seq, 16); i++)
        ep.send([{ name: 't', type: 'string', value: 'x' }], 0, { wallMs: 0 });
    const ld = getString(msg, 'ld');
    const out = ep.send(own, 0, {
      wallMs: parseInt(ts, 16) * 1000,
      ...(ld === undefined ? {} : { loadAvg: ld }),
      ...(dest === undefined ? {} : { dest: dest as NodeName }),
    });
    assert.ok(Buffer.from(out).equals(load(p)), `${p.file}: endpoint built different bytes`);
    reproduced++;
  }
  t.diagnostic(
    `endpoint.send reproduced ${reproduced} of ${candidates} recorded netstring packets byte for byte`,
  );
  assert.ok(candidates > 0 && reproduced >= candidates * 0.9, `reproduced ${reproduced} of ${candidates}`);
});

void test('an observer endpoint accepts every recorded run without a rejection', { skip: missing }, (t) => {
  const runs = new Set(packets.map((p) => p.run));
  for (const run of runs) {
    const inRun = packets.filter((p) => p.run === run);
    const first = inRun[0] as ManifestPacket;
    const nodes = [
      ...new Set(inRun.map((p) => p.src).filter((s): s is string => s !== null && !/^\d/.test(s))),
    ];
    const pings = [
      ...new Set(inRun.map((p) => p.src).filter((s): s is string => s !== null && /^\d/.test(s))),
    ];
    const ep = createEndpoint({
      self: 'observer' as NodeName,
      uuid: new Uint8Array(16),
      generation: 1,
      auth: authOf(first),
      innerAuth: true,
      knownNodes: nodes as NodeName[],
      pingNodes: pings,
      ttl: 3,
      maxRexmitDelayMs: 250,
      random: seededRandom(2),
    });
    for (const p of inRun) {
      const r = ep.receive(load(p), 'bcast:eth0' as MediumId, 0);
      // seq-jump: a restart seen by an observer that never declares the peer dead is held for
      // one packet (the next one confirms it).
      const hard =
        r.received.kind === 'rejected' && !['old-seq', 'replay', 'seq-jump'].includes(r.received.reason);
      assert.ok(!hard, `${p.file}: ${JSON.stringify(r.received)}`);
    }
    const c = ep.counters();
    assert.ok(c.received === inRun.length);
    t.diagnostic(
      `${run}: ${inRun.length} packets, ${c.duplicates} duplicates, rejected ${JSON.stringify(c.rejected)}`,
    );
  }
});

void test(
  'hbts msg: decode -> JSON -> encode gives back every fixture’s exact bytes',
  { skip: missing },
  () => {
    for (const p of packets) {
      const bytes = load(p);
      const auth = new Authenticator(authOf(p));
      const { report, exitCode } = decodeReport(bytes, auth);
      assert.equal(exitCode, 0, p.file);
      assert.equal(report['auth'], 'ok', p.file);
      assert.equal(report['encoding'], p.encoding, p.file);
      // through real JSON text, as between the two commands
      const again = encodeFromJson(JSON.parse(JSON.stringify(report)), auth, p.encoding === 'classic');
      assert.ok(Buffer.isBuffer(again), `${p.file}: ${JSON.stringify(again)}`);
      assert.ok(again.equals(bytes), `${p.file}: encode gave different bytes`);
    }
  },
);

void test(
  'hbts msg as a command: one fixture per method and medium round-trips through two processes',
  { skip: missing },
  () => {
    const main = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'hbts-golden-'));
    try {
      const seen = new Set<string>();
      for (const p of packets) {
        const kindKey = `${p.auth.method}/${p.transport}/${p.innerAuth}`;
        if (seen.has(kindKey)) continue;
        seen.add(kindKey);
        const keys = join(dir, `authkeys-${seen.size}`);
        const { method, keyIndex, secret } = p.auth;
        writeFileSync(
          keys,
          `auth ${keyIndex}\n${keyIndex} ${method}${secret === null ? '' : ` ${secret}`}\n`,
          { mode: 0o600 },
        );
        const bytes = load(p);
        const dec = spawnSync(process.execPath, [main, 'msg', 'decode', '--authkeys', keys], {
          input: bytes,
          timeout: 20_000,
        });
        assert.equal(dec.status, 0, `${p.file}: ${dec.stderr.toString()}`);
        const args = [
          'msg',
          'encode',
          '--authkeys',
          keys,
          ...(p.encoding === 'classic' ? ['--classic'] : []),
        ];
        const enc = spawnSync(process.execPath, [main, ...args], { input: dec.stdout, timeout: 20_000 });
        assert.equal(enc.status, 0, `${p.file}: ${enc.stderr.toString()}`);
        assert.ok(enc.stdout.equals(bytes), `${p.file}: command round trip differs`);
      }
      assert.ok(seen.size >= 5, `kinds covered: ${[...seen].join(' ')}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
