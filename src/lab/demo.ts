// `hbts demo`: a live 3-node cluster with nothing to configure. As root on Linux: three network
// namespaces on a bridge (198.18.64.0/24), a real VIP (198.18.64.200) and an HTTP server per node.
// Otherwise: three daemons on loopback (127.0.0.1-3, a high udpport) sharing a demo service on
// 127.0.0.1. A client asks the service who answers every 10 ms; the screen shows the cluster and
// the client's view, and says how to kill a node. Everything started is stopped on exit.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_SOCKET_NAME } from '../daemon/control-protocol.js';
import { controlRequest } from '../daemon/control-server.js';
import type { DaemonStatus } from '../daemon/daemon-status.js';
import { hbtsMain } from './dist-paths.js';
import { labSkipReason } from './lab-shell.js';
import { Lab, ProbeClient } from './netns-lab.js';
import { supervisedDaemonPid } from './supervised-daemon.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface DemoOptions {
  /** Stop after this many seconds (non-interactive); undefined = until Ctrl-C. */
  readonly durationS: number | undefined;
  /** Crash the serving node after this many seconds, once the service answered (scripted failover). */
  readonly crashAfterS: number | undefined;
  readonly mode: 'auto' | 'netns' | 'loopback';
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
}

interface DemoNode {
  readonly name: string;
  readonly runDir: string;
  daemon: ChildProcess | undefined;
}

/** What `kill -9` must hit to crash a node: its supervisor and the daemon that runs under it. */
function crashPids(node: DemoNode): (number | string)[] {
  const sup = node.daemon?.pid;
  if (sup === undefined) return ['?'];
  const inner = supervisedDaemonPid(sup, node.runDir);
  return inner === undefined ? [sup] : [sup, inner];
}

interface DemoCluster {
  readonly kind: 'netns' | 'loopback';
  readonly nodes: readonly DemoNode[];
  /** What the client probes, for the screen. */
  readonly service: string;
  readonly client: ProbeClient;
  /** Shell commands that crash a node (shown to the user). */
  crashCommand(node: DemoNode): string;
  crash(node: DemoNode): void;
  cleanup(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function haCf(nodes: readonly string[], media: readonly string[], udpPort: number): string {
  return [
    '# hbts demo: fast timing so a failover is over in about a second',
    'keepalive 200ms',
    'deadtime 1',
    'warntime 500ms',
    'initdead 5',
    `udpport ${udpPort}`,
    ...media,
    'auto_failback on',
    ...nodes.map((n) => `node ${n}`),
    '',
  ].join('\n');
}

async function netnsCluster(): Promise<DemoCluster> {
  const lab = Lab.create({ nodes: 3, net: 64, tag: 'demo', signalHooks: false });
  try {
    const vip = '198.18.64.200';
    lab.writeConfig({
      haCf: haCf(
        lab.nodes.map((n) => n.name),
        ['bcast eth0'],
        694,
      ),
      haresources: `node1 IPaddr2::${vip}/24/eth0\n`,
    });
    for (const n of lab.nodes) {
      lab.startHttp(n);
      lab.startDaemon(n);
    }
    const client = lab.startClient(vip);
    return {
      kind: 'netns',
      nodes: lab.nodes,
      service: `http://${vip}/ (VIP, from namespace ${lab.client})`,
      client,
      crashCommand: (node) => {
        const n = lab.node(node.name);
        return `kill -9 ${crashPids(node).join(' ')}; ip -n ${lab.sw} link set n${n.index}e0 down`;
      },
      crash: (node) => {
        const n = lab.node(node.name);
        lab.kill(n.daemon, 'SIGKILL');
        lab.linkDown(n);
      },
      cleanup: () => lab.cleanup(),
    };
  } catch (err) {
    await lab.cleanup();
    throw err;
  }
}

async function loopbackCluster(): Promise<DemoCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-demo-'));
  const procs = new Set<ChildProcess>();
  const track = (c: ChildProcess): ChildProcess => {
    procs.add(c);
    c.on('exit', () => procs.delete(c));
    return c;
  };
  // below Linux's ephemeral range (32768-60999), so an outgoing connection cannot hold them
  const udpPort = 20000 + (process.pid % 5000);
  const servicePort = udpPort + 5000;
  const names = ['node1', 'node2', 'node3'];
  const nodes: DemoNode[] = [];
  const media = names.map((_n, i) => `ucast lo 127.0.0.${i + 1}`);
  for (const [i, name] of names.entries()) {
    const base = join(dir, name);
    const configDir = join(base, 'ha.d');
    mkdirSync(join(configDir, 'resource.d'), { recursive: true });
    writeFileSync(join(configDir, 'ha.cf'), haCf(names, media, udpPort));
    writeFileSync(join(configDir, 'authkeys'), 'auth 1\n1 sha1 hbts-demo-secret\n', { mode: 0o600 });
    chmodSync(join(configDir, 'authkeys'), 0o600);
    writeFileSync(join(configDir, 'haresources'), 'node1 demo-service\n');
    const script = join(configDir, 'resource.d', 'demo-service');
    writeFileSync(
      script,
      `#!/bin/sh\n# hbts demo service: HTTP on 127.0.0.1:${servicePort} answering "${name}"\n` +
        `exec "${process.execPath}" "${join(here, 'demo-service.js')}" ${servicePort} ${name} "${base}" "$@"\n`,
    );
    chmodSync(script, 0o755);
    const runDir = join(base, 'run');
    const node: DemoNode = { name, runDir, daemon: undefined };
    node.daemon = track(
      spawn(
        process.execPath,
        [
          hbtsMain,
          'daemon',
          '--config-dir',
          configDir,
          '--node-name',
          name,
          '--run-dir',
          runDir,
          '--state-dir',
          join(base, 'state'),
          '--bind-address',
          `127.0.0.${i + 1}`,
          '--foreground',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    );
    const log = join(base, 'daemon.log');
    node.daemon.stderr?.on('data', (b: Buffer) => writeFileSync(log, b, { flag: 'a' }));
    nodes.push(node);
  }
  const client = new ProbeClient(
    track(
      spawn(process.execPath, [join(here, 'probe-client.js'), '127.0.0.1', String(servicePort)], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    ),
  );
  const kill = (c: ChildProcess | undefined, sig: NodeJS.Signals): void => {
    if (c?.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, sig);
      } catch {
        // gone already
      }
    }
  };
  let cleaned = false;
  const cleanupSync = (): void => {
    for (const c of procs) kill(c, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', () => {
    if (!cleaned) cleanupSync();
  });
  return {
    kind: 'loopback',
    nodes,
    service: `http://127.0.0.1:${servicePort}/ (demo service; daemons talk ucast on lo, udpport ${udpPort})`,
    client,
    crashCommand: (node) => `kill -9 ${crashPids(node).join(' ')}`,
    crash: (node) => {
      // a crash: the supervisor and its daemon at once (the supervisor first, so it cannot react)
      const inner =
        node.daemon?.pid === undefined ? undefined : supervisedDaemonPid(node.daemon.pid, node.runDir);
      kill(node.daemon, 'SIGKILL');
      try {
        if (inner !== undefined) process.kill(inner, 'SIGKILL');
      } catch {
        // gone already
      }
    },
    cleanup: async () => {
      cleaned = true;
      // graceful first, so the demo services are stopped by their daemons
      for (const n of nodes) kill(n.daemon, 'SIGTERM');
      const deadline = Date.now() + 8000;
      while (nodes.some((n) => n.daemon?.exitCode === null && n.daemon.signalCode === null)) {
        if (Date.now() > deadline) break;
        await sleep(50);
      }
      kill(client.child, 'SIGTERM');
      cleanupSync();
    },
  };
}

async function queryNode(n: DemoNode): Promise<DaemonStatus | undefined> {
  try {
    const r = await controlRequest(join(n.runDir, CONTROL_SOCKET_NAME), { cmd: 'status' }, 400);
    return r['ok'] === true ? (r['status'] as DaemonStatus) : undefined;
  } catch {
    return undefined;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length);
}

async function screen(c: DemoCluster, startedMs: number): Promise<string> {
  const statuses = await Promise.all(c.nodes.map(queryNode));
  const lines: string[] = [];
  lines.push(`hbts demo (${c.kind}): 3 nodes, keepalive 200ms, deadtime 1s, auto_failback on`);
  lines.push(`service: ${c.service}`);
  lines.push('');
  lines.push(`${pad('NODE', 7)}${pad('PID', 8)}${pad('STATE', 14)}${pad('HOLDS', 34)}PEERS AS IT SEES THEM`);
  for (const [i, n] of c.nodes.entries()) {
    const s = statuses[i];
    const pid = n.daemon?.exitCode === null && n.daemon.signalCode === null ? String(n.daemon.pid) : '-';
    if (!s) {
      lines.push(`${pad(n.name, 7)}${pad(pid, 8)}${pad('down', 14)}`);
      continue;
    }
    const self = s.cluster.nodes.find((x) => x.self);
    const peers = s.cluster.nodes
      .filter((x) => !x.self)
      .map((x) => `${x.name}:${x.status}`)
      .join(' ');
    lines.push(
      `${pad(n.name, 7)}${pad(pid, 8)}${pad(s.cluster.phase, 14)}${pad(self?.holds.join(' ') || '-', 34)}${peers}`,
    );
  }
  const answers = c.client.answersSince(Date.now() - 5000);
  const last = c.client.lastAnswer();
  lines.push('');
  lines.push(
    `client (every 10 ms): answered by ${last ?? 'nobody yet'}; last 5 s: ${answers.join(' -> ') || '-'}`,
  );
  lines.push(`longest client-visible outage so far: ${c.client.outageMs(startedMs)} ms`);
  lines.push('');
  const holder = c.nodes.find((n) => n.name === last) ?? c.nodes[0];
  if (holder) {
    lines.push(`crash ${holder.name} (another terminal, as the same user):  ${c.crashCommand(holder)}`);
    lines.push(`or hand over gracefully:  node ${hbtsMain} standby --run-dir ${holder.runDir}`);
  }
  lines.push('Ctrl-C stops the demo and removes everything it started.');
  return lines.join('\n') + '\n';
}

export async function runDemo(opts: DemoOptions): Promise<number> {
  const netnsProblem = labSkipReason();
  const mode = opts.mode === 'auto' ? (netnsProblem === undefined ? 'netns' : 'loopback') : opts.mode;
  if (mode === 'netns' && netnsProblem !== undefined) {
    opts.out.write(`hbts demo: ${netnsProblem}\n`);
    return 1;
  }
  if (opts.mode === 'auto' && mode === 'loopback') {
    opts.out.write(`(${netnsProblem ?? ''}: running the loopback demo instead)\n`);
  }
  const cluster = mode === 'netns' ? await netnsCluster() : await loopbackCluster();
  const startedMs = Date.now();
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tty = opts.out.isTTY === true && opts.durationS === undefined;
  let lastAnswer: string | undefined;
  let crashed = false;
  try {
    while (!stop) {
      const elapsedS = (Date.now() - startedMs) / 1000;
      if (opts.durationS !== undefined && elapsedS >= opts.durationS) break;
      // a slow start (loaded machine) must not turn the scripted failover into a crash before
      // anyone served: wait until the service has answered
      const serving = cluster.client.lastAnswer() !== undefined;
      if (!crashed && opts.crashAfterS !== undefined && elapsedS >= opts.crashAfterS && serving) {
        crashed = true;
        const victim = cluster.nodes.find((n) => n.name === cluster.client.lastAnswer()) ?? cluster.nodes[0];
        if (victim) {
          opts.out.write(`demo: crashing ${victim.name} now: ${cluster.crashCommand(victim)}\n`);
          cluster.crash(victim);
        }
      }
      if (tty) {
        opts.out.write(`\x1b[2J\x1b[H${await screen(cluster, startedMs)}`);
        await sleep(500);
      } else {
        const now = cluster.client.lastAnswer();
        if (now !== lastAnswer) {
          opts.out.write(
            `${((Date.now() - startedMs) / 1000).toFixed(1)}s: the service is answered by ${now ?? 'nobody'}\n`,
          );
          lastAnswer = now;
          if (lastAnswer !== undefined && opts.durationS === undefined)
            opts.out.write(await screen(cluster, startedMs));
        }
        await sleep(100);
      }
    }
    opts.out.write(await screen(cluster, startedMs));
    const answered = cluster.client.probes.filter((p) => p.who !== undefined).length;
    opts.out.write(
      `demo summary: ${cluster.client.probes.length} probes, ${answered} answered, answers: ${cluster.client
        .answersSince(startedMs)
        .filter((a) => a !== '-')
        .filter((a, i, all) => i === 0 || all[i - 1] !== a)
        .join(' -> ')}, longest outage ${cluster.client.outageMs(startedMs)} ms\n`,
    );
    return answered > 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    opts.out.write('demo: stopping nodes and cleaning up...\n');
    await cluster.cleanup();
    opts.out.write('demo: done\n');
  }
}
