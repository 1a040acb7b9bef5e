// Sector I/O on an SBD device, off the event loop and always with a time limit.
//
// Why a worker thread: a shared disk can hang (a SAN path gone, a stuck loop backing file). A
// synchronous read on the main thread would freeze the whole daemon (heartbeats, timers) exactly
// when the cluster most needs it, and a read through libuv's shared thread pool would tie up one of
// its four threads per hung call (file and DNS work of the whole daemon queues behind them). A
// dedicated thread per device isolates that: its requests run one at a time, each answer must come
// within the caller's timeout, and when one does not, that thread is abandoned (terminated as soon
// as the kernel lets go of it) and the next request gets a fresh thread. At most MAX_STUCK threads
// may be stuck at once; after that requests fail at once instead of piling up threads.
// A child process (dd with iflag=direct) would isolate as well, at one process spawn per poll.
import { readFile, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { IoInit, IoReply, IoRequest } from './sbd-io-worker.js';
import { SbdIoError } from './sbd-errors.js';

const MAX_STUCK = 3;

type Pending = {
  resolve(data: readonly Uint8Array[]): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The logical sector size of a block device (from sysfs); 512 for an image file. */
export async function deviceSectorSize(path: string): Promise<number> {
  const st = await stat(path);
  if (!st.isBlockDevice()) return 512;
  const major = Math.floor(st.rdev / 256) & 0xfff;
  const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
  const text = await readFile(`/sys/dev/block/${major}:${minor}/queue/logical_block_size`, 'utf8');
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < 512)
    throw new SbdIoError(`${path}: odd logical block size "${text.trim()}"`);
  return n;
}

export class SectorIo {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stuck = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly sectorSize: number,
  ) {}

  /** Opens `path` in a worker (O_DIRECT|O_SYNC); fails with the system's reason within timeoutMs. */
  static async open(path: string, sectorSize: number, timeoutMs: number): Promise<SectorIo> {
    const io = new SectorIo(path, sectorSize);
    await io.start(timeoutMs);
    return io;
  }

  /** Reads whole sectors, in order. */
  read(sectors: readonly number[], timeoutMs: number): Promise<readonly Uint8Array[]> {
    return this.request({ op: 'read', sectors }, timeoutMs);
  }

  async write(sector: number, data: Uint8Array, timeoutMs: number, verify = false): Promise<void> {
    await this.request({ op: 'write', sector, data, verify }, timeoutMs);
  }

  /** Closes the device; requests still in flight fail. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (w === undefined) return;
    try {
      await this.requestOn(w, { op: 'close' }, 1000);
    } catch {
      // stuck or gone: terminate below
    }
    this.abandon(w, new SbdIoError(`${this.path}: closed`));
  }

  private async start(timeoutMs: number): Promise<void> {
    if (this.stuck >= MAX_STUCK)
      throw new SbdIoError(`${this.path}: ${this.stuck} I/O threads are still stuck on the device`);
    const init: IoInit = { path: this.path, sectorSize: this.sectorSize };
    const w = new Worker(new URL('./sbd-io-worker.js', import.meta.url), { workerData: init });
    w.unref();
    this.worker = w;
    w.on('message', (reply: IoReply) => this.answer(reply));
    w.on('error', (err) =>
      this.abandon(w, new SbdIoError(`${this.path}: I/O thread failed: ${err.message}`)),
    );
    w.on('exit', () => {
      if (this.worker === w) {
        this.worker = undefined;
        this.ready = undefined;
        this.failAll(new SbdIoError(`${this.path}: I/O thread exited`));
      }
    });
    // the worker answers id 0 once it has opened the device
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.abandon(w, new SbdIoError(`${this.path}: open did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(0, { resolve: () => resolve(), reject, timer });
    });
    try {
      await this.ready;
    } catch (err) {
      // the thread stays alive after a failed open: let it go
      this.abandon(w, err as SbdIoError);
      throw err;
    }
  }

  private async request(
    req: DistributiveOmit<IoRequest, 'id'>,
    timeoutMs: number,
  ): Promise<readonly Uint8Array[]> {
    if (this.closed) throw new SbdIoError(`${this.path}: closed`);
    if (this.worker === undefined) await this.start(timeoutMs);
    else await this.ready;
    const w = this.worker;
    if (w === undefined) throw new SbdIoError(`${this.path}: I/O thread gone`);
    return this.requestOn(w, req, timeoutMs);
  }

  private requestOn(
    w: Worker,
    req: DistributiveOmit<IoRequest, 'id'>,
    timeoutMs: number,
  ): Promise<readonly Uint8Array[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.abandon(
          w,
          new SbdIoError(`${this.path}: ${req.op} did not finish within ${timeoutMs} ms`, 'ETIMEDOUT'),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      w.postMessage({ ...req, id });
    });
  }

  private answer(reply: IoReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.data ?? []);
    else p.reject(new SbdIoError(`${this.path}: ${reply.error}`, reply.code));
  }

  /** Give up on a worker: fail what it owes, terminate it (when the kernel lets go), start afresh. */
  private abandon(w: Worker, err: SbdIoError): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.ready = undefined;
    this.failAll(err);
    this.stuck++;
    w.removeAllListeners('exit');
    w.once('exit', () => this.stuck--);
    void w.terminate().catch(() => undefined);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
