import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

void test('hbts sim prints a per-scenario summary and exits 0 when every seed passes', () => {
  const out = execFileSync(process.execPath, [main, 'sim', '--scenario', 'liveness', '--seeds', '3'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.match(out, /^liveness: 3 seeds, 0 violations, 0 failing seeds; .* s CPU$/m);
  assert.match(out, /false deaths: \d+ in \d+ received heartbeats/);
});

void test('hbts sim false-death prints measured and predicted rates', () => {
  const out = execFileSync(process.execPath, [main, 'sim', '--scenario', 'false-death', '--seeds', '2'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.match(out, /measured \d+\.\d+ per 1000 heartbeats; predicted 58\.50 per 1000/);
});

void test('hbts sim --seed N --trace replays one run with its trace', () => {
  const out = execFileSync(
    process.execPath,
    [main, 'sim', '--scenario', 'random', '--seed', '7', '--trace'],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.match(out, /--- random seed 7 ---/);
  assert.match(out, /node1 starts \(generation \d+\)/);
  assert.match(out, /comm-up/);
});

void test('hbts sim rejects bad arguments with exit code 2 and a reason', () => {
  const r = spawnSync(process.execPath, [main, 'sim', '--nodes', '17'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--nodes must be between 2 and 16/);
});
