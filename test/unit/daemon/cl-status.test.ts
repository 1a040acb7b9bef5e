// Heartbeat's tools against the real daemon on loopback: cl_status sub-commands (words, -m
// sentences, exit codes) checked against `hbts status --json`; hb_standby/hb_takeover arguments;
// the read-only status socket for a non-root member of haclient (root only: setpriv).
import { strict as assert } from 'node:assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { distRoot } from '../../../src/lab/dist-paths.js';
import { groupId } from '../../../src/daemon/status-socket.js';
import { cleanup, loopbackNode, startHbts, waitFor, read } from './loopback-node.js';

const bin = (name: string): string => join(distRoot, 'src', 'cli', 'heartbeat', `${name}.js`);
const hbtsMain = join(distRoot, 'src', 'cli', 'main.js');

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function tool(runDir: string, name: string, args: readonly string[], asUser?: readonly string[]): Run {
  const argv = [process.execPath, bin(name), ...args];
  const [file, ...rest] = asUser === undefined ? argv : ['setpriv', ...asUser, '--', ...argv];
  const r = spawnSync(file ?? '', rest, {
    encoding: 'utf8',
    timeout: 10_000,
    env: { ...process.env, HBTS_RUN_DIR: runDir },
  });
  // cl_log lines: `Nov 29 18:27:16 host cl_status: [pid]: ERROR: ...`; the stamp is dropped
  const err = r.stderr.replace(/^\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ cl_status: \[\d+\]: /gm, 'cl_status: ');
  return { code: r.status, out: r.stdout, err };
}

void test('cl_status, hb_standby and hb_takeover against a running daemon', async () => {
  const n = loopbackNode();
  let d: ChildProcess | undefined;
  const cl = (...args: string[]): Run => tool(n.runDir, 'cl-status', args);
  try {
    const stopped = cl('hbstatus');
    assert.deepEqual(stopped, { code: 1, out: 'Heartbeat is stopped on this machine.\n', err: '' });
    assert.equal(cl('rscstatus').code, 1);
    assert.match(cl('rscstatus').err, /^cl_status: ERROR: Cannot signon with heartbeat\n/);

    d = startHbts(n, ['--no-supervise']);
    await waitFor('the group running', () => /acquired group=marker/.test(read(n.logFile)));
    const status = JSON.parse(
      spawnSync(process.execPath, [hbtsMain, 'status', '--json', '--run-dir', n.runDir], { encoding: 'utf8' })
        .stdout,
    ) as { cluster: { resourceHold: string } };

    assert.deepEqual(cl('hbstatus'), { code: 0, out: 'Heartbeat is running on this machine.\n', err: '' });
    assert.match(
      cl('hbstatus', '-v').out,
      /^version:\theartbeat-ts \S+ \(Heartbeat 3\.0\.6 compatible\)\nmanaged by:\t"haresources"\n\na\tactive\t\(nodetype: normal\)\n\tlo\tup\n$/,
    );
    assert.deepEqual(cl('listnodes'), { code: 0, out: 'a\n', err: '' });
    assert.equal(cl('listnodes', '-p').out, '', 'no ping nodes');
    assert.deepEqual(cl('nodestatus', 'a'), { code: 0, out: 'active\n', err: '' });
    assert.equal(cl('nodestatus', '-m', 'a').out, 'The cluster node a is active\n');
    assert.deepEqual(cl('nodestatus', 'nosuch'), {
      code: 11,
      out: '',
      err: 'Error. May be due to incorrect node name\n',
    });
    assert.deepEqual(cl('nodestatus'), { code: 11, out: '', err: 'Not enough parameters.\n' });
    assert.equal(cl('nodetype', 'a').out, 'normal\n');
    assert.equal(cl('nodeweight', 'a').out, '100\n');
    assert.equal(cl('listhblinks', 'a').out, '\tlo\n');
    assert.deepEqual(cl('hblinkstatus', 'a', 'lo'), { code: 0, out: 'up\n', err: '' });
    assert.equal(cl('hblinkstatus', 'a', 'eth9').code, 13);
    assert.deepEqual(cl('clientstatus', 'a', 'ipfail'), { code: 1, out: 'offline\n', err: '' });
    assert.match(cl('rscstatus', '-x').err, /invalid option/);
    assert.equal(cl('rscstatus').out, `${status.cluster.resourceHold}\n`, "the daemon's own word");
    assert.equal(
      cl('rscstatus', '-m').out,
      `This node is holding ${status.cluster.resourceHold} resources.\n`,
    );
    assert.equal(cl('hbparameter', '-p', 'keepalive').out, '100ms\n', 'as written in ha.cf');
    assert.equal(cl('hbparameter', '-p', 'deadping').out, '1000ms\n', 'defaulted: deadtime');
    assert.equal(cl('hbparameter', '-p', 'msgfmt').out, 'classic\n');
    assert.deepEqual(cl('hbparameter', '-p', 'nosuch'), {
      code: 1,
      out: '',
      err: "cl_status: ERROR: Cannot get parameter nosuch's value\ncl_status: ERROR: REASON: \n",
    });
    assert.equal(cl('bogus').code, 11);

    const sb = (...a: string[]): Run => tool(n.runDir, 'hb-standby', a);
    assert.deepEqual(sb('sideways'), {
      code: 1,
      out: 'hb_standby: wrong resources(sideways).\nusage:\n',
      err: 'hb_standby [all|foreign|local|failback]\n',
    });
    assert.equal(sb('a', 'b').code, 1);
    assert.deepEqual(sb('failback'), { code: 0, out: 'Going standby [foreign].\n', err: '' });
    assert.deepEqual(tool(n.runDir, 'hb-takeover', ['local']), { code: 0, out: '', err: '' });
    await waitFor('both requests reached the core', () =>
      /Going standby \[foreign\]\.[\s\S]*Taking over \[local\]\./.test(read(n.logFile)),
    );
  } finally {
    cleanup(n, [d]);
  }
});

const rootSkip =
  process.geteuid?.() !== 0
    ? 'needs root (setpriv to another user)'
    : groupId('haclient') === undefined
      ? 'needs the haclient group (Debian heartbeat package)'
      : undefined;

void test(
  'read-only status socket: a haclient member reads status, cannot run admin commands; others cannot read',
  { skip: rootSkip ?? false },
  async () => {
    const n = loopbackNode();
    let d: ChildProcess | undefined;
    try {
      chmodSync(n.dir, 0o711); // the test's temp dir: let other users traverse it, as /run is
      mkdirSync(n.runDir, { mode: 0o711 }); // as systemd makes it (RuntimeDirectoryMode=0711)
      chmodSync(n.runDir, 0o711);
      d = startHbts(n, ['--no-supervise']);
      await waitFor('the group running', () => /acquired group=marker/.test(read(n.logFile)));
      assert.match(read(n.logFile), /read-only status socket open group=haclient/);
      const sock = statSync(join(n.runDir, 'hbts-ro.sock'));
      assert.equal(sock.mode & 0o777, 0o660);
      assert.equal(sock.gid, groupId('haclient'));
      assert.equal(
        statSync(join(n.runDir, 'hbts.sock')).mode & 0o777,
        0o600,
        'the control socket stays root-only',
      );
      const member = ['--reuid=nobody', '--regid=nogroup', `--groups=${groupId('haclient') ?? ''}`];
      const outsider = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];
      assert.deepEqual(tool(n.runDir, 'cl-status', ['nodestatus', 'a'], member), {
        code: 0,
        out: 'active\n',
        err: '',
      });
      const denied = tool(n.runDir, 'cl-status', ['nodestatus', 'a'], outsider);
      assert.equal(denied.code, 1);
      assert.match(denied.err, /Cannot signon with heartbeat\n.*REASON: .*(EACCES|permission denied)/is);
      const admin = tool(n.runDir, 'hb-standby', ['all'], member);
      assert.equal(admin.code, 1, 'admin commands need root');
      assert.match(admin.err, /EACCES|permission denied/i);
    } finally {
      cleanup(n, [d]);
    }
  },
);
