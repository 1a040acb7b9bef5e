// Two daemons on one host talking only over a serial line (a socat pty pair), classic `>>>` text
// framing, 19200 baud; logging to the ha.cf `logfile`. No namespaces needed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hbtsMain, sleep, waitUntil } from './lab.js';
import { markerScript } from './lab-config.js';

const skip = spawnSync('socat', ['-V']).status === 0 ? undefined : 'socat not installed';

void describe('serial medium between two daemons (socat pty pair)', { skip: skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-serial-lab-'));
  const procs: ChildProcess[] = [];
  const daemons = new Map<string, ChildProcess>();
  const tty = { node1: join(dir, 'ttyA'), node2: join(dir, 'ttyB') };
  const logfile = join(dir, 'ha-log');
  const base = (n: string): string => join(dir, n);

  function start(name: 'node1' | 'node2'): void {
    const child = spawn(
      process.execPath,
      [
        hbtsMain,
        'daemon',
        '--config-dir',
        join(base(name), 'ha.d'),
        '--node-name',
        name,
        '--run-dir',
        join(base(name), 'run'),
        '--state-dir',
        join(base(name), 'state'),
        '--foreground',
        // this test is about the serial medium: no supervisor, so SIGKILL at the end ends it all
        '--no-supervise',
      ],
      { stdio: 'ignore' },
    );
    procs.push(child);
    daemons.set(name, child);
  }

  before(async () => {
    procs.push(
      spawn('socat', [`pty,raw,echo=0,link=${tty.node1}`, `pty,raw,echo=0,link=${tty.node2}`], {
        stdio: 'ignore',
      }),
    );
    await waitUntil('the pty pair', () => existsSync(tty.node1) && existsSync(tty.node2), 5000);
    for (const name of ['node1', 'node2'] as const) {
      const cfg = join(base(name), 'ha.d');
      mkdirSync(join(cfg, 'resource.d'), { recursive: true });
      writeFileSync(
        join(cfg, 'ha.cf'),
        [
          'keepalive 200ms',
          'deadtime 1',
          'warntime 500ms',
          'initdead 5',
          'baud 19200',
          `serial ${tty[name]}`,
          'auto_failback on',
          `logfile ${logfile}`,
          'node node1 node2',
          '',
        ].join('\n'),
      );
      writeFileSync(join(cfg, 'authkeys'), 'auth 1\n1 sha1 serial-secret\n', { mode: 0o600 });
      chmodSync(join(cfg, 'authkeys'), 0o600);
      writeFileSync(join(cfg, 'haresources'), 'node1 marker\n');
      writeFileSync(join(cfg, 'resource.d', 'marker'), markerScript.replaceAll('@DIR@', base(name)));
      chmodSync(join(cfg, 'resource.d', 'marker'), 0o755);
      start(name);
    }
  });

  after(() => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  void it('forms the cluster over the serial line and runs the group on node1', async () => {
    await waitUntil('node1 to run the group', () => existsSync(join(base('node1'), 'marker.running')), 15000);
    const r = spawnSync(
      process.execPath,
      [hbtsMain, 'status', '--json', '--run-dir', join(base('node2'), 'run')],
      {
        encoding: 'utf8',
      },
    );
    const s = JSON.parse(r.stdout) as {
      cluster: { nodes: { name: string; status: string; links: { medium: string; status: string }[] }[] };
    };
    const n1 = s.cluster.nodes.find((n) => n.name === 'node1');
    assert.equal(n1?.status, 'active');
    assert.deepEqual(
      n1?.links.map((l) => `${l.medium}=${l.status}`),
      [`serial:${tty.node2}=up`],
    );
  });

  void it('hands the group over on SIGTERM, over the serial line', async () => {
    daemons.get('node1')?.kill('SIGTERM');
    await waitUntil('node2 to run the group', () => existsSync(join(base('node2'), 'marker.running')), 10000);
    await sleep(200);
    assert.ok(!existsSync(join(base('node1'), 'marker.running')));
  });

  void it('wrote one line per event to the ha.cf logfile', () => {
    const log = readFileSync(logfile, 'utf8');
    assert.match(
      log,
      /node1 hbts\[\d+\]: info: medium open medium=serial:\S+ttyA how="serial \S+ttyA 19200 baud"/,
    );
    assert.match(log, /node2 hbts\[\d+\]: info: shutdown-notice node=node1/);
    assert.match(log, /node2 hbts\[\d+\]: info: acquired group=marker/);
  });
});
