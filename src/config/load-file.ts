// Reading a configuration file without trusting what the path names: only a regular file, at most
// MAX_CONFIG_FILE_BYTES. The file is opened with O_NONBLOCK (a FIFO's open would otherwise wait for
// a writer for ever) and checked with fstat on that very descriptor (no race with a rename), so a
// FIFO, a device such as /dev/zero, or a directory is refused at once with a clear message.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** ha.cf, authkeys, haresources and the small files next to them: far below this. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export type ConfigFileRead =
  | { readonly kind: 'ok'; readonly text: string; readonly mode: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'error'; readonly message: string };

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function whatItIs(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Why the file (by its fstat) is refused, or undefined. */
function refusal(st: Stats, maxBytes: number): string | undefined {
  if (!st.isFile()) return `is ${whatItIs(st)}, not a regular file: refusing to read it`;
  if (st.size > maxBytes)
    return `is ${st.size} bytes long, more than the ${mib(maxBytes)} a config file may have`;
  return undefined;
}

function openError(e: unknown): ConfigFileRead {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { kind: 'missing' };
  return { kind: 'error', message: `cannot read: ${code ?? String(e)}` };
}

function tooLong(maxBytes: number): ConfigFileRead {
  return { kind: 'error', message: `is longer than the ${mib(maxBytes)} a config file may have` };
}

export async function readConfigFile(
  path: string,
  encoding: 'utf8' | 'latin1',
  maxBytes = MAX_CONFIG_FILE_BYTES,
): Promise<ConfigFileRead> {
  let fh;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (e) {
    return openError(e);
  }
  try {
    const st = await fh.stat();
    const no = refusal(st, maxBytes);
    if (no !== undefined) return { kind: 'error', message: no };
    // Up to one byte more than allowed, whatever fstat said: a file that grew since (or reports no
    // size) is noticed, not cut short.
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total === buf.length) break;
    }
    if (total > maxBytes) return tooLong(maxBytes);
    return { kind: 'ok', text: buf.subarray(0, total).toString(encoding), mode: st.mode };
  } catch (e) {
    return { kind: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  } finally {
    await fh.close();
  }
}

/** The same, synchronously (resource lookups answer `hbts check` without an event loop). */
export function readConfigFileSync(
  path: string,
  encoding: 'utf8' | 'latin1',
  maxBytes = MAX_CONFIG_FILE_BYTES,
): ConfigFileRead {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    return openError(e);
  }
  try {
    const st = fstatSync(fd);
    const no = refusal(st, maxBytes);
    if (no !== undefined) return { kind: 'error', message: no };
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) break;
      total += n;
      if (total === buf.length) break;
    }
    if (total > maxBytes) return tooLong(maxBytes);
    return { kind: 'ok', text: buf.subarray(0, total).toString(encoding), mode: st.mode };
  } catch (e) {
    return { kind: 'error', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  } finally {
    closeSync(fd);
  }
}
