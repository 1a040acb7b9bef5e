// Whatever the files contain, the parsers return issues and never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveConfigFromText } from '../../../src/config/resolve-config.js';
import { DIRECTIVE_NAMES } from '../../../src/config/ha-cf-directives.js';

const token = fc.oneof(
  fc.constantFrom(
    'eth0',
    '1',
    '0',
    '2s',
    '500ms',
    '239.0.0.1',
    '198.18.0.1',
    'on',
    'legacy',
    '*',
    '::',
    '\\',
    '#',
    ',',
    '/dev/ttyS0',
  ),
  fc.string({ maxLength: 8 }),
);
const line = fc
  .tuple(
    fc.oneof(fc.constantFrom(...DIRECTIVE_NAMES), fc.string({ maxLength: 6 })),
    fc.array(token, { maxLength: 6 }),
    fc.constantFrom(' ', '\t', ',', ' \\\n'),
  )
  .map(([d, ts, sep]) => [d, ...ts].join(sep));
const file = fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n'));

void test('random ha.cf, authkeys and haresources never make the resolver throw', () => {
  fc.assert(
    fc.property(
      file,
      fc.string({ maxLength: 60 }),
      fc.string({ maxLength: 80 }),
      fc.nat(0o777),
      (haCf, authkeys, haresources, mode) => {
        const r = resolveConfigFromText({ haCf, authkeys, haresources, authkeysMode: mode }, 'node1');
        assert.ok(Array.isArray(r.issues));
        assert.ok(r.config === undefined || r.issues.every((i) => i.severity === 'warning'));
        for (const i of r.issues) assert.ok(i.line >= 0 && i.message.length > 0);
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});
