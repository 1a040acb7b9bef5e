import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagArgs } from '../../../src/cli/flag-args.js';

/** Scan like the sub-commands do: flags that take a value ask for it, others do not. */
function scan(argv: readonly string[], withValue: readonly string[]): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  for (const a of flagArgs(argv)) out.push([a.flag, withValue.includes(a.flag) ? a.value() : a.inline]);
  return out;
}

void test('flagArgs: --flag=value and --flag value, a following flag is not a value', () => {
  assert.deepEqual(
    scan(['--config-dir=/etc/ha.d', '--node-name', 'a', '--json'], ['--config-dir', '--node-name']),
    [
      ['--config-dir', '/etc/ha.d'],
      ['--node-name', 'a'],
      ['--json', undefined],
    ],
  );
  assert.deepEqual(scan(['--node-name', '--json'], ['--node-name']), [
    ['--node-name', undefined],
    ['--json', undefined],
  ]);
  assert.deepEqual(scan(['--node-name'], ['--node-name']), [['--node-name', undefined]]);
  assert.deepEqual(scan(['--json=1', 'x=y', '-h'], []), [
    ['--json', '1'],
    ['x=y', undefined],
    ['-h', undefined],
  ]);
  assert.deepEqual(scan(['--a=', '--b=c=d'], []), [
    ['--a', ''],
    ['--b', 'c=d'],
  ]);
});
