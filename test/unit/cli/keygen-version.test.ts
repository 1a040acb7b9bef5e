// hbts keygen writes an authkeys file our own parser accepts (mode 600, a fresh key each time,
// never over an existing file without --force); hbts --version prints package.json's version.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { parseAuthkeys } from '../../../src/config/parse-authkeys.js';
import { distRoot, hbtsMain } from '../../../src/lab/dist-paths.js';

const dir = mkdtempSync(join(tmpdir(), 'hbts-keygen-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hbts = (...args: string[]) => spawnSync(process.execPath, [hbtsMain, ...args], { encoding: 'utf8' });

void it('keygen: mode 600, parses, fresh key each time, refuses to overwrite without --force', () => {
  const file = join(dir, 'authkeys');
  const r = hbts('keygen', '--output', file);
  assert.equal(r.status, 0, r.stderr);
  const mode = statSync(file).mode & 0o777;
  assert.equal(mode, 0o600);
  const first = readFileSync(file, 'utf8');
  const parsed = parseAuthkeys(first, file, mode);
  assert.deepEqual(parsed.issues, []);
  assert.equal(parsed.auth?.activeIndex, 1);
  assert.equal(parsed.auth?.keys.get(1)?.method, 'sha1');
  assert.match(parsed.auth?.keys.get(1)?.secret ?? '', /^[0-9a-f]{64}$/);

  const again = hbts('keygen', '--output', file);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists; --force replaces it/);
  assert.equal(readFileSync(file, 'utf8'), first, 'untouched');

  const forced = hbts('keygen', '--output', file, '--force', '--method', 'sha256');
  assert.equal(forced.status, 0, forced.stderr);
  const second = parseAuthkeys(readFileSync(file, 'utf8'), file, statSync(file).mode);
  assert.equal(second.auth?.keys.get(1)?.method, 'sha256');
  assert.notEqual(second.auth?.keys.get(1)?.secret, parsed.auth?.keys.get(1)?.secret, 'a new key');
  assert.equal(statSync(file).mode & 0o777, 0o600);

  assert.equal(hbts('keygen', '--method', 'crc', '--output', join(dir, 'x')).status, 2);
  assert.equal(hbts('keygen', '--output', join(dir, 'no-such-dir', 'authkeys')).status, 1);
});

void it('hbts --version and hbts version print the package version', () => {
  const pkg = JSON.parse(readFileSync(join(distRoot, '..', 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V', 'version']) {
    const r = hbts(flag);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `heartbeat-ts ${pkg.version}\n`);
  }
});
