// The bearer token file: refused unless only its owner can read it, refused when short or not one
// word; the comparison matches the token exactly (any length, no prefix).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TokenCheck, readTokenFile } from '../../../src/api/api-token.js';
import { ApiStartError } from '../../../src/api/errors.js';

void test('readTokenFile: mode 600 and one long word only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-token-'));
  try {
    const f = join(dir, 'api.token');
    writeFileSync(f, 'abcdefghijklmnop0123\n');
    chmodSync(f, 0o600);
    assert.equal(readTokenFile(f), 'abcdefghijklmnop0123');
    for (const mode of [0o640, 0o604, 0o644]) {
      chmodSync(f, mode);
      assert.throws(
        () => readTokenFile(f),
        (e: unknown) =>
          e instanceof ApiStartError &&
          e.message ===
            `api_token_file ${f} is mode ${mode.toString(8)}: it holds the API's bearer token, so only its owner may read it: chmod 600 ${f}`,
      );
    }
    chmodSync(f, 0o600);
    for (const bad of ['short\n', 'two words here, long enough\n', '\n']) {
      writeFileSync(f, bad);
      assert.throws(() => readTokenFile(f), /must hold one token of at least 16 characters without spaces/);
    }
    assert.throws(() => readTokenFile(join(dir, 'missing')), /api_token_file .*missing: ENOENT/);
    mkdirSync(join(dir, 'd'));
    assert.throws(() => readTokenFile(join(dir, 'd')), /is not a regular file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('TokenCheck: the exact token only', () => {
  const t = new TokenCheck('abcdefghijklmnop0123');
  assert.equal(t.matches('abcdefghijklmnop0123'), true);
  for (const other of ['', 'abcdefghijklmnop012', 'abcdefghijklmnop01234', 'Abcdefghijklmnop0123'])
    assert.equal(t.matches(other), false, other);
});
