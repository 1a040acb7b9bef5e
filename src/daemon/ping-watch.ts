// The shell's side of ping nodes: one long-running iputils `ping -n -i <keepalive> <address>` per
// address (a ping_group member counts as one), whose reply lines become `ping-reply` inputs of the
// core; the core decides up, dead and what counts. Node has no raw ICMP sockets without a native
// add-on, and a process per probe would fork every keepalive: one process per address, spawned
// without a shell, is cheap and lets iputils do ICMP (privileges, ids, checksums) its own way.
// A ping that exits (no route: iputils gives up at once) is restarted after a pause; stop() ends
// each child by its own PID.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PingTarget } from '../config/types.js';

export interface PingWatchOptions {
  readonly targets: readonly PingTarget[];
  /** The ping interval (the keepalive); iputils refuses less than 200 ms to non-root users. */
  readonly intervalMs: number;
  readonly onReply: (address: string) => void;
  readonly log: (
    level: 'info' | 'warn',
    text: string,
    fields?: Record<string, string | number | undefined>,
  ) => void;
  /** The ping program (tests); default `ping` from PATH. */
  readonly command?: string;
  /** Pause before a ping that exited is started again; default max(1 s, interval). */
  readonly restartDelayMs?: number;
}

/** iputils' reply line, numeric (`-n`): `64 bytes from 198.18.0.1: icmp_seq=1 ttl=64 time=0.04 ms`. */
const REPLY = /^\d+ bytes from /;

/** `ping` options for one address: numeric output, the interval, IPv6 when it is one. */
export function pingArguments(address: string, intervalMs: number, ipv6: boolean): string[] {
  const seconds = (Math.max(intervalMs, 2) / 1000).toFixed(3);
  return [...(ipv6 ? ['-6'] : []), '-n', '-i', seconds, address];
}

/** The interval iputils accepts here: the keepalive, but not under 200 ms unless we are root. */
export function pingIntervalMs(keepaliveMs: number, root: boolean): number {
  return root ? Math.max(keepaliveMs, 10) : Math.max(keepaliveMs, 200);
}

class AddressWatcher {
  private child: ChildProcess | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastStderr = '';
  private exits = 0;

  constructor(
    private readonly address: string,
    private readonly ipv6: boolean,
    private readonly opts: PingWatchOptions,
  ) {}

  start(): void {
    if (this.stopped) return;
    const args = pingArguments(this.address, this.opts.intervalMs, this.ipv6);
    const child = spawn(this.opts.command ?? 'ping', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C' },
    });
    this.child = child;
    child.on('error', (err) => this.onExit(child, `cannot run ping: ${err.message}`));
    child.on('exit', (code, signal) =>
      this.onExit(child, `ping exited (${signal ?? `code ${code ?? '?'}`})`),
    );
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (REPLY.test(line)) this.opts.onReply(this.address);
      });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const last = chunk.trim().split('\n').pop();
      if (last) this.lastStderr = last.slice(0, 200);
    });
  }

  private onExit(child: ChildProcess, what: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopped) return;
    this.exits++;
    // No route makes ping exit at once: say so the first time and then every 60th time, not each second.
    if (this.exits === 1 || this.exits % 60 === 0)
      this.opts.log('warn', `ping node watcher: ${what}; restarting it`, {
        address: this.address,
        error: this.lastStderr || '-',
        exits: this.exits,
      });
    const delayMs = this.opts.restartDelayMs ?? Math.max(1000, this.opts.intervalMs);
    this.restartTimer = setTimeout(() => this.start(), delayMs);
    this.restartTimer.unref();
  }

  /** Ends our own child by its PID and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
}

export class PingWatch {
  private constructor(private readonly watchers: readonly AddressWatcher[]) {}

  /** One watcher per distinct address of every ping node. */
  static start(opts: PingWatchOptions): PingWatch {
    const seen = new Set<string>();
    const watchers: AddressWatcher[] = [];
    for (const t of opts.targets) {
      for (const address of t.addresses) {
        if (seen.has(address)) continue;
        seen.add(address);
        watchers.push(new AddressWatcher(address, t.kind === 'ping6', opts));
      }
    }
    for (const w of watchers) w.start();
    opts.log('info', 'ping node watchers started', {
      addresses: [...seen].join(','),
      intervalMs: opts.intervalMs,
    });
    return new PingWatch(watchers);
  }

  /** PIDs of the running pings (tests, status). */
  pids(): number[] {
    return this.watchers.map((w) => w.pid).filter((p): p is number => p !== undefined);
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()));
  }
}
