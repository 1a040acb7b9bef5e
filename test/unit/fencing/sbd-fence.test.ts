// `fence <node> sbd` through Debian's own `sbd` tool on a loop device (root, sbd and losetup
// needed): the poison pill lands in the node's slot as `sbd list` shows it, sbd waits msgwait
// before the fence counts as done, and a node without a slot cannot be fenced this way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeName } from '../../../src/config/types.js';
import { createFenceRunner } from '../../../src/fencing/fence-runner.js';
import { resolveConfigFromText } from '../../../src/config/resolve-config.js';
import { texts } from '../config/config-fixtures.js';

const skip =
  process.getuid?.() !== 0
    ? 'needs root (a loop device)'
    : !existsSync('/usr/sbin/sbd')
      ? 'sbd is not installed (apt-get install sbd)'
      : false;

void test(
  'fence node2 sbd: off written into the slot after msgwait; status reads the slot',
  { skip },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-sbd-'));
    const image = join(dir, 'disk.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
    try {
      const sbd = (...args: string[]): string =>
        execFileSync('sbd', ['-d', loop, ...args], { encoding: 'utf8' });
      sbd('-1', '1', '-4', '2', 'create'); // watchdog 1 s, msgwait 2 s
      sbd('allocate', 'node2');
      const t = texts();
      const r = resolveConfigFromText(
        { ...t, hbtsCf: `disk_lock ${loop}\nfence node2 sbd\nfence node1 sbd\nfence_timeout 10\n` },
        'node1',
      );
      assert.ok(r.config !== undefined);
      const runner = createFenceRunner({ config: r.config, self: 'node1' as NodeName, log: () => undefined });
      const started = performance.now();
      const out = await runner.fence('node2' as NodeName, 'off');
      const took = performance.now() - started;
      assert.equal(out.ok, true, out.detail);
      assert.equal(out.method, `sbd on ${loop} (hbts.cf:2)`);
      assert.ok(took >= 1900, `sbd waited msgwait (2 s), took ${took} ms`);
      assert.match(sbd('list'), /node2\s+off/);
      const status = await runner.fence('node2' as NodeName, 'status');
      assert.match(status.detail, /node2's slot holds 'off'/);
      const noSlot = await runner.fence('node1' as NodeName, 'off');
      assert.equal(noSlot.ok, false);
      assert.match(noSlot.detail, /sbd -d .* message node1 off: exit 1/);
    } finally {
      execFileSync('losetup', ['-d', loop]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
