// The ha.cf `watchdog <device>` writer, as Heartbeat does it with the Linux watchdog API: once the
// device is open the kernel (or the hardware) reboots the host unless something is written to it
// within its timeout. The daemon writes one NUL byte every keepalive from its event loop, so a hung
// daemon (an event loop that no longer turns) stops feeding it and the host is rebooted; on a
// clean shutdown it writes the magic close character 'V' before closing, which disarms it.
// A daemon that dies without 'V' (killed, or exiting with groups possibly still running) leaves
// the watchdog armed: the supervisor or a restarted daemon must take it over, or the host reboots.
//
// The device is opened non-blocking: a FIFO (what the tests use) without a reader must fail at
// once instead of blocking the event loop, and a character device ignores the flag. Node opens
// with O_CLOEXEC, so resource scripts never inherit the descriptor (a second holder would keep
// the device open after the daemon is gone and make the next open fail with EBUSY).
import { closeSync, constants, openSync, writeSync } from 'node:fs';

export type WatchdogLog = (
  level: 'info' | 'error' | 'crit',
  text: string,
  fields: Record<string, string | number | undefined>,
) => void;

const KEEPALIVE = Buffer.from([0]);
const MAGIC_CLOSE = Buffer.from('V', 'latin1');
/** One error line per this many ms while writes keep failing. */
const ERROR_LOG_EVERY_MS = 10_000;

export class WatchdogWriter {
  private timer: NodeJS.Timeout | undefined;
  private fd: number | undefined;
  private failures = 0;
  private lastErrorLogMs = -Infinity;

  private constructor(
    readonly device: string,
    fd: number,
    private readonly log: WatchdogLog,
  ) {
    this.fd = fd;
  }

  /** Opens the device and starts feeding it; undefined (logged at crit) when it cannot be opened. */
  static open(device: string, intervalMs: number, log: WatchdogLog): WatchdogWriter | undefined {
    let fd: number;
    try {
      fd = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      log('crit', 'watchdog device cannot be opened; running without a watchdog', {
        device,
        error: (err as Error).message,
      });
      return undefined;
    }
    const w = new WatchdogWriter(device, fd, log);
    w.write(KEEPALIVE);
    w.timer = setInterval(() => w.write(KEEPALIVE), Math.max(1, intervalMs));
    w.timer.unref();
    log('info', 'watchdog armed', { device, keepalive_ms: intervalMs });
    return w;
  }

  /**
   * Stops feeding and closes. `disarm`: write 'V' first (a clean stop); otherwise the device stays
   * armed and the host reboots when its timeout expires unless another process feeds it.
   */
  close(disarm: boolean): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.fd === undefined) return;
    if (disarm) this.write(MAGIC_CLOSE);
    try {
      closeSync(this.fd);
    } catch {
      // nothing left to do with it
    }
    this.fd = undefined;
    if (!disarm)
      this.log('crit', 'watchdog left armed: this host reboots unless a restarted daemon feeds it', {
        device: this.device,
      });
  }

  private write(bytes: Buffer): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, bytes);
    } catch (err) {
      this.failures++;
      const now = performance.now();
      if (now - this.lastErrorLogMs >= ERROR_LOG_EVERY_MS) {
        this.lastErrorLogMs = now;
        this.log('error', 'watchdog write failed', {
          device: this.device,
          error: (err as Error).message,
          failures: this.failures,
        });
      }
    }
  }
}

/**
 * The supervisor's disarm after it stopped every group here itself: open, 'V', close. Returns an
 * error message, or undefined when done.
 */
export function disarmWatchdog(device: string): string | undefined {
  try {
    const fd = openSync(device, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      writeSync(fd, MAGIC_CLOSE);
    } finally {
      closeSync(fd);
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
