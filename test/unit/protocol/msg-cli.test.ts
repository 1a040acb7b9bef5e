import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePacket } from '../../../src/protocol/codec.js';
import { encodeClassic } from '../../../src/protocol/encode.js';
import { messageFromJson, messageToJson } from '../../../src/protocol/message-json.js';
import { STATUS, WALL, authConfig, endpoint, s } from './helpers.js';

const main = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

function hbts(args: string[], input: Uint8Array | string): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [main, 'msg', ...args], { input, timeout: 20_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

const dir = mkdtempSync(join(tmpdir(), 'hbts-msg-'));
const keys = join(dir, 'authkeys');
const otherKeys = join(dir, 'authkeys-other');
writeFileSync(keys, '# test key\nauth 1\n1 sha1 test-secret\n', { mode: 0o600 });
writeFileSync(otherKeys, 'auth 1\n1 sha1 another-secret\n', { mode: 0o600 });
const twoKeys = join(dir, 'authkeys-two');
writeFileSync(twoKeys, 'auth 1\n1 sha1 test-secret\n2 md5 rotated-secret\n', { mode: 0o600 });

void test.after(() => rmSync(dir, { recursive: true, force: true }));

const packet = Buffer.from(
  endpoint('node1', { auth: authConfig('sha1', 'test-secret') }).send(
    [...STATUS, s('note', 'bytes \u00e9\u00ff\n,%%%\n')],
    0,
    { wallMs: WALL, loadAvg: '0.03 0.13 0.07 1/119 12614' },
  ),
);

void test('decode prints the fields in wire order with the verdict; encode gives the same bytes', () => {
  const d = hbts(['decode', '--authkeys', keys], packet);
  assert.equal(d.code, 0, d.stderr);
  const json = JSON.parse(d.stdout.toString()) as {
    auth: string;
    encoding: string;
    fields: { name: string; type: string; value: string }[];
  };
  assert.equal(json.auth, 'ok');
  assert.equal(json.encoding, 'netstring');
  assert.deepEqual(
    json.fields.map((f) => f.name),
    ['t', 'st', 'dt', 'protocol', 'note', 'src', 'srcuuid', 'seq', 'hg', 'ts', 'ld', 'ttl', 'auth'],
  );
  assert.equal(json.fields.find((f) => f.name === 'srcuuid')?.type, 'binary');
  const e = hbts(['encode', '--authkeys', keys], d.stdout);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(e.stdout.equals(packet));
});

void test('classic form: decode and encode --classic round trip', () => {
  const decoded = decodePacket(packet);
  assert.ok(decoded.ok);
  const classic = encodeClassic(decoded.message);
  const d = hbts(['decode', '--authkeys', keys], classic);
  assert.equal(d.code, 0, d.stderr);
  assert.equal((JSON.parse(d.stdout.toString()) as { encoding: string }).encoding, 'classic');
  const e = hbts(['encode', '--authkeys', keys, '--classic'], d.stdout);
  assert.equal(e.code, 0, e.stderr);
  assert.ok(e.stdout.equals(classic));
});

void test('wrong key: auth bad with a reason, exit 1; without --authkeys: unchecked', () => {
  const d = hbts(['decode', '--authkeys', otherKeys], packet);
  assert.equal(d.code, 1);
  const json = JSON.parse(d.stdout.toString()) as { auth: string; reason: string };
  assert.equal(json.auth, 'bad');
  assert.match(json.reason, /^bad-auth/);
  const u = hbts(['decode'], packet);
  assert.equal(u.code, 0);
  assert.equal((JSON.parse(u.stdout.toString()) as { auth: string }).auth, 'unchecked');
});

void test('garbage and truncated packets: reason, exit 1; bad usage: exit 2', () => {
  const g = hbts(['decode'], Buffer.from('hello world'));
  assert.equal(g.code, 1);
  assert.match((JSON.parse(g.stdout.toString()) as { reason: string }).reason, /^malformed/);
  const t = hbts(['decode', '--authkeys', keys], packet.subarray(0, 100));
  assert.equal(t.code, 1);
  assert.equal(hbts(['frobnicate'], '').code, 2);
  assert.equal(hbts(['encode'], '{}').code, 2);
  const bad = hbts(
    ['encode', '--authkeys', keys],
    '{"fields":[{"name":"t","type":"binary","value":"not base64!"}]}',
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /base64/);
  assert.equal(hbts(['decode', '--authkeys', join(dir, 'missing')], packet).code, 2);
});

void test('JSON form round trip of nested types', () => {
  const msg = {
    fields: [
      s('t', 'x'),
      { name: 'b', type: 'binary' as const, value: Uint8Array.from([0, 255]) },
      { name: 'l', type: 'list' as const, value: ['a', 'b'] },
      { name: 'st', type: 'struct' as const, value: { fields: [s('k', 'v')] } },
    ],
  };
  assert.deepEqual(messageFromJson(JSON.parse(JSON.stringify(messageToJson(msg)))), msg);
  assert.ok('error' in messageFromJson([{ name: 'x', type: 'nope', value: '' }]));
  assert.ok('error' in messageFromJson('not an array'));
});

void test('encode --key N signs with another listed key; decode verifies it by the index it names', () => {
  const d = hbts(['decode'], packet);
  const e = hbts(['encode', '--authkeys', twoKeys, '--key', '2'], d.stdout);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout.toString('latin1'), /34:2 [0-9a-f]{32},$/);
  const v = hbts(['decode', '--authkeys', twoKeys], e.stdout);
  assert.equal(v.code, 0, v.stdout.toString());
  const auth = (JSON.parse(v.stdout.toString()) as { fields: { name: string; value: string }[] }).fields.find(
    (f) => f.name === 'auth',
  );
  assert.match(auth?.value ?? '', /^2 [0-9a-f]{32}$/);
  assert.equal(hbts(['encode', '--authkeys', twoKeys, '--key', '7'], d.stdout).code, 2);
});
