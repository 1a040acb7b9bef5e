// `hbts demo --duration`: the embedded demo runs, fails over when its active node crashes, and
// leaves nothing behind (processes, namespaces, temp dirs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { hbtsMain, labSkipReason } from './lab.js';

function runDemo(mode: '--loopback' | '--netns'): { out: string; code: number | null } {
  const r = spawnSync(process.execPath, [hbtsMain, 'demo', mode, '--duration', '10', '--crash-after', '3'], {
    encoding: 'utf8',
    timeout: 40000,
  });
  return { out: `${r.stdout}${r.stderr}`, code: r.status };
}

const labDir = join(dirname(dirname(hbtsMain)), 'lab');

function childPids(): string {
  // processes started from the built demo files that outlived it (there must be none)
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps
    .split('\n')
    .filter((l) => l.includes(labDir) && /(demo-service|http-server|probe-client)\.js/.test(l))
    .join('\n');
}

void describe('hbts demo', () => {
  void it('loopback: the serving node crashes, another node takes over; everything is cleaned up', () => {
    const { out, code } = runDemo('--loopback');
    process.stdout.write(out.replace(/^/gm, '# '));
    assert.equal(code, 0, out);
    // start-up may briefly place the service elsewhere before it fails back to node1
    const crashed = /demo: crashing (node\d) now: kill -9 \d+/.exec(out)?.[1];
    assert.ok(crashed, out);
    const after = out.slice(out.indexOf('demo: crashing'));
    const survivor = /the service is answered by (node\d)/.exec(after)?.[1];
    assert.ok(
      survivor !== undefined && survivor !== crashed,
      `after crashing ${crashed}: ${survivor ?? 'nobody'}`,
    );
    assert.match(
      out,
      new RegExp(`demo summary: \\d+ probes, \\d+ answered, answers: .*${crashed} -> ${survivor}`),
    );
    assert.match(out, /demo: done/);
    assert.equal(childPids(), '');
  });

  void it('network namespaces: a real VIP moves after a crash', { skip: labSkipReason() ?? false }, () => {
    const { out, code } = runDemo('--netns');
    process.stdout.write(out.replace(/^/gm, '# '));
    assert.equal(code, 0, out);
    assert.match(out, /service: http:\/\/198\.18\.64\.200\//);
    const crashed = /demo: crashing (node\d) now/.exec(out)?.[1] ?? '?';
    assert.match(out, new RegExp(`answers: .*${crashed} -> node\\d`));
    const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(ns, /hbtsdemo/);
  });
});
