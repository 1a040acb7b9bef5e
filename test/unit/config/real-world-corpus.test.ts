// The real-world corpus (test/fixtures/real-world) without root: each case's files through the
// config parsers must give the verdict its about.txt records for hbts, apart from the facts of the
// host (a case whose about.txt names a `host fact` is refused only by those, so its files alone
// must pass). test/interop/corpus-verdicts.test.ts gives the same cases to real Heartbeat 3.0.6.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfigFromText } from '../../../src/config/resolve-config.js';
import { formatIssue } from '../../../src/config/config-issues.js';
import { loadCorpus } from '../../interop/corpus.js';

const cases = loadCorpus();

function read(dir: string, name: string, encoding: 'utf8' | 'latin1' = 'utf8'): string | undefined {
  const p = join(dir, name);
  return existsSync(p) ? readFileSync(p, encoding) : undefined;
}

void test('the corpus holds at least 25 cases', () => {
  assert.ok(cases.length >= 25, `${cases.length}`);
});

for (const c of cases) {
  void test(`corpus ${c.name}: the files alone give hbts's recorded verdict`, () => {
    const r = resolveConfigFromText(
      {
        haCf: read(c.dir, 'ha.cf') ?? '',
        authkeys: read(c.dir, 'authkeys', 'latin1'),
        haresources: read(c.dir, 'haresources'),
        authkeysMode: statSync(join(c.dir, 'authkeys')).mode & 0o600,
      },
      c.runAs,
    );
    const errors = r.issues.filter((i) => i.severity === 'error').map(formatIssue);
    const hostFact = c.about.get('host fact') !== undefined;
    const expected = hostFact ? 'runs' : c.hbts;
    assert.equal(errors.length === 0 ? 'runs' : 'refuses', expected, errors.join('\n'));
    if (hostFact) assert.equal(c.hbts, 'refuses', 'a host fact is named only to explain a refusal');
  });
}
