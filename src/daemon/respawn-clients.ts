// `respawn <user> /path [args]` clients, as Heartbeat runs them: started once communication is up,
// as that user, with the resource scripts' HA_* environment; restarted when they exit, except with
// exit code 100 (the client's way to say "do not respawn me"); a client that had to be restarted
// more than 10 times, each within 30 s of its start, is "respawning too fast" and left dead.
// `respawn .../ipfail` is not run: Debian ships no ipfail, the daemon does its job (ping_policy).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientProgram, ClusterConfig, NodeName } from '../config/types.js';
import { isIpfailLine } from '../config/ha-cf-directives.js';
import { buildAgentEnvironment } from '../resources/environment.js';

export interface RespawnOptions {
  readonly config: ClusterConfig;
  readonly self: string;
  readonly log: (
    level: 'info' | 'warn' | 'error' | 'crit',
    text: string,
    fields?: Record<string, string | number | undefined>,
  ) => void;
  /** Default /etc/passwd (tests). */
  readonly passwdFile?: string;
  /** Pause before a restart; default 1 s. */
  readonly restartDelayMs?: number;
}

const TOO_FAST_WITHIN_MS = 30_000;
const TOO_FAST_COUNT = 10;

/** uid and gid of `user` from a passwd file, or undefined. */
export function lookupUser(
  user: string,
  passwdFile = '/etc/passwd',
): { uid: number; gid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid))
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/** The clients heartbeat-ts runs itself: every `respawn` line but ipfail's. */
export function respawnedClients(config: ClusterConfig): ClientProgram[] {
  return (config.clients ?? []).filter((c) => c.kind === 'respawn' && !isIpfailLine(`${c.user} ${c.path}`));
}

class RespawnedClient {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private quickRestarts = 0;
  private startedAtMs = 0;

  constructor(
    private readonly client: ClientProgram,
    private readonly ids: { uid: number; gid: number },
    private readonly env: Record<string, string>,
    private readonly opts: RespawnOptions,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.startedAtMs = Date.now();
    const c = this.client;
    const child = spawn(c.path, [...c.args], {
      stdio: 'ignore',
      env: this.env,
      uid: this.ids.uid,
      gid: this.ids.gid,
      cwd: '/',
    });
    this.child = child;
    child.on('error', (err) => this.exited(child, undefined, `cannot run: ${err.message}`));
    child.on('exit', (code, signal) => this.exited(child, code, signal ?? `code ${code ?? '?'}`));
    this.opts.log('info', 'respawn client started', { program: c.path, user: c.user, pid: child.pid });
  }

  private exited(child: ChildProcess, code: number | null | undefined, how: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopped) return;
    const c = this.client;
    if (code === 100) {
      this.opts.log('info', 'respawn client exited with 100: not respawned', { program: c.path });
      return;
    }
    this.quickRestarts = Date.now() - this.startedAtMs < TOO_FAST_WITHIN_MS ? this.quickRestarts + 1 : 0;
    if (this.quickRestarts > TOO_FAST_COUNT) {
      this.opts.log('crit', 'respawn client respawning too fast: left dead', { program: c.path, exit: how });
      return;
    }
    this.opts.log('warn', 'respawn client exited: restarting it', { program: c.path, exit: how });
    this.timer = setTimeout(() => this.start(), this.opts.restartDelayMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(kill);
  }
}

export class RespawnClients {
  private constructor(private readonly clients: readonly RespawnedClient[]) {}

  /** Starts every respawn client now (a user unknown here is logged and skipped). */
  static start(opts: RespawnOptions): RespawnClients {
    const { config } = opts;
    const env = buildAgentEnvironment({
      config,
      self: opts.self as NodeName,
      resourceDir: join(config.configDir, 'resource.d'),
      ocfRoot: '/usr/lib/ocf',
      inherited: process.env,
    });
    const clients: RespawnedClient[] = [];
    for (const c of respawnedClients(config)) {
      const ids = lookupUser(c.user, opts.passwdFile);
      if (ids === undefined) {
        opts.log('error', 'respawn client not started: unknown user', { program: c.path, user: c.user });
        continue;
      }
      clients.push(new RespawnedClient(c, ids, env, opts));
    }
    for (const c of clients) c.start();
    return new RespawnClients(clients);
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
  }
}
