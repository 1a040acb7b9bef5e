// A one-node cluster on loopback for tests of the real `hbts daemon` process (no root, no
// namespaces): ucast on lo to an address nobody listens on, a random udpport, and a group made of
// a marker script that records every start and stop (with the time) in a journal file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hbtsMain } from '../../../src/lab/dist-paths.js';

export interface LoopbackNode {
  readonly dir: string;
  readonly configDir: string;
  readonly runDir: string;
  readonly stateDir: string;
  /** The ha.cf `logfile`. */
  readonly logFile: string;
  /** One line per marker start/stop: `start <epoch ms>` / `stop <epoch ms>`. */
  readonly journal: string;
  readonly running: string;
}

export function loopbackNode(
  opts: {
    readonly extraHaCf?: readonly string[];
    readonly watchdogFifo?: boolean;
    readonly keepalive?: string;
  } = {},
): LoopbackNode {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-sv-'));
  const n: LoopbackNode = {
    dir,
    configDir: join(dir, 'ha.d'),
    runDir: join(dir, 'run'),
    stateDir: join(dir, 'state'),
    logFile: join(dir, 'ha-log'),
    journal: join(dir, 'journal'),
    running: join(dir, 'marker.running'),
  };
  mkdirSync(join(n.configDir, 'resource.d'), { recursive: true });
  // a FIFO stands in for the watchdog device (FifoReader reads it)
  if (opts.watchdogFifo === true) mkfifo(join(dir, 'watchdog'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(
    join(n.configDir, 'ha.cf'),
    [
      `keepalive ${opts.keepalive ?? '100ms'}`,
      'deadtime 1',
      'warntime 500ms',
      'initdead 2',
      `udpport ${port}`,
      'ucast lo 127.0.0.3',
      'auto_failback on',
      `logfile ${n.logFile}`,
      ...(opts.watchdogFifo === true ? [`watchdog ${join(dir, 'watchdog')}`] : []),
      ...(opts.extraHaCf ?? []),
      'node a',
      '',
    ].join('\n'),
  );
  writeFileSync(join(n.configDir, 'authkeys'), 'auth 1\n1 sha1 s\n', { mode: 0o600 });
  chmodSync(join(n.configDir, 'authkeys'), 0o600);
  writeFileSync(join(n.configDir, 'haresources'), 'a marker\n');
  const script = join(n.configDir, 'resource.d', 'marker');
  writeFileSync(
    script,
    `#!/bin/sh
case "$1" in
  start) touch "${n.running}"; echo "start $(date +%s%3N)" >> "${n.journal}"; exit 0 ;;
  stop) rm -f "${n.running}"; echo "stop $(date +%s%3N)" >> "${n.journal}"; exit 0 ;;
  status) if [ -e "${n.running}" ]; then echo running; else echo stopped; fi; exit 0 ;;
esac
exit 0
`,
  );
  chmodSync(script, 0o755);
  return n;
}

/** `hbts daemon --foreground` on this node (supervised unless the args say otherwise). */
export function startHbts(n: LoopbackNode, extraArgs: readonly string[] = []): ChildProcess {
  return spawn(
    process.execPath,
    [
      hbtsMain,
      'daemon',
      '--foreground',
      '--config-dir',
      n.configDir,
      '--node-name',
      'a',
      '--run-dir',
      n.runDir,
      '--state-dir',
      n.stateDir,
      '--bind-address',
      '127.0.0.1',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
}

export function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The daemon's pid from hbts.pid (undefined while there is none). */
export function daemonPid(n: LoopbackNode): number | undefined {
  const t = read(join(n.runDir, 'hbts.pid')).trim();
  return t === '' ? undefined : Number(t);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Kills what is left (by pid) and removes the files. */
export function cleanup(n: LoopbackNode, procs: readonly (ChildProcess | number | undefined)[]): void {
  for (const p of procs) {
    const pid = typeof p === 'number' ? p : p?.pid;
    if (pid !== undefined && alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  if (existsSync(n.dir)) rmSync(n.dir, { recursive: true, force: true });
}

/** Node has no mkfifo: coreutils' (Node has no mknod either). */
export function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', ['-m', '600', path], { encoding: 'utf8', timeout: 5000 });
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr || String(r.error)}`);
}
