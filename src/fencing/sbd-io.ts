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

interface Pending {
  resolve(data: readonly Uint8Array[]): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

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
  /** The thread in use and the promise of its open; undefined after it was given up. */
  private current: { readonly worker: Worker; readonly ready: Promise<void> } | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending & { readonly worker: Worker }>();
  /** Threads given up while a request of theirs was still in the kernel. */
  private readonly stuck = new Set<Worker>();
  private closed = false;

  private constructor(
    readonly path: string,
    readonly sectorSize: number,
  ) {}

  /** Opens `path` in a worker (O_DIRECT|O_SYNC); fails with the system's reason within timeoutMs. */
  static async open(path: string, sectorSize: number, timeoutMs: number): Promise<SectorIo> {
    const io = new SectorIo(path, sectorSize);
    await io.thread(timeoutMs);
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
    const c = this.current;
    if (c === undefined) return;
    try {
      await c.ready;
      await this.requestOn(c.worker, { op: 'close' }, 1000);
    } catch {
      // stuck or gone: terminated below
    }
    this.giveUp(c.worker, new SbdIoError(`${this.path}: closed`));
  }

  /** The thread to use, started (and the device opened) when there is none. */
  private async thread(timeoutMs: number): Promise<Worker> {
    if (this.current === undefined) {
      if (this.stuck.size >= MAX_STUCK)
        throw new SbdIoError(`${this.path}: ${this.stuck.size} I/O threads are still stuck on the device`);
      this.current = this.spawn(timeoutMs);
    }
    const c = this.current;
    await c.ready;
    return c.worker;
  }

  private spawn(timeoutMs: number): { worker: Worker; ready: Promise<void> } {
    const init: IoInit = { path: this.path, sectorSize: this.sectorSize, readyId: this.nextId++ };
    const w = new Worker(new URL('./sbd-io-worker.js', import.meta.url), { workerData: init });
    w.unref();
    w.on('message', (reply: IoReply) => this.answer(w, reply));
    w.on('error', (err) => this.giveUp(w, new SbdIoError(`${this.path}: I/O thread failed: ${err.message}`)));
    w.on('exit', () => {
      this.giveUp(w, new SbdIoError(`${this.path}: I/O thread exited`));
      this.stuck.delete(w);
    });
    // the worker answers readyId once it has opened the device (or failed to)
    const ready = new Promise<void>((resolve, reject) =>
      this.track(w, init.readyId, 'open', timeoutMs, () => resolve(), reject),
    );
    // a failed open leaves the thread alive: let it go
    ready.catch((err: SbdIoError) => this.giveUp(w, err));
    return { worker: w, ready };
  }

  private async request(
    req: DistributiveOmit<IoRequest, 'id'>,
    timeoutMs: number,
  ): Promise<readonly Uint8Array[]> {
    if (this.closed) throw new SbdIoError(`${this.path}: closed`);
    return this.requestOn(await this.thread(timeoutMs), req, timeoutMs);
  }

  private requestOn(
    w: Worker,
    req: DistributiveOmit<IoRequest, 'id'>,
    timeoutMs: number,
  ): Promise<readonly Uint8Array[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.track(w, id, req.op, timeoutMs, resolve, reject);
      w.postMessage({ ...req, id });
    });
  }

  /** Waits for answer `id` from `w`; none within `timeoutMs` gives the thread up. */
  private track(
    w: Worker,
    id: number,
    what: string,
    timeoutMs: number,
    resolve: Pending['resolve'],
    reject: Pending['reject'],
  ): void {
    const timer = setTimeout(() => {
      this.giveUp(
        w,
        new SbdIoError(`${this.path}: ${what} did not finish within ${timeoutMs} ms`, 'ETIMEDOUT'),
      );
    }, timeoutMs);
    this.pending.set(id, { worker: w, resolve, reject, timer });
  }

  private answer(w: Worker, reply: IoReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined || p.worker !== w) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.data ?? []);
    else p.reject(new SbdIoError(`${this.path}: ${reply.error}`, reply.code));
  }

  /**
   * Stop using a thread: fail what it owes, and terminate it. A thread blocked in the kernel ends
   * only when the kernel lets go; until then it counts as stuck.
   */
  private giveUp(w: Worker, err: SbdIoError): void {
    if (this.current?.worker === w) this.current = undefined;
    let owed = false;
    for (const [id, p] of this.pending) {
      if (p.worker !== w) continue;
      owed = true;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
    if (owed && w.threadId !== -1) this.stuck.add(w);
    void w.terminate().catch(() => undefined);
  }
}
