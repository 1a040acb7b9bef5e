// The daemon's side of `disk_lock <device>` (the SBD-compatible shared disk): at start, open the
// device, refuse to start if it is not SBD-formatted or cannot be read, take our slot; then watch it
// (src/fencing/sbd-watcher.ts). A poison pill (`sbd -d DEV message <us> off`, or a peer fencing us
// with `fence <us> sbd`) stops the daemon at once the graceful way: every group released (VIPs
// included), then exit; there is no machine reset, so that release must fit in msgwait. Losing the
// disk for longer than its watchdog timeout self-fences (admin `self-fence`: release everything,
// take nothing); the disk back clears it.
import type { AdminCommand } from '../cluster/types.js';
import { SbdDevice } from '../fencing/sbd-device.js';
import { SbdFormatError } from '../fencing/sbd-errors.js';
import type { SbdWatchState } from '../fencing/sbd-watcher.js';
import { SbdWatcher } from '../fencing/sbd-watcher.js';
import { DaemonStartError } from './errors.js';
import type { EventLog } from './event-log.js';

export interface DiskLock {
  state(): SbdWatchState;
  /** Ends the watch and closes the device. */
  close(): Promise<void>;
}

export interface DiskLockHooks {
  /** The core's admin input (self-fence, self-fence-clear). */
  admin(command: AdminCommand): void;
  /** The daemon's graceful shutdown: hand everything over, then exit. */
  shutdown(): void;
}

/**
 * Start-up check, before anything else is opened: the device (when there is one) must be an SBD
 * device we can read. On refusal `before` runs (the caller's clean-up), then DaemonStartError.
 */
export async function checkDiskLock(device: string | undefined, before: () => void): Promise<void> {
  if (device === undefined) return;
  try {
    await (await openDevice(device)).close();
  } catch (err) {
    before();
    throw err;
  }
}

async function openDevice(device: string): Promise<SbdDevice> {
  try {
    return await SbdDevice.open(device);
  } catch (err) {
    const code = err instanceof SbdFormatError ? 6 : 1;
    throw new DaemonStartError(`disk_lock: ${(err as Error).message}`, code, { cause: err });
  }
}

/**
 * Opens the disk lock (none: undefined) and starts watching our slot. Throws DaemonStartError
 * (exit 6 when the device is not SBD-formatted, 1 when it cannot be used).
 */
export async function startDiskLock(
  device: string | undefined,
  self: string,
  log: EventLog,
  hooks: DiskLockHooks,
): Promise<DiskLock | undefined> {
  if (device === undefined) return undefined;
  const dev = await openDevice(device);
  let watcher: SbdWatcher;
  try {
    watcher = await SbdWatcher.start(dev, self, {
      poisonPill: (command, from) => {
        log.log('crit', 'disk lock: poison pill; releasing every group and stopping now', {
          device,
          command,
          from: from === '' ? '?' : from,
        });
        hooks.shutdown();
      },
      lost: (reason) => hooks.admin({ kind: 'self-fence', reason }),
      regained: () => hooks.admin({ kind: 'self-fence-clear' }),
      log: (level, line) => log.log(level, line),
    });
  } catch (err) {
    await dev.close();
    throw new DaemonStartError(`disk_lock ${device}: cannot take our slot: ${(err as Error).message}`, 1, {
      cause: err,
    });
  }
  if (dev.msgwaitMs < 2 * dev.watchdogMs)
    log.log(
      'warn',
      'disk lock: msgwait is less than twice the watchdog timeout; a fencer may take over before this node has given up',
      {
        device,
        msgwait: dev.header.timeoutMsgwait,
        watchdog: dev.header.timeoutWatchdog,
      },
    );
  return {
    state: () => watcher.state(),
    close: async () => {
      watcher.stop();
      await dev.close();
    },
  };
}
