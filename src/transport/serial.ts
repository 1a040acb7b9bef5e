// `serial DEVICE` at `baud`: classic `>>>`..`<<<` text frames over a tty. The line is put in raw
// 8N1 mode at the configured speed with `stty -F` (Node cannot set termios itself), written in
// 512-byte fragments with a pause of one fragment's transmit time like Heartbeat, and read with a
// framer that resynchronises on `>>>`. Unlike Heartbeat we take no /run/lock lock file.
import { execFile } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import tty from 'node:tty';
import type { Medium } from '../config/media-config.js';
import type { MediumId } from '../config/types.js';
import { SerialFramer } from './serial-framing.js';
import type { Transport, TransportHandlers } from './transport.js';
import { TransportSetupError } from './errors.js';

type SerialMedium = Extract<Medium, { kind: 'serial' }>;

export const SERIAL_FRAGMENT_BYTES = 512;
const BAUDS = new Set([9600, 19200, 38400, 57600, 115200, 230400, 460800]);

export interface SerialContext {
  readonly handlers: TransportHandlers;
  /**
   * Turn the core's bytes (netstring) into what the line carries (classic text). The daemon passes
   * the protocol codec's converter; bytes that already start with `>>>` are sent unchanged.
   */
  readonly toLine?: (bytes: Uint8Array) => Uint8Array | undefined;
}

function stty(args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('stty', [...args], { timeout: 5000 }, (err, _stdout, stderr) => {
      resolve(err ? `${err.message.split('\n')[0] ?? ''} ${stderr.trim()}`.trim() : undefined);
    });
  });
}

export async function configureLine(device: string, baud: number): Promise<string | undefined> {
  const base = ['-F', device, 'raw', '-echo', 'cs8', '-cstopb', '-parenb', 'clocal', String(baud)];
  // Heartbeat asks for hardware flow control; ptys (and some USB adapters) refuse it.
  const withFlow = await stty([...base, 'crtscts']);
  if (withFlow === undefined) return undefined;
  const without = await stty([...base, '-crtscts']);
  if (without !== undefined) return without;
  return 'hardware flow control (crtscts) not supported by the line; running without it';
}

export async function openSerial(medium: SerialMedium, ctx: SerialContext): Promise<Transport> {
  const id: MediumId = medium.id;
  if (!BAUDS.has(medium.baud)) {
    throw new TransportSetupError(id, `baud ${medium.baud} is not one of ${[...BAUDS].join(', ')}`);
  }
  let readFd: number;
  let writeFd: number;
  try {
    readFd = openSync(medium.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (err) {
    throw new TransportSetupError(id, `cannot open ${medium.device}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!tty.isatty(readFd)) {
    closeSync(readFd);
    throw new TransportSetupError(id, `${medium.device} is not a tty`);
  }
  const sttyProblem = await configureLine(medium.device, medium.baud);
  if (sttyProblem !== undefined && !sttyProblem.startsWith('hardware flow')) {
    closeSync(readFd);
    throw new TransportSetupError(id, `cannot configure ${medium.device}: ${sttyProblem}`);
  }
  if (sttyProblem !== undefined) ctx.handlers.onError(id, sttyProblem);
  try {
    writeFd = openSync(medium.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  } catch (err) {
    closeSync(readFd);
    throw new TransportSetupError(id, `cannot open ${medium.device} for writing: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const input = new tty.ReadStream(readFd);
  const output = new tty.WriteStream(writeFd);
  const framer = new SerialFramer();
  input.on('data', (chunk: Buffer) => {
    for (const frame of framer.push(chunk)) ctx.handlers.onPacket(id, frame, medium.device);
  });
  input.on('error', (err) => ctx.handlers.onError(id, `read: ${err.message}`));
  output.on('error', (err) => ctx.handlers.onError(id, `write: ${err.message}`));

  // One fragment's transmit time: 10 bits per byte (8N1 plus start/stop).
  const fragmentPauseMs = Math.ceil((SERIAL_FRAGMENT_BYTES * 10 * 1000) / medium.baud);
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const writeChunk = (chunk: Uint8Array): Promise<void> =>
    new Promise((resolve) => {
      output.write(chunk, () => resolve());
    });
  const send = (bytes: Uint8Array): void => {
    if (closed) return;
    const line = ctx.toLine ? ctx.toLine(bytes) : bytes;
    if (line === undefined) {
      ctx.handlers.onError(id, 'message cannot be converted to the serial (classic) format; not sent');
      return;
    }
    queue = queue.then(async () => {
      for (let off = 0; off < line.length && !closed; off += SERIAL_FRAGMENT_BYTES) {
        if (off > 0) await new Promise((r) => setTimeout(r, fragmentPauseMs));
        await writeChunk(line.subarray(off, off + SERIAL_FRAGMENT_BYTES));
      }
    });
  };
  return {
    id,
    description: `serial ${medium.device} ${medium.baud} baud`,
    send,
    close: async () => {
      closed = true;
      input.destroy();
      output.destroy();
      await Promise.resolve();
    },
  };
}
