// The worker thread that does an SBD device's I/O (see sbd-io.ts for why a thread). It owns one
// file descriptor opened O_RDWR|O_DIRECT|O_SYNC, so every read comes from the disk (another host
// may have written it; the page cache would hide that) and every write is on the disk before the
// answer goes back. O_DIRECT needs a sector-aligned buffer: WebAssembly memory is page-aligned,
// a Buffer from Node's pool is not (the kernel answers EINVAL).
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface IoInit {
  readonly path: string;
  readonly sectorSize: number;
  /** The id of the first answer: the device opened, or why not. */
  readonly readyId: number;
}

export type IoRequest =
  | { readonly id: number; readonly op: 'read'; readonly sectors: readonly number[] }
  | {
      readonly id: number;
      readonly op: 'write';
      readonly sector: number;
      readonly data: Uint8Array;
      /** Read the sector back and compare (sbd does this for messages). */
      readonly verify: boolean;
    }
  | { readonly id: number; readonly op: 'close' };

export type IoReply =
  | { readonly id: number; readonly ok: true; readonly data?: readonly Uint8Array[] }
  | { readonly id: number; readonly ok: false; readonly error: string; readonly code?: string };

// The global exists in Node; the project's TS lib (ES2022, no DOM) does not describe it.
declare const WebAssembly: { Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer } };

const init = workerData as IoInit;
const port = parentPort;
if (port === null) throw new Error('sbd-io-worker must run as a worker thread');

const WASM_PAGE = 65536;
const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(init.sectorSize / WASM_PAGE)) });
const buf = Buffer.from(memory.buffer, 0, init.sectorSize);
let fd: number | undefined;
let openError: { error: string; code?: string } | undefined;
try {
  fd = openSync(init.path, constants.O_RDWR | constants.O_DIRECT | constants.O_SYNC);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  openError = {
    error:
      e.code === 'EINVAL'
        ? `${init.path}: this file system does not support O_DIRECT (use a block device)`
        : e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}
port.postMessage(
  openError === undefined ? { id: init.readyId, ok: true } : { id: init.readyId, ok: false, ...openError },
);

function readSector(sector: number): Uint8Array {
  if (fd === undefined) throw new Error('device not open');
  const n = readSync(fd, buf, 0, init.sectorSize, sector * init.sectorSize);
  if (n !== init.sectorSize)
    throw new Error(`short read of sector ${sector}: ${n} of ${init.sectorSize} bytes`);
  return new Uint8Array(buf);
}

function writeSector(sector: number, data: Uint8Array, verify: boolean): void {
  if (fd === undefined) throw new Error('device not open');
  if (data.length !== init.sectorSize)
    throw new Error(`write of ${data.length} bytes, sector is ${init.sectorSize}`);
  buf.set(data);
  const n = writeSync(fd, buf, 0, init.sectorSize, sector * init.sectorSize);
  if (n !== init.sectorSize)
    throw new Error(`short write of sector ${sector}: ${n} of ${init.sectorSize} bytes`);
  if (verify && Buffer.compare(Buffer.from(readSector(sector)), Buffer.from(data)) !== 0)
    throw new Error(`sector ${sector} reads back different from what was written`);
}

port.on('message', (req: IoRequest) => {
  let reply: IoReply;
  try {
    switch (req.op) {
      case 'read':
        reply = { id: req.id, ok: true, data: req.sectors.map(readSector) };
        break;
      case 'write':
        writeSector(req.sector, req.data, req.verify);
        reply = { id: req.id, ok: true };
        break;
      case 'close':
        if (fd !== undefined) closeSync(fd);
        fd = undefined;
        reply = { id: req.id, ok: true };
        break;
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, ok: false, error: e.message, ...(e.code !== undefined ? { code: e.code } : {}) };
  }
  port.postMessage(reply);
  if (req.op === 'close') port.close();
});
