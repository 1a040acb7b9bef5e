// Golden scenario scripts (test/golden/*.txt): every story's commands run on the simulator and
// must print exactly the expected output recorded under them. On a difference the test fails with
// a unified-style diff per block, naming the story file, line and command.
// GOLDEN_REWRITE=1 (or `npm run golden -- --rewrite`) writes the actual output instead, for review.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { checkGolden } from '../../src/sim/golden-runner.js';
import {
  directives,
  GoldenSyntaxError,
  lineDiff,
  parseGolden,
  renderGolden,
} from '../../src/sim/golden-script.js';

const dir = new URL('../../../test/golden/', import.meta.url);
const stories = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const read = (f: string): string => readFileSync(new URL(f, dir), 'utf8');
const rewrite = process.env['GOLDEN_REWRITE'] === '1';

void test('there are golden stories to run', () => {
  assert.ok(stories.length >= 10, `only ${stories.length} stories in test/golden`);
});

for (const f of stories) {
  void test(`golden story ${f}`, () => {
    const text = read(f);
    const result = checkGolden(text, `test/golden/${f}`);
    if (rewrite) {
      if (result.rewritten !== text) writeFileSync(new URL(f, dir), result.rewritten);
      return;
    }
    assert.equal(
      result.failures.length,
      0,
      `${result.failures.join('\n\n')}\n\n(review, then regenerate with: npm run golden -- --rewrite ${f})`,
    );
  });
}

void test('every story prints the same output when run twice (determinism)', () => {
  for (const f of stories) {
    const text = read(f);
    const a = checkGolden(text, f).rewritten;
    const b = checkGolden(text, f).rewritten;
    assert.equal(a, b, f);
  }
});

void test('rendering a parsed story with its own expected output gives the file back', () => {
  for (const f of stories) {
    const text = read(f);
    const items = parseGolden(text, f);
    assert.equal(
      renderGolden(
        items,
        directives(items).map((d) => d.expected),
      ),
      text,
      f,
    );
  }
});

void test('one changed expected line fails with a diff naming the story, the command and both lines', () => {
  const f = '03-crash-failover.txt';
  const text = read(f);
  const good = '1551ms node2 acquired group=web: group web is running here';
  assert.ok(text.includes(`${good}\n`), `${f} no longer contains the line this test alters`);
  const bad = '1551ms node2 acquired group=web: group web is running here (altered)';
  const result = checkGolden(text.replace(good, bad), `test/golden/${f}`);
  assert.equal(result.failures.length, 1, result.failures.join('\n\n'));
  const report = result.failures[0] ?? '';
  // The command whose block holds the line: the nearest line above it followed by `----`.
  const lines = text.split('\n');
  let cmd = lines.indexOf(good);
  while (cmd > 0 && lines[cmd + 1] !== '----') cmd--;
  const cmdLine = cmd + 1;
  assert.match(
    report,
    new RegExp(`^test/golden/${f}:${cmdLine}: advance 1s\n--- expected\n\\+\\+\\+ actual\n@@ `),
  );
  assert.ok(report.includes(`\n-${bad}\n+${good}`), report);
  assert.ok(report.includes('\n 1551ms node2 < acquire web: ok\n'), `context lines missing:\n${report}`);
  // The rewrite restores the file exactly.
  assert.equal(result.rewritten, text);
});

void test('lineDiff: hunks with context, - for expected only, + for actual only', () => {
  assert.deepEqual(lineDiff(['a', 'b'], ['a', 'b']), []);
  assert.deepEqual(lineDiff(['a', 'b', 'c'], ['a', 'x', 'c'], 1), [
    '@@ -1,3 +1,3 @@',
    ' a',
    '-b',
    '+x',
    ' c',
  ]);
  assert.deepEqual(lineDiff([], ['new']), ['@@ -0,0 +1,1 @@', '+new']);
  const long = Array.from({ length: 20 }, (_, i) => `l${i}`);
  const changed = long.map((l, i) => (i === 2 || i === 17 ? `${l}!` : l));
  const d = lineDiff(long, changed, 2);
  assert.equal(d.filter((l) => l.startsWith('@@')).length, 2, d.join('\n'));
});

void test('bad scripts fail with file:line and what is wrong', () => {
  const bad = (text: string, pattern: RegExp): void => {
    assert.throws(
      () => checkGolden(text, 'x.txt'),
      (err: unknown) => {
        assert.ok(err instanceof GoldenSyntaxError, String(err));
        assert.match(err.message, pattern);
        return true;
      },
    );
  };
  bad('config nodes=2\nstart all\n', /^x\.txt:1: expected a '----' line after the command 'config nodes=2'/);
  bad('start all\n----\n\n', /^x\.txt:1: start all: the first command must be config/);
  bad('config nodes=2\n----\n\nfrobnicate\n----\n', /^x\.txt:4: frobnicate: unknown command 'frobnicate'/);
  bad('config nodes=2 colour=red\n----\n', /^x\.txt:1: .*unknown config key 'colour'/);
  bad('config groups=node9:web\n----\n', /^x\.txt:1: .*groups: 'node9:web' is not home:name/);
  bad('config\n----\n\nadvance 10 parsecs\n----\n', /^x\.txt:4: .*usage: advance <duration>/);
  bad('config\n----\n\nadvance 1h\n----\n', /^x\.txt:4: .*'1h' is not a duration/);
  bad('config\n----\n\ncrash node7\n----\n', /^x\.txt:4: .*no node 'node7'/);
  bad('config\n----\n\nstandby node1 some\n----\n', /^x\.txt:4: .*the set is all, local or foreign/);
  bad('config nodes=3 heartbeat=node2\n----\n\nstart node2\n----\n', /^x\.txt:4: .*exactly 2 nodes/);
});
