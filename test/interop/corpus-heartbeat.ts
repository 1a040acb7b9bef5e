// Gives one corpus case to real Heartbeat 3.0.6 and to `hbts check --as-daemon`, each in a lab
// node's network namespace with the same private view of the host: `hostname <run as>`, the case's
// files bind-mounted over /etc/ha.d, a private /var/lib/heartbeat, /run, /var/log, /etc/hosts
// (the cluster's host names resolve, nothing else does) and /etc/resolv.conf (no name server).
//
// Real Heartbeat "runs" a case when it is still alive RUN_MS after it was started; it "refuses"
// when it exits before. It is then killed by pid with everything it started.
//
// SAFETY: every resource agent a case's haresources names is replaced by a stand-in script in the
// case's resource.d that does nothing and exits 0 (resource.d is searched before /etc/init.d), so
// even a Heartbeat that started resources could not touch the host or fail a stop (which makes
// it `pkill -9 heartbeat` and reboot). Heartbeat runs alone for a few seconds, less than any
// case's initdead, and its media are the namespace's veth links (198.18.40.0/23) only.
// In both daemons' copy of ha.cf a `serial` device becomes one end of a pty pair (socat) and a
// `watchdog` device a plain file, so that no serial port or watchdog of the host is ever opened (a
// watchdog left open by a killed Heartbeat would reboot the host).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabNode } from '../lab/lab.js';
import { hbtsMain } from '../lab/lab.js';
import { descendants, heartbeatBinary } from '../lab/real-heartbeat.js';
import type { CorpusCase, Verdict } from './corpus.js';
import { resourceAgents } from './corpus.js';

/** How long real Heartbeat must stay up to count as running a case. */
export const RUN_MS = 3500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Host names every case may use: the corpus's node names and peers, on the lab's nets. */
export const CORPUS_HOSTS = `127.0.0.1 localhost
198.18.40.1 node1 node1.example.com ha1 ha1.example.com lb1 lb1.example.com db1 pbx1 web1 mail1
198.18.40.2 node2 node2.example.com ha2 ha2.example.com lb2 lb2.example.com db2 pbx2 web2 mail2
198.18.40.3 node3 node3.example.com
198.18.40.254 gw gw.example.com
198.18.41.1 node1-hb ha1-hb db1-priv
198.18.41.2 node2-hb ha2-hb db2-priv
`;

const STAND_IN = `#!/bin/sh
# corpus stand-in: does nothing, never fails (real Heartbeat reboots the host on a failed stop)
case "$2$1" in *status*) echo stopped ;; esac
exit 0
`;

export interface CaseRun {
  readonly verdict: Verdict;
  readonly detail: string;
}

function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  for (const p of [...descendants(pid).reverse(), pid]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * The case's ha.cf as both daemons read it: a serial device becomes one end of a pty pair, and a
 * watchdog device a plain file in the work dir (a real /dev/watchdog left open by a killed
 * Heartbeat would reboot the host).
 */
function haCfFor(c: CorpusCase, work: string): string {
  const text = readFileSync(join(c.dir, 'ha.cf'), 'utf8');
  return text
    .replace(/^(\s*serial\s+)(\S+)/gm, (_m, head: string) => `${head}${join(work, 'tty-a')}`)
    .replace(/^(\s*watchdog\s+)(\S+)/gm, (_m, head: string) => `${head}${join(work, 'watchdog')}`);
}

/** Builds <work>/ha.d and the private host files for one run. */
function prepare(c: CorpusCase, work: string): void {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const haDir = join(work, 'ha.d');
  cpSync('/etc/ha.d', haDir, { recursive: true });
  writeFileSync(join(haDir, 'ha.cf'), haCfFor(c, work));
  writeFileSync(join(work, 'watchdog'), '');
  const authkeys = join(c.dir, 'authkeys');
  if (existsSync(authkeys)) writeFileSync(join(haDir, 'authkeys'), readFileSync(authkeys), { mode: 0o600 });
  const haresources = join(c.dir, 'haresources');
  if (existsSync(haresources)) {
    const text = readFileSync(haresources, 'utf8');
    writeFileSync(join(haDir, 'haresources'), text);
    for (const agent of resourceAgents(text)) {
      if (agent.includes('/')) continue;
      writeFileSync(join(haDir, 'resource.d', agent), STAND_IN, { mode: 0o755 });
    }
  }
  cpSync('/var/lib/heartbeat', join(work, 'varlib'), { recursive: true });
  const run = join(work, 'run');
  for (const d of ['heartbeat/ccm', 'heartbeat/crm', 'resource-agents', 'crm', 'lock']) {
    mkdirSync(join(run, d), { recursive: true });
  }
  spawnSync('chown', [
    'hacluster:haclient',
    join(run, 'heartbeat'),
    join(run, 'heartbeat/ccm'),
    join(run, 'heartbeat/crm'),
    join(run, 'crm'),
  ]);
  spawnSync('chmod', ['0750', join(run, 'heartbeat')]);
  mkdirSync(join(work, 'log'), { recursive: true });
  writeFileSync(join(work, 'hosts'), CORPUS_HOSTS);
  writeFileSync(join(work, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
}

/** The shell prologue both runs share: the private view of the host. */
const PROLOGUE = [
  'set -e',
  'hostname "$1"',
  'mount --bind "$2/hosts" /etc/hosts',
  'mount --bind "$2/resolv.conf" /etc/resolv.conf',
  'mount --bind "$2/ha.d" /etc/ha.d',
  'mount --bind "$2/varlib" /var/lib/heartbeat',
  'mount --bind "$2/log" /var/log',
  'mount --bind "$2/run" /run',
  // a pty pair stands in for the serial port; socat stays a child of what follows (killed with it)
  'socat pty,raw,echo=0,link="$2/tty-a" pty,raw,echo=0,link="$2/tty-b" </dev/null >/dev/null 2>&1 &',
  'sp=$!',
  'i=0; while [ ! -e "$2/tty-a" ] && [ $i -lt 50 ]; do sleep 0.05; i=$((i+1)); done',
  'set +e',
];
/** Runs a command in the background of the prologue's shell, then ends socat and passes its status on. */
const andStopSocat = (cmd: string): string[] => [
  `${cmd} &`,
  'w=$!',
  'wait $w',
  'rc=$?',
  'kill $sp 2>/dev/null',
  'exit $rc',
];

function spawnInCase(lab: Lab, slot: LabNode, c: CorpusCase, work: string, tail: string[]) {
  const script = [...PROLOGUE, ...tail].join('\n');
  return spawn(
    'ip',
    [
      'netns',
      'exec',
      slot.ns,
      'unshare',
      '--mount',
      '--uts',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      script,
      'corpus',
      c.runAs,
      work,
      heartbeatBinary,
      hbtsMain,
      process.execPath,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
}

/** Real Heartbeat 3.0.6's verdict on a case. */
export async function heartbeatVerdict(
  lab: Lab,
  slot: LabNode,
  c: CorpusCase,
  work: string,
): Promise<CaseRun> {
  prepare(c, work);
  const child = lab.track(spawnInCase(lab, slot, c, work, andStopSocat('"$3" -f')));
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const end = Date.now() + RUN_MS;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < end && !gone) await sleep(100);
  const alive = !gone;
  killTree(child.pid);
  await Promise.race([exited, sleep(3000)]);
  const logs = ['ha-log', 'ha-debug', 'heartbeat.log']
    .map((f) => join(work, 'log', f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  return {
    verdict: alive ? 'runs' : 'refuses',
    detail: `${output}\n${logs}`
      .split('\n')
      .filter((l) => /ERROR|error|WARN|refus|not started|Configuration validated/i.test(l))
      .slice(0, 40)
      .join('\n'),
  };
}

/** Our daemon's verdict: `hbts check --as-daemon` in the same private view of the host. */
export async function hbtsVerdict(lab: Lab, slot: LabNode, c: CorpusCase, work: string): Promise<CaseRun> {
  prepare(c, work);
  const child = lab.track(
    spawnInCase(lab, slot, c, work, andStopSocat('"$5" "$4" check --as-daemon --config-dir /etc/ha.d')),
  );
  let output = '';
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      killTree(child.pid);
      resolve(null);
    }, 30000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve(status);
    });
  });
  return { verdict: code === 0 ? 'runs' : 'refuses', detail: output };
}
