// The daemon side of the disk lock: watch our own slot as sbd's watcher does.
//
// Every loop timeout (from the header; more often when the watchdog timeout is under two loop
// timeouts) one request reads the header, our slot entry and our
// mailbox. A poison pill (`off`, `reset`, `crashdump`) is reported once and the watch ends: the
// daemon releases everything and stops (there is no machine reset here; see docs/fencing.md). `test` is
// logged and cleared, as sbd does; `exit` (sbd's "stop watching") is logged and cleared, since
// watching is the daemon's job and the daemon is stopped with `hbts` instead.
//
// Disk access: a round that fails, times out, or finds the header or our slot changed (device
// re-created, slot taken) is a failed round. With no good round for longer than the watchdog
// timeout from the header, `lost` is reported (the daemon self-fences: a node that can no longer
// read its mailbox can no longer be told to stop, and the fencer will take over after msgwait,
// which sbd requires to be at least twice the watchdog timeout). The next good round reports
// `regained`.
import { performance } from 'node:perf_hooks';
import type { SbdDevice } from './sbd-device.js';
import type { SbdHeader, SbdMailbox } from './sbd-layout.js';
import { sameSlotName } from './sbd-layout.js';

export type PoisonPill = 'off' | 'reset' | 'crashdump';

export interface SbdWatcherHooks {
  /** A fencing message arrived; the watch has ended. */
  poisonPill(command: PoisonPill, from: string): void;
  /** No good round for longer than the watchdog timeout. */
  lost(reason: string): void;
  /** A good round after `lost`. */
  regained(): void;
  log(level: 'debug' | 'info' | 'warn' | 'error' | 'crit', line: string): void;
}

export interface SbdWatcherOptions {
  /** Default: the header's loop timeout, or half the watchdog timeout if that is shorter. */
  readonly pollMs?: number;
  /** Default: the header's watchdog timeout. */
  readonly lostAfterMs?: number;
}

export interface SbdWatchState {
  readonly device: string;
  readonly slot: number;
  readonly lost: boolean;
  readonly lastGoodAgoMs: number;
  readonly lastError: string | undefined;
}

export class SbdWatcher {
  private pollTimer: NodeJS.Timeout | undefined;
  private lostTimer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;
  private isLost = false;
  private lastGoodMs = performance.now();
  private lastError: string | undefined;
  private readonly pollMs: number;
  private readonly lostAfterMs: number;

  private constructor(
    private readonly device: SbdDevice,
    private readonly self: string,
    readonly slot: number,
    private readonly hooks: SbdWatcherHooks,
    opts: SbdWatcherOptions,
  ) {
    this.lostAfterMs = opts.lostAfterMs ?? device.watchdogMs;
    // At least two rounds per watchdog timeout: with sbd's loop 1 s and a watchdog of 1 s, one
    // round per loop would race the lost timer on every round.
    this.pollMs = opts.pollMs ?? Math.min(device.loopMs, Math.floor(this.lostAfterMs / 2));
  }

  /**
   * Finds or allocates `self`'s slot, empties its mailbox (a message left there is from before this
   * start, e.g. the fence that stopped us: logged, then cleared, like sbd's default start mode),
   * and starts watching. Rejects when the device cannot be used.
   */
  static async start(
    device: SbdDevice,
    self: string,
    hooks: SbdWatcherHooks,
    opts: SbdWatcherOptions = {},
  ): Promise<SbdWatcher> {
    const slot = await device.allocateSlot(self);
    const left = await device.readMailbox(slot);
    if (left.code !== 0)
      hooks.log(
        'warn',
        `sbd: ${describe(left)} was waiting in our slot ${slot} on ${device.path} at start; cleared`,
      );
    await device.writeMailbox(slot, 'clear', self);
    const w = new SbdWatcher(device, self, slot, hooks, opts);
    hooks.log(
      'info',
      `sbd: watching slot ${slot} on ${device.path} every ${w.pollMs} ms (${headerLine(device.header)})`,
    );
    w.armLost();
    w.schedule();
    return w;
  }

  state(): SbdWatchState {
    return {
      device: this.device.path,
      slot: this.slot,
      lost: this.isLost,
      lastGoodAgoMs: Math.round(performance.now() - this.lastGoodMs),
      lastError: this.lastError,
    };
  }

  /** Ends the watch (timers only; the device is the caller's to close). */
  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    if (this.lostTimer !== undefined) clearTimeout(this.lostTimer);
    this.pollTimer = this.lostTimer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.pollTimer = setTimeout(() => void this.round(), this.pollMs);
    this.pollTimer.unref();
  }

  /** The lost timer runs from the last good round, so `lost` comes on time even while a read hangs. */
  private armLost(): void {
    if (this.lostTimer !== undefined) clearTimeout(this.lostTimer);
    this.lostTimer = setTimeout(() => {
      this.lostTimer = undefined;
      if (this.stopped || this.isLost) return;
      this.isLost = true;
      const reason = `no access to disk lock ${this.device.path} for ${this.lostAfterMs} ms (${this.lastError ?? 'reads pending'})`;
      this.hooks.log('crit', `sbd: ${reason}`);
      this.hooks.lost(reason);
    }, this.lostAfterMs);
    this.lostTimer.unref();
  }

  private async round(): Promise<void> {
    // a read still hanging: do not pile up another behind it (the lost timer keeps counting)
    if (this.inFlight) return this.schedule();
    this.inFlight = true;
    let mailbox: SbdMailbox | undefined;
    try {
      const r = await this.device.readOwn(this.slot);
      const bad =
        typeof r.header === 'string'
          ? r.header
          : !sameHeader(r.header, this.device.header)
            ? `header changed since start (${headerLine(r.header)}); restart the daemon to use a re-created device`
            : !r.slot.inUse || !sameSlotName(r.slot.name, this.self)
              ? `our slot ${this.slot} now ${r.slot.inUse ? `belongs to "${r.slot.name}"` : 'is free'}`
              : undefined;
      if (bad !== undefined) throw new Error(bad);
      mailbox = r.mailbox;
      this.good();
    } catch (err) {
      this.failed((err as Error).message);
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    if (mailbox !== undefined && mailbox.code !== 0) await this.handle(mailbox);
    this.schedule();
  }

  private good(): void {
    this.lastGoodMs = performance.now();
    if (this.lastError !== undefined) this.hooks.log('info', `sbd: ${this.device.path} readable again`);
    this.lastError = undefined;
    this.armLost();
    if (this.isLost && !this.stopped) {
      this.isLost = false;
      this.hooks.log('warn', `sbd: disk lock ${this.device.path} regained`);
      this.hooks.regained();
    }
  }

  private failed(message: string): void {
    // one line per distinct error, not one per poll
    if (message !== this.lastError) this.hooks.log('error', `sbd: watch round failed: ${message}`);
    this.lastError = message;
  }

  private async handle(m: SbdMailbox): Promise<void> {
    switch (m.command) {
      case 'off':
      case 'reset':
      case 'crashdump':
        this.stop();
        this.hooks.log(
          'crit',
          `sbd: poison pill: ${describe(m)} in our slot ${this.slot} on ${this.device.path}`,
        );
        this.hooks.poisonPill(m.command, m.from);
        return;
      case 'test':
      case 'exit':
      case undefined:
        this.hooks.log(
          m.command === undefined ? 'error' : 'info',
          `sbd: ${describe(m)} in our slot ${this.slot}; clearing it`,
        );
        try {
          await this.device.writeMailbox(this.slot, 'clear', this.self);
        } catch (err) {
          this.failed(`clearing the mailbox: ${(err as Error).message}`);
        }
        return;
      case 'clear':
        return;
    }
  }
}

function describe(m: SbdMailbox): string {
  const what = m.command ?? `unknown command code ${m.code}`;
  return m.from !== '' ? `${what} from ${m.from}` : what;
}

function sameHeader(a: SbdHeader, b: SbdHeader): boolean {
  return (
    a.uuid === b.uuid &&
    a.slots === b.slots &&
    a.timeoutWatchdog === b.timeoutWatchdog &&
    a.timeoutAllocate === b.timeoutAllocate &&
    a.timeoutLoop === b.timeoutLoop &&
    a.timeoutMsgwait === b.timeoutMsgwait
  );
}

export function headerLine(h: SbdHeader): string {
  return `uuid ${h.uuid ?? '-'}, ${h.slots} slots, watchdog ${h.timeoutWatchdog} s, allocate ${h.timeoutAllocate} s, loop ${h.timeoutLoop} s, msgwait ${h.timeoutMsgwait} s`;
}
