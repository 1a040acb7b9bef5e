// `hbts reload` against a real supervised daemon on loopback (no root): a group added to
// haresources starts without a restart and the running one is never stopped, the supervisor
// follows the committed configuration, and a broken file is refused with its file:line while
// everything keeps running.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hbtsMain } from '../../../src/lab/dist-paths.js';
import { cleanup, daemonPid, exited, loopbackNode, read, startHbts, waitFor } from './loopback-node.js';

void describe('hbts reload (real daemon, loopback)', () => {
  void it('adds a group live, keeps the running one, refuses a broken ha.cf', async () => {
    const n = loopbackNode();
    const procs: (ChildProcess | number | undefined)[] = [];
    const reload = (): { code: number | null; out: string; err: string } => {
      const r = spawnSync(process.execPath, [hbtsMain, 'reload', '--run-dir', n.runDir], {
        encoding: 'utf8',
        timeout: 15000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    try {
      const sup = startHbts(n);
      procs.push(sup);
      await waitFor(
        'the group to run',
        () => /supervisor: daemon running/.test(read(n.logFile)) && read(n.journal) !== '',
      );
      procs.push(daemonPid(n));
      await waitFor('the node to be stable', () => /acquire done group=marker/.test(read(n.logFile)));
      // a second group, with its own script
      const script2 = join(n.configDir, 'resource.d', 'marker2');
      writeFileSync(
        script2,
        `#!/bin/sh\ncase "$1" in\n  start) touch "${n.dir}/marker2.running"; exit 0 ;;\n  stop) rm -f "${n.dir}/marker2.running"; exit 0 ;;\n  status) if [ -e "${n.dir}/marker2.running" ]; then echo running; else echo stopped; fi; exit 0 ;;\nesac\nexit 0\n`,
      );
      chmodSync(script2, 0o755);
      writeFileSync(join(n.configDir, 'haresources'), 'a marker\na marker2\n');
      const r = reload();
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /reload applied:\n {2}group added: marker2/);
      await waitFor('marker2 to start', () => /acquire done group=marker2/.test(read(n.logFile)));
      await waitFor('the supervisor to follow', () =>
        /supervisor: follows the reloaded configuration groups=2/.test(read(n.logFile)),
      );
      assert.deepEqual(
        read(n.journal)
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ')[0]),
        ['start'],
        'the unchanged group was never stopped',
      );

      const haCf = join(n.configDir, 'ha.cf');
      writeFileSync(haCf, `${readFileSync(haCf, 'utf8')}no_such_directive 1\n`);
      const bad = reload();
      assert.equal(bad.code, 1);
      assert.match(
        bad.err,
        /reload refused, the running configuration keeps running:\n {2}.*ha\.cf:\d+: unknown directive/,
      );
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(sup.exitCode, null, 'still running');
      assert.equal(
        (read(n.logFile).match(/supervisor: follows the reloaded/g) ?? []).length,
        1,
        'a refused reload is not followed',
      );

      sup.kill('SIGTERM');
      assert.deepEqual(await exited(sup), { code: 0, signal: null });
      assert.match(read(n.logFile), /release done group=marker2/);
    } finally {
      cleanup(n, procs);
    }
  });
});
