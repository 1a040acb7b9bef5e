// contrib/logrotate/heartbeat-ts, run by the real logrotate against a running daemon's log file:
// after the rotation the daemon's next lines start a fresh file, and no line is lost or cut.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { distRoot } from '../../../src/lab/dist-paths.js';
import { cleanup, loopbackNode, read, startHbts, waitFor } from '../daemon/loopback-node.js';

const snippet = readFileSync(join(distRoot, '..', 'contrib', 'logrotate', 'heartbeat-ts'), 'utf8');
const skip =
  spawnSync('logrotate', ['--version'], { timeout: 10000 }).status === 0
    ? false
    : 'logrotate not installed (Debian package logrotate)';

void it(
  'logrotate rotates a running daemon log: new lines go to the new file, none lost',
  { skip },
  async () => {
    const n = loopbackNode();
    let d: ChildProcess | undefined;
    try {
      const conf = join(n.dir, 'logrotate.conf');
      // the snippet as shipped, pointed at this node's log file, uncompressed so it can be read back
      const text = snippet
        .replace('/var/log/heartbeat-ts/ha-log /var/log/heartbeat-ts/ha-debug', n.logFile)
        .replace(/^\s*(compress|delaycompress)\n/gm, '');
      assert.notEqual(text, snippet);
      writeFileSync(conf, text);
      d = startHbts(n, ['--no-supervise']);
      await waitFor('the group running', () => /acquired group=marker/.test(read(n.logFile)));
      // SIGHUP: a reload, which logs one line
      const reload = (): void => void d?.kill('SIGHUP');
      reload();
      await waitFor('the reload logged', () => /reload applied/.test(read(n.logFile)));
      const before = read(n.logFile);
      const r = spawnSync('logrotate', ['-s', join(n.dir, 'logrotate.state'), '-f', conf], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(read(`${n.logFile}.1`), before, 'the rotated file holds everything written before');
      assert.equal(read(n.logFile), '', 'nocreate: the daemon makes the new file');
      reload();
      await waitFor('a line in the new file', () => /reload applied/.test(read(n.logFile)));
      assert.match(
        read(n.logFile),
        /^\S+ a hbts\[\d+\]: info: (note text="reload applied|reload applied )/,
        'a whole first line',
      );
      assert.equal(read(`${n.logFile}.1`), before, 'nothing more went to the old file');
    } finally {
      cleanup(n, [d]);
    }
  },
);
