// hb_generation is read and incremented as an exact integer, whatever its size.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MAX_WIRE_GENERATION, nextGeneration } from '../../../src/daemon/generation-counter.js';
import { StateDir } from '../../../src/daemon/state-dir.js';

void describe('hb_generation', () => {
  void it('increments exactly past 2^53 and past 1e23, written in full digits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-gen-'));
    try {
      const file = join(dir, 'hb_generation');
      const state = new StateDir(dir);
      for (const [before, after] of [
        ['9007199254740992', '9007199254740993'],
        ['99999999999999999999999', '100000000000000000000000'],
        ['100000000000000000000000', '100000000000000000000001'],
      ] as const) {
        writeFileSync(file, `${before}\n`);
        const id = state.openIdentity();
        assert.equal(readFileSync(file, 'utf8'), `${after.padStart(15, ' ')}\n`);
        assert.equal(id.generation, MAX_WIRE_GENERATION);
      }
      // and again: still a number the next start reads
      state.openIdentity();
      assert.equal(readFileSync(file, 'utf8'), '100000000000000000000002\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it("keeps Heartbeat's 16-byte format and the wire value for ordinary counters", () => {
    assert.deepEqual(nextGeneration(undefined, 'f'), {
      fileText: '              1\n',
      generation: 1,
      exact: '1',
    });
    const n = nextGeneration('     1795611201\n', 'f');
    assert.equal(n.fileText, '     1795611202\n');
    assert.equal(n.generation, 1795611202);
    assert.equal(nextGeneration(String(MAX_WIRE_GENERATION - 1), 'f').generation, MAX_WIRE_GENERATION);
  });

  void it('reads back what the old code wrote for large values ("1e+23")', () => {
    assert.equal(nextGeneration('1e+23\n', 'f').exact, '100000000000000000000001');
    assert.equal(nextGeneration('1.5e+22', 'f').exact, '15000000000000000000001');
  });

  void it('refuses only what is not a number, saying how to fix it', () => {
    assert.throws(
      () => nextGeneration('twelve', '/var/lib/hbts/hb_generation'),
      (e: Error) => {
        assert.match(e.message, /^\/var\/lib\/hbts\/hb_generation: not a number: "twelve"/);
        assert.match(e.message, /date \+%s > \/var\/lib\/hbts\/hb_generation/);
        assert.match(e.message, /delete the file/);
        return true;
      },
    );
    assert.throws(() => nextGeneration('-5', 'f'), /not a number/);
    assert.throws(
      () => nextGeneration('\u001b[2J', 'f'),
      (e: Error) => !e.message.includes('\u001b'),
    );
  });
});
