// The on-disk layout of an SBD device (ClusterLabs sbd, Debian package `sbd`), so that Debian's
// `sbd -d DEV create|list|dump|allocate|message` and this project read and write the same bytes.
// Pinned from sbd's documentation and by hexdumping devices that sbd 1.5.2 created and wrote:
//
//   sector 0          header: "SBD_SBD_" magic (8 bytes), version byte 2, slot count byte (255),
//                     2 pad bytes, then big-endian uint32 at byte 12: sector size, 16: watchdog
//                     timeout, 20: allocate timeout, 24: loop timeout, 28: msgwait (all seconds),
//                     byte 32: minor version (1 = a UUID follows), bytes 33..48: UUID
//   sector 1 + 2*n    slot n's node entry: in_use byte (0 = free), name (63 bytes + NUL)
//   sector 2 + 2*n    slot n's mailbox: command byte, sender name (63 bytes + NUL)
//
// Every structure fills one whole sector (the rest zero). Names compare case-insensitively on
// their first 63 bytes, as sbd does. Pure: bytes in, values out.

export const SBD_MAGIC = 'SBD_SBD_';
export const SBD_VERSION = 2;
/** Longest node name sbd stores (it truncates longer ones, and so do we). */
export const SBD_NAME_MAX = 63;

/** Mailbox command codes, as sbd defines them. */
export const SBD_COMMANDS = {
  clear: 0,
  test: 1,
  reset: 2,
  off: 3,
  exit: 4,
  crashdump: 5,
} as const;
export type SbdCommand = keyof typeof SBD_COMMANDS;

export interface SbdHeader {
  readonly version: number;
  readonly minorVersion: number;
  readonly slots: number;
  readonly sectorSize: number;
  /** Seconds, as stored on disk. */
  readonly timeoutWatchdog: number;
  readonly timeoutAllocate: number;
  readonly timeoutLoop: number;
  readonly timeoutMsgwait: number;
  /** Lower-case 8-4-4-4-12 form, or undefined for a minor version 0 header. */
  readonly uuid: string | undefined;
}

export interface SbdSlot {
  readonly index: number;
  readonly inUse: boolean;
  readonly name: string;
}

export interface SbdMailbox {
  /** The command name, or undefined for a code sbd does not define (a torn write, say). */
  readonly command: SbdCommand | undefined;
  readonly code: number;
  readonly from: string;
}

export const slotSector = (slot: number): number => 1 + 2 * slot;
export const mailboxSector = (slot: number): number => 2 + 2 * slot;

const OFF_VERSION = 8;
const OFF_SLOTS = 9;
const OFF_SECTOR_SIZE = 12;
const OFF_WATCHDOG = 16;
const OFF_ALLOCATE = 20;
const OFF_LOOP = 24;
const OFF_MSGWAIT = 28;
const OFF_MINOR = 32;
const OFF_UUID = 33;
const HEADER_BYTES = 49;

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);

/**
 * The header in sector 0, or a sentence saying why this is not an SBD device this code can use.
 * `deviceSectorSize`: what the device reports; sbd refuses a header written for another size.
 */
export function decodeHeader(sector: Uint8Array, deviceSectorSize: number): SbdHeader | string {
  if (sector.length < HEADER_BYTES) return `sector 0 is only ${sector.length} bytes`;
  const magic = String.fromCharCode(...sector.subarray(0, 8));
  if (magic !== SBD_MAGIC) return 'no SBD header (magic "SBD_SBD_" not found in sector 0)';
  const v = view(sector);
  const h: SbdHeader = {
    version: sector[OFF_VERSION] ?? 0,
    minorVersion: sector[OFF_MINOR] ?? 0,
    slots: sector[OFF_SLOTS] ?? 0,
    sectorSize: v.getUint32(OFF_SECTOR_SIZE),
    timeoutWatchdog: v.getUint32(OFF_WATCHDOG),
    timeoutAllocate: v.getUint32(OFF_ALLOCATE),
    timeoutLoop: v.getUint32(OFF_LOOP),
    timeoutMsgwait: v.getUint32(OFF_MSGWAIT),
    uuid: (sector[OFF_MINOR] ?? 0) > 0 ? formatUuid(sector.subarray(OFF_UUID, OFF_UUID + 16)) : undefined,
  };
  if (h.version !== SBD_VERSION)
    return `SBD header version ${h.version} (only version ${SBD_VERSION} is known)`;
  if (h.sectorSize !== deviceSectorSize)
    return `SBD header says sector size ${h.sectorSize}, the device has ${deviceSectorSize}`;
  if (h.slots === 0) return 'SBD header has no slots';
  if (h.timeoutLoop === 0 || h.timeoutWatchdog === 0) return 'SBD header has a zero loop or watchdog timeout';
  return h;
}

/** Sector 0 for `header` (what `sbd create` writes; used to format test images). */
export function encodeHeader(header: Omit<SbdHeader, 'version'>, sectorSize: number): Uint8Array {
  const s = new Uint8Array(sectorSize);
  for (let i = 0; i < 8; i++) s[i] = SBD_MAGIC.charCodeAt(i);
  s[OFF_VERSION] = SBD_VERSION;
  s[OFF_SLOTS] = header.slots;
  const v = view(s);
  v.setUint32(OFF_SECTOR_SIZE, header.sectorSize);
  v.setUint32(OFF_WATCHDOG, header.timeoutWatchdog);
  v.setUint32(OFF_ALLOCATE, header.timeoutAllocate);
  v.setUint32(OFF_LOOP, header.timeoutLoop);
  v.setUint32(OFF_MSGWAIT, header.timeoutMsgwait);
  s[OFF_MINOR] = header.minorVersion;
  if (header.minorVersion > 0 && header.uuid !== undefined) s.set(parseUuid(header.uuid), OFF_UUID);
  return s;
}

export function decodeSlot(index: number, sector: Uint8Array): SbdSlot {
  return { index, inUse: (sector[0] ?? 0) !== 0, name: cString(sector.subarray(1, 2 + SBD_NAME_MAX)) };
}

export function encodeSlot(name: string, sectorSize: number): Uint8Array {
  const s = new Uint8Array(sectorSize);
  s[0] = 1;
  s.set(nameBytes(name), 1);
  return s;
}

export function decodeMailbox(sector: Uint8Array): SbdMailbox {
  // sbd stores the command as a signed char
  const raw = sector[0] ?? 0;
  const code = raw > 127 ? raw - 256 : raw;
  const command = (Object.keys(SBD_COMMANDS) as SbdCommand[]).find((c) => SBD_COMMANDS[c] === code);
  return { command, code, from: cString(sector.subarray(1, 2 + SBD_NAME_MAX)) };
}

/** A mailbox sector; `clear` writes an all-zero sector (empty sender), as sbd does. */
export function encodeMailbox(command: SbdCommand, from: string, sectorSize: number): Uint8Array {
  const s = new Uint8Array(sectorSize);
  if (command === 'clear') return s;
  s[0] = SBD_COMMANDS[command];
  s.set(nameBytes(from), 1);
  return s;
}

/** sbd's slot lookup: the first slot in use whose name matches (case-insensitive, 63 bytes). */
export function sameSlotName(a: string, b: string): boolean {
  const cut = (s: string): string => new TextDecoder().decode(nameBytes(s)).toLowerCase();
  return cut(a) === cut(b);
}

/** A node name as sbd stores it: UTF-8, cut to 63 bytes. */
function nameBytes(name: string): Uint8Array {
  const bytes = new TextEncoder().encode(name);
  return bytes.subarray(0, SBD_NAME_MAX);
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? b.subarray(0, end) : b);
}

function formatUuid(b: Uint8Array): string {
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function parseUuid(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
