// The supervisor `hbts daemon` runs by default: a small parent process that starts the daemon as
// its child and outlives it. It has no cluster logic and opens no socket the daemon needs; it
// forwards SIGTERM/SIGINT/SIGHUP, and when the daemon dies unexpectedly (killed by a signal, or a
// non-zero exit nobody asked for) it restarts it at once, so that the new daemon's first
// heartbeat reaches the peers before their deadtime ends and nothing moves (the core does not take
// over from a peer that restarted and is still probing). When it cannot (the restart budget is
// spent, the restarted daemon fails, or it is not back in time) it stops the groups the
// held-groups record names, virtual IPs first, before the peers' deadtime ends (local-stop.ts),
// logs at crit and exits 1: the peers then take the groups over and nothing runs twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../config/types.js';
import type { ConfigResult } from './config-result.js';
import { EventLog, logTargets } from './event-log.js';
import { loadConfigForDaemon } from './load-config.js';
import { applyRealtime, realtimePlan } from './realtime.js';
import { stopHeldGroupsLocally } from './local-stop.js';
import { PID_FILE_NAME } from './control-protocol.js';
import { readFileNoFollow, writeFileNoFollow } from './private-dir.js';
import { RestartBudget, restartWindowMs, type RestartLimit } from './restart-budget.js';
import { isChildMessage, SUPERVISED_CHILD_FLAG, SUPERVISOR_PID_FILE_NAME } from './supervisor-link.js';
import { disarmWatchdog } from './watchdog.js';
import { leanChildEnv, leanNodeArgs } from './lean-child.js';

export interface SupervisorOptions {
  /** The `hbts daemon` arguments, passed on to the child (plus the internal flag). */
  readonly args: readonly string[];
  /** dist/src/cli/main.js */
  readonly mainScript: string;
  readonly configDir: string;
  readonly nodeName: string | undefined;
  readonly runDir: string;
  readonly stateDir: string;
  readonly restartLimit: RestartLimit;
  readonly foreground: boolean;
  /** Loads the configuration (tests may count calls); default loadConfigForDaemon. */
  readonly loadConfig?: (configDir: string, nodeName: string | undefined) => Promise<ConfigResult>;
}

/** How one child ended, or that it reported ready. */
type ChildEnd =
  | { readonly kind: 'ready'; readonly pid: number }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

const describeEnd = (e: ChildEnd): string =>
  e.kind === 'ready' ? 'ready' : e.signal !== null ? `killed by ${e.signal}` : `exit code ${e.code ?? '?'}`;

export async function runSupervisor(o: SupervisorOptions): Promise<number> {
  const loaded = await (o.loadConfig ?? loadConfigForDaemon)(o.configDir, o.nodeName);
  if (!loaded.ok) {
    process.stderr.write(`hbts daemon: not started:\n${loaded.errors.join('\n')}\n`);
    return 6;
  }
  // realtime as the daemon (and first: the daemon it starts inherits SCHED_RR, so a restart is not
  // slowed by load either); the supervisor's local stop must beat the peers' takeover.
  const rt = await applyRealtime(realtimePlan(loaded.config.directives), process.pid);
  const sup = new Supervisor(o, loaded.config, loaded.nodeName.toLowerCase());
  sup.note(rt.applied ? 'info' : 'warn', `supervisor: realtime: ${rt.detail}`);
  return sup.run();
}

class Supervisor {
  private readonly log: EventLog;
  private readonly budget: RestartBudget;
  private child: ChildProcess | undefined;
  /** A shutdown was asked (a signal to us, or `stopping` from the child). */
  private stopAsked = false;
  private readonly pidPath: string;
  private pidWritten = false;
  /** Resolves the wait for the current child's next event. */
  private onChild: ((e: ChildEnd) => void) | undefined;
  private readonly pending: ChildEnd[] = [];

  constructor(
    private readonly o: SupervisorOptions,
    private config: ClusterConfig,
    private readonly self: string,
  ) {
    this.log = new EventLog(self, logTargets(config, o.foreground));
    this.budget = new RestartBudget(o.restartLimit);
    this.pidPath = join(o.runDir, SUPERVISOR_PID_FILE_NAME);
  }

  note(level: 'info' | 'warn', text: string): void {
    this.log.log(level, text);
  }

  async run(): Promise<number> {
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', () => this.forwardStop('SIGTERM')],
      ['SIGINT', () => this.forwardStop('SIGINT')],
      ['SIGHUP', () => this.reload()],
    ];
    for (const [sig, h] of handlers) process.on(sig, h);
    try {
      return await this.supervise();
    } finally {
      for (const [sig, h] of handlers) process.off(sig, h);
      if (this.pidWritten) rmSync(this.pidPath, { force: true });
      this.log.close();
    }
  }

  private async supervise(): Promise<number> {
    const startedMs = performance.now();
    this.spawnChild();
    const first = await this.next();
    if (first.kind === 'exit') return first.code ?? 1; // the daemon said why on stderr
    const startMs = Math.round(performance.now() - startedMs);
    writeFileNoFollow(this.pidPath, `${process.pid}\n`, false);
    this.pidWritten = true;
    const w = restartWindowMs(this.config);
    this.log.log('info', 'supervisor: daemon running', {
      pid: first.pid,
      start_ms: startMs,
      restart_within_ms: w.readyWithinMs,
      restart_limit: `${this.o.restartLimit.count}/${this.o.restartLimit.windowMs / 1000}s`,
    });
    if (startMs > w.readyWithinMs)
      this.log.log('warn', 'supervisor: the daemon took longer to start than a restart may take', {
        start_ms: startMs,
        restart_within_ms: w.readyWithinMs,
        hint: 'a crashed daemon will likely not be back before deadtime: its groups are then stopped here and taken over',
      });
    for (;;) {
      const end = await this.next();
      if (end.kind === 'ready') continue;
      const outcome = await this.afterExit(end);
      if (outcome !== undefined) return outcome;
    }
  }

  /** The child exited: the exit code to return, or undefined when a restarted child runs again. */
  private async afterExit(end: Extract<ChildEnd, { kind: 'exit' }>): Promise<number | undefined> {
    const diedMs = performance.now();
    if (end.code === 0) return 0;
    if (this.stopAsked) {
      // a daemon that chose to exit non-zero during its shutdown has logged why (and what it
      // still holds); one killed during it may have left groups half released
      if (end.signal === null) return end.code ?? 1;
      return this.stopLocally(`the daemon was ${describeEnd(end)} while shutting down`, diedMs);
    }
    this.log.log('crit', 'supervisor: the daemon died', {
      how: describeEnd(end),
      restarts_in_window: this.budget.used(diedMs),
    });
    if (!this.budget.take(diedMs))
      return this.stopLocally(
        `restart budget spent (${this.o.restartLimit.count} in ${this.o.restartLimit.windowMs / 1000} s)`,
        diedMs,
      );
    const { readyWithinMs } = restartWindowMs(this.config);
    this.spawnChild();
    const left = readyWithinMs - (performance.now() - diedMs);
    const next = await this.next(Math.max(0, left));
    if (next === undefined) {
      const late = this.child;
      this.log.log('crit', 'supervisor: the restarted daemon is not back in time; killing it', {
        pid: late?.pid,
        restart_within_ms: readyWithinMs,
      });
      this.signalChild('SIGKILL');
      while ((await this.next()).kind !== 'exit'); // a ready that raced the kill does not count
      return this.stopLocally('the restarted daemon was not back before deadtime', diedMs);
    }
    if (next.kind === 'exit')
      return this.stopLocally(`the restarted daemon failed to start (${describeEnd(next)})`, diedMs);
    this.log.log('warn', 'supervisor: daemon restarted', {
      pid: next.pid,
      restart_ms: Math.round(performance.now() - diedMs),
      restart_within_ms: readyWithinMs,
    });
    return undefined;
  }

  private async stopLocally(why: string, diedMs: number): Promise<number> {
    this.log.log('crit', 'supervisor: cannot keep the daemon running; stopping the groups held here', {
      reason: why,
    });
    const stopStartMs = performance.now();
    const r = await stopHeldGroupsLocally({
      config: this.config,
      self: this.self,
      stateDir: this.o.stateDir,
      log: this.log,
    });
    const fields = {
      stopped: r.stopped.join(',') || 'none',
      failed: r.failed.join(',') || undefined,
      ips_gone_after_death_ms: Math.round(stopStartMs - diedMs + r.addressesGoneMs),
      done_after_death_ms: Math.round(performance.now() - diedMs),
      deadtime_ms: this.config.deadtimeMs,
    };
    if (r.ok) this.log.log('crit', 'supervisor: every group held here is stopped; exiting', fields);
    else this.log.log('crit', 'supervisor: some groups could not be stopped and may still run here', fields);
    this.settleWatchdog(r.ok);
    this.removeStalePidFile();
    return 1;
  }

  /** The dead daemon's hbts.pid, so nothing mistakes a reused pid for it. */
  private removeStalePidFile(): void {
    const path = join(this.o.runDir, PID_FILE_NAME);
    try {
      const pid = readFileNoFollow(path)?.toString('latin1').trim();
      if (pid !== undefined && pid === String(this.child?.pid)) rmSync(path, { force: true });
    } catch {
      // not a plain file of ours: the next daemon start refuses it and says why
    }
  }

  /**
   * The dead daemon left the watchdog armed (no magic close). Once everything here is stopped a
   * reboot would achieve nothing: disarm it. If a stop failed, leave it armed: the reboot that
   * follows is the only fence this node has left.
   */
  private settleWatchdog(allStopped: boolean): void {
    const device = this.config.watchdog;
    if (device === undefined) return;
    if (!allStopped) {
      this.log.log('crit', 'supervisor: watchdog left armed: this host reboots when it expires', { device });
      return;
    }
    const error = disarmWatchdog(device);
    if (error === undefined) this.log.log('info', 'supervisor: watchdog disarmed', { device });
    else this.log.log('error', 'supervisor: watchdog could not be disarmed', { device, error });
  }

  private spawnChild(): void {
    this.pending.length = 0;
    const child = spawn(
      process.execPath,
      [
        ...leanNodeArgs(process.execArgv, process.env['NODE_OPTIONS']),
        this.o.mainScript,
        'daemon',
        ...this.o.args,
        `--${SUPERVISED_CHILD_FLAG}`,
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: leanChildEnv(process.env) },
    );
    this.child = child;
    child.on('message', (m: unknown) => {
      if (!isChildMessage(m) || this.child !== child) return;
      if (m.kind === 'stopping') this.stopAsked = true;
      else if (m.kind === 'reloaded') void this.adoptReload();
      else this.deliver({ kind: 'ready', pid: m.pid });
    });
    let ended = false;
    const ended1 = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.deliver({ kind: 'exit', code, signal });
    };
    child.once('exit', ended1);
    child.once('error', (err) => {
      this.log.log('error', 'supervisor: cannot run the daemon', { error: err.message });
      if (child.pid === undefined) ended1(1, null); // never spawned: no exit event follows
    });
  }

  private deliver(e: ChildEnd): void {
    const waiting = this.onChild;
    if (waiting !== undefined) {
      this.onChild = undefined;
      waiting(e);
    } else this.pending.push(e);
  }

  /** The current child's next event; undefined after timeoutMs (when given). */
  private next(): Promise<ChildEnd>;
  private next(timeoutMs: number): Promise<ChildEnd | undefined>;
  private next(timeoutMs?: number): Promise<ChildEnd | undefined> {
    const queued = this.pending.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.onChild = undefined;
              resolve(undefined);
            }, timeoutMs);
      this.onChild = (e) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(e);
      };
    });
  }

  private signalChild(sig: NodeJS.Signals): void {
    const c = this.child;
    if (c?.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    try {
      process.kill(c.pid, sig);
    } catch {
      // gone already; its exit event follows
    }
  }

  private forwardStop(sig: NodeJS.Signals): void {
    this.stopAsked = true;
    this.signalChild(sig);
  }

  /** SIGHUP: the daemon reloads; the supervisor follows once it says it committed (adoptReload). */
  private reload(): void {
    this.signalChild('SIGHUP');
  }

  /**
   * The daemon committed a reload (by SIGHUP or `hbts reload`): read the same files. A refused
   * reload never gets here, so the supervisor keeps what the daemon keeps.
   */
  private async adoptReload(): Promise<void> {
    const next = await (this.o.loadConfig ?? loadConfigForDaemon)(this.o.configDir, this.o.nodeName);
    if (!next.ok) return; // changed again since the daemon read it: the daemon's next reload says why
    this.config = next.config;
    this.log.retarget(logTargets(next.config, this.o.foreground));
    this.log.log('info', 'supervisor: follows the reloaded configuration', {
      groups: next.config.resourceGroups.length,
      deadtime_ms: next.config.deadtimeMs,
    });
  }
}
