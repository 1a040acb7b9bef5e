// Runs one agent command: no shell, a hard timeout, exit code and output captured.
// Every resource operation, every `ip` call and every fence agent goes through here, so timeouts,
// output capture and the "never leave a process behind on timeout" rule live in one place.
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

export interface CommandSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** After SIGTERM on timeout, wait this long before SIGKILL. */
  readonly killGraceMs?: number;
  readonly cwd?: string;
  /** Written to the command's stdin, which is then closed (fence agents read their options there). */
  readonly input?: string;
  /**
   * Called synchronously right after a successful spawn, before any output is read, with the pid
   * (= the process group id). Must not throw.
   */
  readonly onSpawn?: (pid: number) => void;
}

export type CommandOutcome =
  | {
      readonly kind: 'exited';
      readonly code: number;
      readonly stdout: string;
      readonly stderr: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'signalled';
      readonly signal: string;
      readonly stdout: string;
      readonly stderr: string;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'timeout';
      readonly stdout: string;
      readonly stderr: string;
      readonly durationMs: number;
    }
  | { readonly kind: 'spawn-error'; readonly message: string; readonly durationMs: number };

/** Keep at most this much of each stream: status parsing needs the text, logs need the tail. */
const MAX_CAPTURE_BYTES = 64 * 1024;
/**
 * After the child exits, wait this long for its pipes to close. A script that starts a daemon
 * without redirecting its output leaves the pipes open in that daemon; we must not wait for it.
 */
const PIPE_DRAIN_MS = 150;
const DEFAULT_KILL_GRACE_MS = 2000;

class CappedText {
  private chunks: Buffer[] = [];
  private bytes = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > MAX_CAPTURE_BYTES && this.chunks.length > 1) {
      const first = this.chunks.shift();
      if (first) this.bytes -= first.length;
    }
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - MAX_CAPTURE_BYTES)).toString('utf8');
  }
}

/**
 * Runs `file args...` in its own process group (so a timeout can stop everything the script
 * started while it hung). Never rejects: every failure is an outcome.
 */
/**
 * Set by a daemon running real-time (realtime on): children inherit SCHED_RR, which suits the short
 * `ip` and `arping` it starts on the takeover path, but not resource scripts and fence agents, which
 * may run long and busy. Those are started through `chrt --other 0` (it execs them: same pid, same
 * exit code), back at normal priority. Undefined: commands run as they are.
 */
let normalPriorityVia: string | undefined;

export function runCommandsAtNormalPriority(chrt: string | undefined): void {
  normalPriorityVia = chrt;
}

export function runCommand(spec: CommandSpec): Promise<CommandOutcome> {
  if (normalPriorityVia !== undefined)
    spec = { ...spec, file: normalPriorityVia, args: ['--other', '0', spec.file, ...spec.args] };
  const startedMs = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedMs);
  return new Promise((resolve) => {
    let child;
    try {
      const options = {
        env: { ...spec.env },
        detached: true,
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      };
      child =
        spec.input === undefined
          ? spawn(spec.file, [...spec.args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
          : spawn(spec.file, [...spec.args], { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ kind: 'spawn-error', message: errorText(err), durationMs: elapsed() });
      return;
    }
    if (child.pid !== undefined) spec.onSpawn?.(child.pid);
    if (child.stdin !== null) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(spec.input);
    }
    const stdout = new CappedText();
    const stderr = new CappedText();
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));

    let timedOut = false;
    let settled = false;
    let exited = false;
    let killTimer: NodeJS.Timeout | undefined;
    const pid = child.pid;

    const killGroup = (signal: NodeJS.Signals): void => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // already gone
        }
      }
    };

    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      // SIGKILL the whole group even if the leader obeyed SIGTERM: what it started while
      // hanging must not outlive the timeout.
      killTimer = setTimeout(() => killGroup('SIGKILL'), spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      killTimer.unref();
    }, spec.timeoutMs);

    const finish = (outcome: CommandOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      // A timed-out group still gets its SIGKILL; otherwise nothing of ours is left running.
      if (!timedOut && killTimer) clearTimeout(killTimer);
      // Do not close our end of the pipes: a daemon the script left holding them would die of
      // SIGPIPE at its next write. Keep draining (and discarding) until it closes them, without
      // keeping the event loop alive for it.
      for (const stream of [child.stdout, child.stderr]) {
        stream.removeAllListeners('data');
        stream.on('data', () => undefined);
        (stream as Socket).unref();
      }
      resolve(outcome);
    };

    child.on('error', (err) => {
      // ENOENT/EACCES arrive here, without an exit event.
      if (!exited) finish({ kind: 'spawn-error', message: errorText(err), durationMs: elapsed() });
    });

    child.on('exit', (code, signal) => {
      exited = true;
      const make = (): CommandOutcome => {
        const base = { stdout: stdout.text(), stderr: stderr.text(), durationMs: elapsed() };
        if (timedOut) return { kind: 'timeout', ...base };
        if (code !== null) return { kind: 'exited', code, ...base };
        return { kind: 'signalled', signal: signal ?? 'unknown', ...base };
      };
      const drain = setTimeout(() => finish(make()), PIPE_DRAIN_MS);
      child.once('close', () => {
        clearTimeout(drain);
        finish(make());
      });
    });
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One-line summary of an outcome for logs: `rc=1 stderr="..."`. */
export function describeOutcome(outcome: CommandOutcome): string {
  switch (outcome.kind) {
    case 'spawn-error':
      return `spawn-error=${quote(outcome.message)}`;
    case 'exited':
      return `rc=${outcome.code}${tails(outcome.stdout, outcome.stderr)}`;
    case 'signalled':
      return `signal=${outcome.signal}${tails(outcome.stdout, outcome.stderr)}`;
    case 'timeout':
      return `timeout${tails(outcome.stdout, outcome.stderr)}`;
  }
}

const TAIL_CHARS = 300;

function tails(stdout: string, stderr: string): string {
  let s = '';
  const out = tail(stdout);
  const err = tail(stderr);
  if (out) s += ` stdout=${quote(out)}`;
  if (err) s += ` stderr=${quote(err)}`;
  return s;
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > TAIL_CHARS ? '…' + t.slice(t.length - TAIL_CHARS) : t;
}

export function quote(text: string): string {
  return JSON.stringify(text);
}
