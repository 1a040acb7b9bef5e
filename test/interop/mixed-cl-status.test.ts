// cl_status on a mixed cluster: REAL Heartbeat 3.0.6's /usr/bin/cl_status on node1 and our
// cl_status bin on node2 are asked the same questions about the same cluster; words, -m sentences
// and exit codes must be the same. Then a crash failover each way: our answers follow the real
// state (`hbts status --json`, the real node's own cl_status) before and after.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distRoot } from '../../src/lab/dist-paths.js';
import type { ProbeClient } from '../lab/lab.js';
import { sleep } from '../lab/lab.js';
import type { Mixed } from './mixed-setup.js';
import {
  cleanupMixed,
  createMixed,
  mixedSkipReason,
  oursStatus,
  oursViewOf,
  poll,
  startMixed,
} from './mixed-setup.js';

const skip = mixedSkipReason();
const clStatusBin = join(distRoot, 'src', 'cli', 'heartbeat', 'cl-status.js');

interface Answer {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Real Heartbeat's cl_status, inside node1. */
function realCl(m: Mixed, args: readonly string[]): Answer {
  const r = m.real.exec('cl_status', args, 8000);
  return { code: r.code, out: r.stdout, err: withoutStamp(r.stderr) };
}

/** Our cl_status for node2 (the daemon's run dir via HBTS_RUN_DIR). */
function oursCl(m: Mixed, args: readonly string[]): Answer {
  const r = spawnSync(process.execPath, [clStatusBin, ...args], {
    encoding: 'utf8',
    timeout: 8000,
    env: { ...process.env, HBTS_RUN_DIR: m.ours.runDir },
  });
  return { code: r.status, out: r.stdout, err: withoutStamp(r.stderr) };
}

/** cl_log lines carry a time, host and pid: `Nov 29 18:27:16 node1 cl_status: [12581]: ERROR: `. */
function withoutStamp(err: string): string {
  return err.replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ cl_status: \[\d+\]: /gm, 'cl_status: ');
}

const sortedLines = (s: string): string =>
  s
    .split('\n')
    .filter((l) => l !== '')
    .sort()
    .join('\n');

/** The questions both nodes are asked; the answers must agree (listnodes: as a set). */
const SAME_ANSWER: readonly (readonly string[])[] = [
  ['hbstatus'],
  ['nodestatus', 'node1'],
  ['nodestatus', 'node2'],
  ['nodestatus', '-m', 'node2'],
  ['nodestatus', 'nosuch'],
  ['nodestatus'],
  ['nodetype', 'node1'],
  ['nodetype', '-m', 'node2'],
  ['nodeweight', 'node2'],
  ['listhblinks', 'node1'],
  ['listhblinks', 'node2'],
  ['listhblinks', '-v', 'node1'],
  ['hblinkstatus', 'node1', 'eth0'],
  ['hblinkstatus', 'node2', 'eth0'],
  ['hblinkstatus', '-m', 'node1', 'eth0'],
  ['rscstatus'],
  ['rscstatus', '-m'],
  ['hbparameter', '-p', 'deadtime'],
  ['hbparameter', '-p', 'keepalive'],
  ['hbparameter', '-p', 'udpport'],
  ['hbparameter', '-p', 'auto_failback'],
  ['hbparameter', '-m', '-p', 'warntime'],
  ['listnodes', '-p'],
  ['hbparameter', '-p', 'deadping'],
  ['hbparameter', '-p', 'msgfmt'],
  ['hbparameter', '-p', 'nosuch'],
  ['nodesite', 'node2'],
  ['bogus'],
];

void describe('cl_status: real Heartbeat vs hbts on one mixed cluster', { skip: skip ?? false }, () => {
  let m: Mixed;
  let c1: ProbeClient | undefined;
  let c2: ProbeClient | undefined;
  before(async () => {
    m = createMixed({ tag: 'cls' });
    [c1, c2] = await startMixed(m);
    await poll('real sees node2 active', () => m.real.clStatus(['nodestatus', 'node2']) === 'active', 30000);
    await poll('ours sees node1 active', () => oursViewOf(m, 'node1') === 'active', 10000);
    assert.ok(c1 && c2);
    await c1.waitFor('node1', 30000);
    await c2.waitFor('node2', 30000);
    await poll('both hold their local group', () => oursCl(m, ['rscstatus']).out === 'local\n', 15000);
  });
  after(async () => {
    await cleanupMixed(m, [c1, c2]);
  });

  void it('the same questions get the same answers, words and exit codes', () => {
    const differ: string[] = [];
    for (const q of SAME_ANSWER) {
      const real = realCl(m, q);
      const ours = oursCl(m, q);
      process.stdout.write(
        `# cl_status ${q.join(' ')}: real ${JSON.stringify(real)} ours ${JSON.stringify(ours)}\n`,
      );
      if (JSON.stringify(real) !== JSON.stringify(ours))
        differ.push(`${q.join(' ')}: real ${JSON.stringify(real)}, ours ${JSON.stringify(ours)}`);
    }
    const realNodes = realCl(m, ['listnodes']);
    const oursNodes = oursCl(m, ['listnodes']);
    assert.equal(sortedLines(oursNodes.out), sortedLines(realNodes.out), 'listnodes: the same nodes');
    assert.equal(oursNodes.code, realNodes.code);
    // a client on the other node: neither side gets an answer (no API clients run there)
    const realClient = realCl(m, ['clientstatus', 'node2', 'ipfail']);
    const oursClient = oursCl(m, ['clientstatus', 'node1', 'ipfail']);
    process.stdout.write(
      `# cl_status clientstatus <peer> ipfail: real ${JSON.stringify(realClient)} ours ${JSON.stringify(oursClient)}\n`,
    );
    assert.deepEqual(oursClient, realClient);
    assert.deepEqual(differ, []);
  });

  void it('crash of the real node: our cl_status follows the failover', async () => {
    assert.ok(c1);
    await sleep(1500);
    m.real.crash();
    m.lab.exec(m.realNode.ns, 'ip', ['addr', 'del', '198.18.32.201/24', 'dev', 'eth0'], true);
    await c1.waitFor('node2', 20000);
    await poll('ours: node1 dead', () => oursViewOf(m, 'node1') === 'dead', 5000);
    await poll('ours holds all', () => oursStatus(m)?.resourceHold === 'all', 10000);
    assert.deepEqual(oursCl(m, ['nodestatus', 'node1']), { code: 1, out: 'dead\n', err: '' });
    assert.deepEqual(oursCl(m, ['hblinkstatus', 'node1', 'eth0']), { code: 1, out: 'dead\n', err: '' });
    assert.deepEqual(oursCl(m, ['listhblinks', '-v', 'node1']), { code: 0, out: '\teth0\tdead\n', err: '' });
    assert.deepEqual(oursCl(m, ['rscstatus']), { code: 0, out: 'all\n', err: '' });
    assert.deepEqual(oursCl(m, ['nodestatus', 'node2']), { code: 0, out: 'active\n', err: '' });
    await m.real.start();
    await c1.waitFor('node1', 40000);
    await poll(
      'ours: node1 active again',
      () => oursCl(m, ['nodestatus', 'node1']).out === 'active\n',
      10000,
    );
    await poll('ours holds local again', () => oursCl(m, ['rscstatus']).out === 'local\n', 10000);
    await poll('real holds local again', () => m.real.clStatus(['rscstatus']) === 'local', 10000);
  });

  void it('crash of our node: the real node says dead, ours says stopped, as real Heartbeat does when stopped', async () => {
    assert.ok(c2);
    await sleep(1500);
    m.lab.kill(m.ours.daemon, 'SIGKILL');
    await m.lab.waitExit(m.ours.daemon, 5000);
    m.lab.exec(m.ours.ns, 'ip', ['addr', 'del', '198.18.32.202/24', 'dev', 'eth0'], true);
    assert.deepEqual(oursCl(m, ['hbstatus']), {
      code: 1,
      out: 'Heartbeat is stopped on this machine.\n',
      err: '',
    });
    await c2.waitFor('node1', 20000);
    await poll('real: node2 dead', () => m.real.clStatus(['nodestatus', 'node2']) === 'dead', 5000);
    assert.equal(realCl(m, ['nodestatus', 'node2']).code, 1, 'real: dead is exit 1, as ours');
    m.lab.startDaemon(m.ours);
    await c2.waitFor('node2', 30000);
    await poll('ours: running again', () => oursCl(m, ['hbstatus']).code === 0, 10000);
  });
});
