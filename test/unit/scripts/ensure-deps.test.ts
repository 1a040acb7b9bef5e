// scripts/ensure-deps.mjs (run first by `npm start` and `npm test`): when node_modules must be
// (re)installed. A fresh clone, a missing package, a changed version; a match needs nothing; a
// symlinked node_modules is never reinstalled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../../scripts/ensure-deps.mjs', import.meta.url));

interface Ensure {
  staleReason(root: string): string | undefined;
}

const lock = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'x' },
    'node_modules/a': { version: '1.0.0' },
    'node_modules/a/node_modules/b': { version: '2.0.0' },
    'node_modules/fsevents': { version: '2.3.3', optional: true },
  },
};

void test('install when missing or different, not when it matches', async () => {
  const { staleReason } = (await import(SCRIPT)) as Ensure;
  const root = mkdtempSync(join(tmpdir(), 'hbts-deps-'));
  try {
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    assert.equal(staleReason(root), 'node_modules is missing');
    mkdirSync(join(root, 'node_modules'));
    assert.equal(staleReason(root), 'node_modules has no record of an npm install');
    const installed = (packages: Record<string, unknown>): void =>
      writeFileSync(join(root, 'node_modules', '.package-lock.json'), JSON.stringify({ packages }));
    installed({ 'node_modules/a': { version: '1.0.0' } });
    assert.equal(staleReason(root), 'b is not installed');
    installed({
      'node_modules/a': { version: '1.0.1' },
      'node_modules/a/node_modules/b': { version: '2.0.0' },
    });
    assert.equal(staleReason(root), 'a is 1.0.1, the lockfile wants 1.0.0');
    installed({
      'node_modules/a': { version: '1.0.0' },
      'node_modules/a/node_modules/b': { version: '2.0.0' },
    });
    assert.equal(
      staleReason(root),
      undefined,
      'matches; the optional package of another platform may be absent',
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

void test('a symlinked node_modules is reported, never reinstalled', () => {
  const root = mkdtempSync(join(tmpdir(), 'hbts-deps-'));
  try {
    mkdirSync(join(root, 'scripts'));
    copyFileSync(SCRIPT, join(root, 'scripts', 'ensure-deps.mjs'));
    writeFileSync(join(root, 'package-lock.json'), JSON.stringify(lock));
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'node_modules'));
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-deps.mjs')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, npm_execpath: '/nonexistent/npm-cli.js' },
    });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /node_modules is a symlink: not reinstalling it/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
