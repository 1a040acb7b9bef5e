// One long-running `ip -4 -o -force -batch -` per daemon, so that a takeover does not wait for an
// `ip` process to start (fork + exec + library loading: a few ms on an idle machine, tens of ms on
// a loaded one) once to list the addresses and once more to add the VIP.
//
// ip reads one command a line and does not say when a command is over, so each command is
// followed by a marker: `link show dev hbtsmkN`, a device that cannot exist, which ip answers on
// stderr with `Device "hbtsmkN" does not exist.` That line ends the command's answer; a
// `Command failed -:LINE` for the command's own line before it means the command failed (-force
// keeps ip reading after a failure). ip flushes stdout after each command, before the marker's
// error is written, so the command's output is complete when the marker is seen (after one turn
// of the event loop, in case both pipes became readable at once).
//
// Commands run one at a time. A command that takes longer than its time limit kills the batch
// process (the next command starts a new one). When a batch process cannot be used at all (an
// `ip` without -batch, a wrapper script), every command falls back to its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { describeOutcome, runCommand } from './run-command.js';

export type IpResult = { ok: true; stdout: string } | { ok: false; detail: string };

interface Pending {
  readonly marker: string;
  readonly commandLine: number;
  readonly resolve: (r: IpResult | 'gone') => void;
  readonly timer: NodeJS.Timeout;
  stdout: string;
  stderr: string;
}

/** Options the batch process runs with; a command's own leading copies of these are dropped. */
const BATCH_OPTIONS = ['-4', '-o'];
/** Characters ip's batch line splitter treats specially (quotes, comments, escapes) or splits on. */
const UNSAFE = /[\s"'#\\]/;

export class IpBatch {
  private child: ChildProcess | undefined;
  private pending: Pending | undefined;
  private line = 0;
  private seq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once a batch process failed without answering: every command runs on its own from then on. */
  private unusable = false;
  private closed = false;

  constructor(
    private readonly ipCommand: string,
    private readonly env: Readonly<Record<string, string>>,
    private readonly killGraceMs: number,
  ) {}

  /** `ip ARGS` (through the batch process when it can), with a time limit. */
  run(args: readonly string[], timeoutMs: number): Promise<IpResult> {
    const next = this.queue.then(() => this.runNow(args, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Start the batch process now (at daemon start), so the first takeover finds it running. */
  warm(): void {
    if (!this.unusable && !this.closed && this.child === undefined) this.start();
  }

  close(): void {
    this.closed = true;
    this.stopChild();
  }

  private async runNow(args: readonly string[], timeoutMs: number): Promise<IpResult> {
    let i = 0;
    while (i < args.length && BATCH_OPTIONS.includes(args[i] ?? '')) i++;
    const rest = args.slice(i);
    // the batch runs with -4: only a command that asked for it is the same command there
    const batchable =
      !this.unusable &&
      !this.closed &&
      args.slice(0, i).includes('-4') &&
      rest.length > 0 &&
      !(rest[0] ?? '').startsWith('-') &&
      rest.every((a) => a !== '' && !UNSAFE.test(a));
    if (batchable) {
      const r = await this.viaBatch(rest, timeoutMs);
      if (r !== undefined) return r;
    }
    return this.single(args, timeoutMs);
  }

  private async single(args: readonly string[], timeoutMs: number): Promise<IpResult> {
    const outcome = await runCommand({
      file: this.ipCommand,
      args,
      env: this.env,
      timeoutMs,
      killGraceMs: this.killGraceMs,
    });
    if (outcome.kind !== 'exited' || outcome.code !== 0)
      return { ok: false, detail: `${this.ipCommand} ${args.join(' ')}: ${describeOutcome(outcome)}` };
    return { ok: true, stdout: outcome.stdout };
  }

  /** The command's answer through the batch process, or undefined when that process could not answer at all. */
  private viaBatch(args: readonly string[], timeoutMs: number): Promise<IpResult | undefined> {
    const child = this.child ?? this.start();
    if (child === undefined || child.stdin === null) return Promise.resolve(undefined);
    const marker = `hbtsmk${++this.seq}`;
    const commandLine = ++this.line;
    this.line++; // the marker's line
    return new Promise<IpResult | 'gone'>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.stopChild();
        resolve({
          ok: false,
          detail: `ip ${args.join(' ')}: no answer within ${timeoutMs} ms (batch process killed)`,
        });
      }, timeoutMs);
      this.pending = { marker, commandLine, resolve, timer, stdout: '', stderr: '' };
      child.stdin?.write(`${args.join(' ')}\nlink show dev ${marker}\n`);
    }).then((r) => (r === 'gone' ? undefined : r));
  }

  private start(): ChildProcess | undefined {
    let child: ChildProcess;
    try {
      child = spawn(this.ipCommand, [...BATCH_OPTIONS, '-force', '-batch', '-'], {
        env: { ...this.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch {
      this.unusable = true;
      return undefined;
    }
    this.child = child;
    this.line = 0;
    let answered = false;
    child.stdout?.on('data', (b: Buffer) => {
      if (this.pending !== undefined && this.child === child) this.pending.stdout += b.toString('utf8');
    });
    child.stderr?.on('data', (b: Buffer) => {
      const p = this.pending;
      if (p === undefined || this.child !== child) return;
      p.stderr += b.toString('utf8');
      const end = p.stderr.indexOf(`Device "${p.marker}" does not exist.`);
      if (end < 0) return;
      answered = true;
      // stdout may be readable in the same turn: let its data arrive first
      setImmediate(() => {
        clearTimeout(p.timer);
        if (this.pending === p) this.pending = undefined;
        const own = p.stderr.slice(0, end);
        const failed = own.includes(`Command failed -:${p.commandLine}\n`);
        const detail = own.replace(/Command failed -:\d+\n/g, '').trim();
        p.resolve(
          failed ? { ok: false, detail: `ip ${detail || 'failed'}` } : { ok: true, stdout: p.stdout },
        );
      });
    });
    const gone = (): void => {
      // a process this object already let go of (killed after a timeout): its end is no news
      if (this.child !== child) return;
      this.child = undefined;
      const p = this.pending;
      if (p === undefined) return;
      this.pending = undefined;
      clearTimeout(p.timer);
      // never answered anything: this `ip` cannot run a batch; use a process per command
      if (!answered) this.unusable = true;
      p.resolve('gone');
    };
    child.on('error', gone);
    child.on('exit', gone);
    child.stdin?.on('error', () => undefined);
    return child;
  }

  private stopChild(): void {
    const c = this.child;
    this.child = undefined;
    if (c !== undefined && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}
