// One SBD device (a small shared disk): its header, its slots and their mailboxes, laid out as
// ClusterLabs sbd lays them out (sbd-layout.ts), so Debian's `sbd` tool and this code can be used
// on the same device at the same time. Nothing is cached: every call reads the disk (O_DIRECT),
// because other nodes write it. Every request has a time limit (sbd-io.ts).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SbdFormatError, SbdIoError, SbdSlotError } from './sbd-errors.js';
import { SectorIo, deviceSectorSize } from './sbd-io.js';
import type { SbdCommand, SbdHeader, SbdMailbox, SbdSlot } from './sbd-layout.js';
import {
  decodeHeader,
  decodeMailbox,
  decodeSlot,
  encodeHeader,
  encodeMailbox,
  encodeSlot,
  mailboxSector,
  sameSlotName,
  slotSector,
} from './sbd-layout.js';

export interface SbdOpenOptions {
  /**
   * Limit for one request (one sector, or one batch of up to 32). Default: 3 loop timeouts from
   * the header, which is sbd's default for its `-I` read timeout; 5 s until the header is read.
   */
  readonly ioTimeoutMs?: number;
}

export interface SbdCreateOptions {
  /** Seconds, as `sbd create -1/-2/-3/-4` take them; sbd's defaults are 5, 2, 1, 10. */
  readonly watchdog?: number;
  readonly allocate?: number;
  readonly loop?: number;
  readonly msgwait?: number;
  readonly slots?: number;
}

export interface SbdSlotEntry {
  readonly slot: SbdSlot;
  readonly mailbox: SbdMailbox;
}

const OPEN_TIMEOUT_MS = 5000;
const BATCH = 32;

export function howToCreate(path: string): string {
  return `create it with: sbd -d ${path} create (erases the device; -1 <watchdog s> -4 <msgwait s> set shorter timeouts, msgwait at least twice the watchdog timeout)`;
}

export class SbdDevice {
  private constructor(
    readonly path: string,
    private readonly io: SectorIo,
    /** The header as read at open (the watcher checks that it stays the same). */
    readonly header: SbdHeader,
    readonly ioTimeoutMs: number,
  ) {}

  /**
   * Opens `path` and reads its header. Rejects with SbdFormatError (saying how to create one)
   * when it is not an SBD device, SbdIoError when it cannot be read.
   */
  static async open(path: string, opts: SbdOpenOptions = {}): Promise<SbdDevice> {
    const first = opts.ioTimeoutMs ?? OPEN_TIMEOUT_MS;
    const io = await openIo(path, first);
    try {
      const [sector0] = await io.read([0], first);
      const header = decodeHeader(sector0 ?? new Uint8Array(), io.sectorSize);
      if (typeof header === 'string')
        throw new SbdFormatError(`${path} is not an SBD device: ${header}; ${howToCreate(path)}`);
      return new SbdDevice(path, io, header, opts.ioTimeoutMs ?? 3 * header.timeoutLoop * 1000);
    } catch (err) {
      await io.close();
      throw err;
    }
  }

  /** Writes a fresh header and empties every slot, as `sbd -d DEV create` does. Erases the device. */
  static async create(path: string, opts: SbdCreateOptions = {}): Promise<SbdHeader> {
    const io = await openIo(path, OPEN_TIMEOUT_MS);
    try {
      const header: SbdHeader = {
        version: 2,
        minorVersion: 1,
        slots: opts.slots ?? 255,
        sectorSize: io.sectorSize,
        timeoutWatchdog: opts.watchdog ?? 5,
        timeoutAllocate: opts.allocate ?? 2,
        timeoutLoop: opts.loop ?? 1,
        timeoutMsgwait: opts.msgwait ?? 10,
        uuid: randomUUID(),
      };
      if (header.slots < 1 || header.slots > 255)
        throw new RangeError(`slots must be 1..255, not ${header.slots}`);
      await io.write(0, encodeHeader(header, io.sectorSize), OPEN_TIMEOUT_MS);
      const empty = new Uint8Array(io.sectorSize);
      for (let i = 0; i < header.slots; i++) {
        await io.write(slotSector(i), empty, OPEN_TIMEOUT_MS);
        await io.write(mailboxSector(i), empty, OPEN_TIMEOUT_MS);
      }
      return header;
    } finally {
      await io.close();
    }
  }

  get sectorSize(): number {
    return this.io.sectorSize;
  }
  get msgwaitMs(): number {
    return this.header.timeoutMsgwait * 1000;
  }
  get watchdogMs(): number {
    return this.header.timeoutWatchdog * 1000;
  }
  get loopMs(): number {
    return this.header.timeoutLoop * 1000;
  }
  get allocateMs(): number {
    return this.header.timeoutAllocate * 1000;
  }

  /** Reads and validates sector 0 again. */
  async readHeader(): Promise<SbdHeader> {
    const [s] = await this.io.read([0], this.ioTimeoutMs);
    const h = decodeHeader(s ?? new Uint8Array(), this.io.sectorSize);
    if (typeof h === 'string') throw new SbdFormatError(`${this.path}: ${h}`);
    return h;
  }

  async readSlot(index: number): Promise<SbdSlot> {
    this.checkIndex(index);
    const [s] = await this.io.read([slotSector(index)], this.ioTimeoutMs);
    return decodeSlot(index, s ?? new Uint8Array());
  }

  async readMailbox(index: number): Promise<SbdMailbox> {
    this.checkIndex(index);
    const [s] = await this.io.read([mailboxSector(index)], this.ioTimeoutMs);
    return decodeMailbox(s ?? new Uint8Array());
  }

  /** One watch round in one request: header, the slot's entry and its mailbox. */
  async readOwn(index: number): Promise<{ header: SbdHeader | string; slot: SbdSlot; mailbox: SbdMailbox }> {
    this.checkIndex(index);
    const [h, s, m] = await this.io.read([0, slotSector(index), mailboxSector(index)], this.ioTimeoutMs);
    const empty = new Uint8Array();
    return {
      header: decodeHeader(h ?? empty, this.io.sectorSize),
      slot: decodeSlot(index, s ?? empty),
      mailbox: decodeMailbox(m ?? empty),
    };
  }

  /** Writes a command into a slot's mailbox; `verify` reads it back (sbd does for messages). */
  async writeMailbox(index: number, command: SbdCommand, from: string, verify = false): Promise<void> {
    this.checkIndex(index);
    await this.io.write(
      mailboxSector(index),
      encodeMailbox(command, from, this.io.sectorSize),
      this.ioTimeoutMs,
      verify,
    );
  }

  /** Every slot in use with its mailbox, as `sbd -d DEV list` prints them. */
  async list(): Promise<SbdSlotEntry[]> {
    const out: SbdSlotEntry[] = [];
    for (const slot of await this.readSlots()) {
      if (slot.inUse) out.push({ slot, mailbox: await this.readMailbox(slot.index) });
    }
    return out;
  }

  /** The first slot in use with this name (sbd's lookup: case-insensitive, 63 bytes), if any. */
  async findSlot(name: string): Promise<number | undefined> {
    return (await this.readSlots((s) => s.inUse && sameSlotName(s.name, name)))?.index;
  }

  /**
   * This node's slot: found by name, or allocated as sbd does it (claim the first free slot, wait
   * the allocate timeout, look again: of two nodes that claimed one slot, the later write wins and
   * the other claims the next free one).
   */
  async allocateSlot(name: string): Promise<number> {
    if (name === '') throw new SbdSlotError('an empty node name cannot have a slot');
    for (let round = 0; round < this.header.slots; round++) {
      const found = await this.findSlot(name);
      if (found !== undefined) return found;
      const free = await this.readSlots((s) => !s.inUse);
      if (free === undefined) throw new SbdSlotError(`${this.path}: no free slot left for ${name}`);
      await this.io.write(slotSector(free.index), encodeSlot(name, this.io.sectorSize), this.ioTimeoutMs);
      await sleep(this.allocateMs);
    }
    throw new SbdSlotError(
      `${this.path}: could not keep a slot for ${name} (other nodes keep claiming the same one)`,
    );
  }

  async close(): Promise<void> {
    await this.io.close();
  }

  /** All slot entries, or (with `until`) the first that matches, read in batches. */
  private async readSlots(): Promise<SbdSlot[]>;
  private async readSlots(until: (s: SbdSlot) => boolean): Promise<SbdSlot | undefined>;
  private async readSlots(until?: (s: SbdSlot) => boolean): Promise<SbdSlot[] | SbdSlot | undefined> {
    const all: SbdSlot[] = [];
    for (let first = 0; first < this.header.slots; first += BATCH) {
      const indexes = [...Array(Math.min(BATCH, this.header.slots - first)).keys()].map((i) => first + i);
      const sectors = await this.io.read(indexes.map(slotSector), this.ioTimeoutMs);
      for (const [i, s] of sectors.entries()) {
        const slot = decodeSlot(first + i, s);
        if (until?.(slot) === true) return slot;
        all.push(slot);
      }
    }
    return until === undefined ? all : undefined;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.header.slots)
      throw new SbdSlotError(
        `${this.path}: slot ${index} does not exist (the device has ${this.header.slots})`,
      );
  }
}

async function openIo(path: string, timeoutMs: number): Promise<SectorIo> {
  let sectorSize: number;
  try {
    sectorSize = await deviceSectorSize(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SbdIoError(`${path}: ${e.message}`, e.code, { cause: err });
  }
  return SectorIo.open(path, sectorSize, timeoutMs);
}
