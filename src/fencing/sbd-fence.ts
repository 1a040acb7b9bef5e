// Fencing through the disk (`fence <node> sbd`), as SBD fencing does it: write `off` into the
// node's mailbox (read back to verify), then wait msgwait. By then the node has either read the
// message and released everything (its watcher polls every loop timeout), or it has lost the disk
// for longer than its watchdog timeout and released everything on its own (sbd-watcher.ts); sbd
// requires msgwait >= 2 x watchdog for exactly this reason. Either way it holds nothing: ok.
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SbdDevice } from './sbd-device.js';

export interface SbdFenceOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly method: string;
}

export type SbdLog = (line: string, level?: 'debug' | 'info' | 'warn' | 'error') => void;

export interface SbdFenceOptions {
  /** Our name, stored as the sender (`sbd list` shows it); default uname -n, as sbd does. */
  readonly from?: string;
  /** Cancels the wait (the daemon is stopping): the outcome is then not ok. */
  readonly signal?: AbortSignal;
  /** The command to send; `off` unless told (`reset` is the same to a heartbeat-ts node). */
  readonly command?: 'off' | 'reset';
}

/** Never rejects: every failure is an outcome with ok=false and the reason in `detail`. */
export async function fenceViaSbd(
  device: string | SbdDevice,
  node: string,
  log: SbdLog,
  opts: SbdFenceOptions = {},
): Promise<SbdFenceOutcome> {
  const path = typeof device === 'string' ? device : device.path;
  const method = `sbd ${path}`;
  const command = opts.command ?? 'off';
  let dev: SbdDevice | undefined;
  try {
    dev = typeof device === 'string' ? await SbdDevice.open(device) : device;
    const slot = await dev.findSlot(node);
    if (slot === undefined)
      return {
        ok: false,
        method,
        detail: `${node} has no slot on ${path}: it never watched this disk, so a message there cannot stop it`,
      };
    const from = opts.from ?? hostname();
    await dev.writeMailbox(slot, command, from, true);
    log(
      `sbd: wrote ${command} into slot ${slot} (${node}) on ${path}; waiting msgwait ${dev.header.timeoutMsgwait} s`,
      'warn',
    );
    await sleep(dev.msgwaitMs, undefined, opts.signal !== undefined ? { signal: opts.signal } : {});
    return {
      ok: true,
      method,
      detail: `${command} delivered to ${node} (slot ${slot}) and msgwait ${dev.header.timeoutMsgwait} s passed`,
    };
  } catch (err) {
    const e = err as Error;
    const detail = e.name === 'AbortError' ? 'cancelled while waiting msgwait' : e.message;
    log(`sbd: fencing ${node} via ${path} failed: ${detail}`, 'error');
    return { ok: false, method, detail };
  } finally {
    if (typeof device === 'string') await dev?.close();
  }
}
