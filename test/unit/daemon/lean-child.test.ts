// lean-child: the Node flags and environment the supervisor starts the daemon with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARENA_MARK, forgetLeanEnv, leanChildEnv, leanNodeArgs } from '../../../src/daemon/lean-child.js';

void describe('lean-child', () => {
  void it('adds 1 MB semi-spaces after the supervisor own flags, unless the operator set them', () => {
    assert.deepEqual(leanNodeArgs([], undefined), ['--max-semi-space-size=1']);
    assert.deepEqual(leanNodeArgs(['--enable-source-maps'], ''), [
      '--enable-source-maps',
      '--max-semi-space-size=1',
    ]);
    assert.deepEqual(leanNodeArgs(['--max-semi-space-size=8'], undefined), ['--max-semi-space-size=8']);
    assert.deepEqual(leanNodeArgs([], '--max-semi-space-size=4 --trace-gc'), []);
    assert.deepEqual(leanNodeArgs(['--max_semi_space_size=2'], undefined), ['--max_semi_space_size=2']);
  });

  void it('gives the child one malloc arena and marks it, unless MALLOC_ARENA_MAX was set', () => {
    const env = leanChildEnv({ PATH: '/bin' });
    assert.equal(env['MALLOC_ARENA_MAX'], '1');
    assert.equal(env[ARENA_MARK], '1');
    assert.equal(env['PATH'], '/bin');
    const own = leanChildEnv({ MALLOC_ARENA_MAX: '4' });
    assert.equal(own['MALLOC_ARENA_MAX'], '4');
    assert.equal(own[ARENA_MARK], undefined);
  });

  void it('the child forgets only what the supervisor added, so its own children do not inherit it', () => {
    const added: NodeJS.ProcessEnv = { ...leanChildEnv({ PATH: '/bin' }) };
    forgetLeanEnv(added);
    assert.deepEqual(added, { PATH: '/bin' });
    const operator: NodeJS.ProcessEnv = { ...leanChildEnv({ MALLOC_ARENA_MAX: '2' }) };
    forgetLeanEnv(operator);
    assert.deepEqual(operator, { MALLOC_ARENA_MAX: '2' });
  });
});
