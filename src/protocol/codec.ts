// Heartbeat 3 wire codec, decoding side and the wire constants: the netstring form (`###\n` ...
// `%%%\n` + auth trailer) that every UDP datagram uses, and the classic text form (`>>>\n` ...
// `<<<\n`) used on serial links (reference sections 4.2 and 4.3). Encoding is in encode.ts.
//
// Hostile input: the decoder walks the length prefixes and never searches for end markers inside
// values (binary fields may contain any byte, including `%%%\n`). It never throws on any input;
// every problem is a value { ok: false, reason, detail }. String values are kept as latin1 (one
// char per byte), so decode then encode gives back exactly the bytes that came in.

import type { Field, Message } from './message.js';

/** Heartbeat's MAXMSG: larger messages are dropped (`msg too big`). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Heartbeat's MAXDEPTH for nested messages (it has 16 newline substitution symbols). */
export const MAX_DEPTH = 16;

export type Encoding = 'netstring' | 'classic';

/** The netstring auth trailer `<len>:<index> <digest hex>,` as found on the wire. */
export interface Trailer {
  readonly index: number;
  /** The digest text exactly as sent (lowercase hex for Heartbeat). */
  readonly digest: string;
}

export type DecodeFailure = {
  readonly ok: false;
  readonly reason: 'malformed' | 'too-big';
  readonly detail: string;
};

export type Decoded =
  | {
      readonly ok: true;
      readonly encoding: 'netstring';
      readonly message: Message;
      /** Bytes [0, signedLength) are what the trailer digest covers (through `%%%\n`). */
      readonly signedLength: number;
      /** undefined when the packet ends right after `%%%\n`. */
      readonly trailer: Trailer | undefined;
    }
  | { readonly ok: true; readonly encoding: 'classic'; readonly message: Message };

export type DecodeResult = Decoded | DecodeFailure;

const HASH = 0x23; // '#'
const PCT = 0x25; // '%'
const GT = 0x3e; // '>'
const LT = 0x3c; // '<'
const NL = 0x0a;
const COLON = 0x3a;
const COMMA = 0x2c;
const EQ = 0x3d;
const LPAREN = 0x28;
const RPAREN = 0x29;
const ZERO = 0x30;
const NINE = 0x39;

/** Newlines in classic string values become this byte (Heartbeat's SPECIAL_SYM, 0x13). */
export const CLASSIC_NEWLINE_SYMBOL = 0x13;
/** Newlines of a nested message's classic text at parent depth d become CLASSIC_STRUCT_SYMBOLS[d]. */
export const CLASSIC_STRUCT_SYMBOLS = [
  20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 15, 16, 17, 18,
] as const;

const TYPE_NAMES = ['string', 'binary', 'struct', 'list', 'compressed', 'uncompressed'] as const;
type FieldType = Field['type'];

/** Wire digit of a field type. */
export function typeDigit(type: FieldType): number {
  return TYPE_NAMES.indexOf(type);
}

/** The same bytes as a Buffer, without a copy. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fail(reason: 'malformed' | 'too-big', detail: string): DecodeFailure {
  return { ok: false, reason, detail };
}

function hasMarker(buf: Buffer, pos: number, end: number, c: number, last: number): boolean {
  return (
    pos + 4 <= end && buf[pos] === c && buf[pos + 1] === c && buf[pos + 2] === c && buf[pos + 3] === last
  );
}

/** Decide the encoding by the first 4 bytes, as Heartbeat does, and decode. */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    return fail('too-big', `packet of ${bytes.length} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
  }
  const buf = asBuffer(bytes);
  if (hasMarker(buf, 0, buf.length, HASH, NL)) return decodeNetstringPacket(buf);
  if (hasMarker(buf, 0, buf.length, GT, NL)) return decodeClassicPacket(buf);
  return fail('malformed', 'packet starts with neither ###\\n nor >>>\\n');
}

// ---------------------------------------------------------------------------------------------
// Netstring form

/** Result of walking one `###\n ... %%%\n` message: its fields and the position after `%%%\n`. */
type Walk = { readonly fields: Field[]; readonly end: number } | DecodeFailure;

/** Parse a decimal length at pos (no sign, no leading zeros, at most 7 digits), ending with ':'. */
function readLength(buf: Buffer, pos: number, end: number): { value: number; next: number } | undefined {
  let value = 0;
  let p = pos;
  while (p < end && p - pos < 8) {
    const c = buf[p] ?? 0;
    if (c === COLON) break;
    if (c < ZERO || c > NINE) return undefined;
    value = value * 10 + (c - ZERO);
    p++;
  }
  const digits = p - pos;
  if (digits === 0 || digits > 7 || p >= end || buf[p] !== COLON) return undefined;
  if (digits > 1 && buf[pos] === ZERO) return undefined;
  return { value, next: p + 1 };
}

function walkNetstring(buf: Buffer, start: number, end: number, depth: number): Walk {
  if (depth > MAX_DEPTH) return fail('malformed', `nested deeper than ${MAX_DEPTH}`);
  if (!hasMarker(buf, start, end, HASH, NL)) return fail('malformed', `missing ###\\n at byte ${start}`);
  const fields: Field[] = [];
  let pos = start + 4;
  for (;;) {
    if (pos >= end) return fail('malformed', 'message ends before %%%\\n');
    if (buf[pos] === PCT) {
      if (!hasMarker(buf, pos, end, PCT, NL)) return fail('malformed', `bad end marker at byte ${pos}`);
      return { fields, end: pos + 4 };
    }
    const len = readLength(buf, pos, end);
    if (len === undefined) return fail('malformed', `bad field length at byte ${pos}`);
    const bodyStart = len.next;
    const bodyEnd = bodyStart + len.value;
    if (bodyEnd >= end)
      return fail('malformed', `field at byte ${pos} claims ${len.value} bytes, past the end`);
    if (buf[bodyEnd] !== COMMA) return fail('malformed', `field at byte ${pos} not terminated by ','`);
    const field = parseNetstringField(buf, bodyStart, bodyEnd, depth);
    if ('ok' in field) return field;
    fields.push(field);
    pos = bodyEnd + 1;
  }
}

/** `(T)name=value` in [start, end). */
function parseNetstringField(buf: Buffer, start: number, end: number, depth: number): Field | DecodeFailure {
  if (end - start < 5 || buf[start] !== LPAREN || buf[start + 2] !== RPAREN) {
    return fail('malformed', `field at byte ${start} lacks a (T) type prefix`);
  }
  const digit = (buf[start + 1] ?? 0) - ZERO;
  const nameStart = start + 3;
  let eq = nameStart;
  while (eq < end && buf[eq] !== EQ) eq++;
  if (eq >= end) return fail('malformed', `field at byte ${start} has no '='`);
  if (eq === nameStart) return fail('malformed', `field at byte ${start} has an empty name`);
  const name = fieldName(buf, nameStart, eq);
  const vStart = eq + 1;
  switch (digit) {
    case 0:
      return { name, type: 'string', value: latin1Slice(buf, vStart, end) };
    case 1:
      return { name, type: 'binary', value: copyBytes(buf, vStart, end) };
    case 4:
      return { name, type: 'compressed', value: copyBytes(buf, vStart, end) };
    case 2:
    case 5: {
      const inner = walkNetstring(buf, vStart, end, depth + 1);
      if ('ok' in inner) return inner;
      if (inner.end !== end) return fail('malformed', `nested message in '${name}' has trailing bytes`);
      const value: Message = { fields: inner.fields };
      return digit === 2 ? { name, type: 'struct', value } : { name, type: 'uncompressed', value };
    }
    case 3: {
      const list = parseList(buf, vStart, end);
      if (list === undefined) return fail('malformed', `bad list value in '${name}'`);
      return { name, type: 'list', value: list };
    }
    default:
      return fail('malformed', `unknown field type (${String.fromCharCode(digit + ZERO)}) at byte ${start}`);
  }
}

// Hot path helpers. Creating strings is most of the decoder's cost, so the usual field names are
// interned (compared byte by byte, no allocation), and values use Buffer's latin1Slice directly.

type Latin1Slicer = (this: Buffer, start: number, end: number) => string;
const nativeLatin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slicer }).latin1Slice;

function latin1Slice(buf: Buffer, start: number, end: number): string {
  if (start === end) return '';
  return nativeLatin1Slice !== undefined
    ? nativeLatin1Slice.call(buf, start, end)
    : buf.toString('latin1', start, end);
}

const COMMON_NAMES = [
  't',
  'st',
  'dt',
  'protocol',
  'src',
  'srcuuid',
  'seq',
  'hg',
  'ts',
  'ld',
  'ttl',
  'auth',
  'dest',
  'destuuid',
  'ackseq',
  'firstseq',
  'lastseq',
  'info',
  'rsc_hold',
  'rtype',
  'isstable',
  'node',
  'result',
  'ipaddr',
  'weown',
  'ok',
  'nodelist',
  'delnodelist',
  'cn',
  'cs',
  'from_id',
  'to_id',
  'client_gen',
  'pid',
  'uid',
  'gid',
  'weight',
  'site',
  'num_ping',
];
const NAME_TABLE = new Map<number, string[]>();
for (const n of COMMON_NAMES) {
  const k = nameKey(n.length, n.charCodeAt(0), n.charCodeAt(n.length - 1));
  const list = NAME_TABLE.get(k) ?? [];
  list.push(n);
  NAME_TABLE.set(k, list);
}

function nameKey(length: number, first: number, last: number): number {
  return (length << 16) | (first << 8) | last;
}

function fieldName(buf: Buffer, start: number, end: number): string {
  const candidates = NAME_TABLE.get(nameKey(end - start, buf[start] ?? 0, buf[end - 1] ?? 0));
  if (candidates !== undefined) {
    for (const c of candidates) {
      let same = true;
      for (let i = 1; i < c.length - 1; i++) {
        if (buf[start + i] !== c.charCodeAt(i)) {
          same = false;
          break;
        }
      }
      if (same) return c;
    }
  }
  return latin1Slice(buf, start, end);
}

function copyBytes(buf: Buffer, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.subarray(start, end));
}

/** A list value: `len:str,len:str,...` filling [start, end) exactly. */
function parseList(buf: Buffer, start: number, end: number): string[] | undefined {
  const out: string[] = [];
  let pos = start;
  while (pos < end) {
    const len = readLength(buf, pos, end);
    if (len === undefined) return undefined;
    const vEnd = len.next + len.value;
    if (vEnd >= end || buf[vEnd] !== COMMA) return undefined;
    out.push(buf.toString('latin1', len.next, vEnd));
    pos = vEnd + 1;
  }
  return out;
}

function decodeNetstringPacket(buf: Buffer): DecodeResult {
  const walk = walkNetstring(buf, 0, buf.length, 0);
  if ('ok' in walk) return walk;
  const message: Message = { fields: walk.fields };
  if (walk.end === buf.length) {
    return { ok: true, encoding: 'netstring', message, signedLength: walk.end, trailer: undefined };
  }
  const trailer = parseTrailer(buf, walk.end);
  if ('ok' in trailer) return trailer;
  return { ok: true, encoding: 'netstring', message, signedLength: walk.end, trailer };
}

/** `<len>:<index> <hex>,` starting at pos and ending exactly at the end of the packet. */
function parseTrailer(buf: Buffer, pos: number): Trailer | DecodeFailure {
  const end = buf.length;
  const len = readLength(buf, pos, end);
  if (len === undefined) return fail('malformed', 'bad auth trailer length');
  const bodyEnd = len.next + len.value;
  if (bodyEnd !== end - 1 || buf[bodyEnd] !== COMMA) {
    return fail('malformed', 'auth trailer length does not match the packet end');
  }
  const parsed = parseAuthText(buf.toString('latin1', len.next, bodyEnd));
  if (parsed === undefined) return fail('malformed', 'auth trailer is not "<index> <hex>"');
  return parsed;
}

/** `<index> <hex>` as in the trailer and the inner `auth` field; index 0..15. */
export function parseAuthText(text: string): Trailer | undefined {
  const sp = text.indexOf(' ');
  if (sp < 1 || sp > 2) return undefined;
  let index = 0;
  for (let i = 0; i < sp; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return undefined;
    index = index * 10 + (c - ZERO);
  }
  if (index > 15 || (sp === 2 && text.charCodeAt(0) === ZERO)) return undefined;
  const digest = text.slice(sp + 1);
  if (digest.length === 0 || digest.length > 128) return undefined;
  for (let i = 0; i < digest.length; i++) {
    const c = digest.charCodeAt(i);
    const hex = (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
    if (!hex) return undefined;
  }
  return { index, digest };
}

// ---------------------------------------------------------------------------------------------
// Classic form

function decodeClassicPacket(buf: Buffer): DecodeResult {
  const r = walkClassic(buf, 0, buf.length, 0);
  if ('ok' in r) return r;
  if (r.end !== buf.length) return fail('malformed', 'bytes after <<<\\n');
  return { ok: true, encoding: 'classic', message: { fields: r.fields } };
}

function walkClassic(buf: Buffer, start: number, end: number, depth: number): Walk {
  if (depth > MAX_DEPTH) return fail('malformed', `nested deeper than ${MAX_DEPTH}`);
  if (!hasMarker(buf, start, end, GT, NL)) return fail('malformed', `missing >>>\\n at byte ${start}`);
  const fields: Field[] = [];
  let pos = start + 4;
  for (;;) {
    if (pos >= end) return fail('malformed', 'message ends before <<<\\n');
    const nl = buf.indexOf(NL, pos);
    if (nl < 0 || nl >= end) return fail('malformed', `line at byte ${pos} has no newline`);
    if (nl === pos + 3 && buf[pos] === LT && buf[pos + 1] === LT && buf[pos + 2] === LT) {
      return { fields, end: nl + 1 };
    }
    const field = parseClassicLine(buf, pos, nl, depth);
    if ('ok' in field) return field;
    fields.push(field);
    pos = nl + 1;
  }
}

/** `[(T)]name=value` in [start, end) (without the newline). */
function parseClassicLine(buf: Buffer, start: number, end: number, depth: number): Field | DecodeFailure {
  let digit = 0;
  let nameStart = start;
  if (buf[start] === LPAREN) {
    if (end - start < 4 || buf[start + 2] !== RPAREN)
      return fail('malformed', `bad (T) prefix at byte ${start}`);
    digit = (buf[start + 1] ?? 0) - ZERO;
    // Heartbeat refuses an explicit (0): strings never carry a prefix, so re-encoding stays exact.
    if (digit < 1 || digit > 5) return fail('malformed', `bad field type at byte ${start}`);
    nameStart = start + 3;
  }
  const eq = buf.indexOf(EQ, nameStart);
  if (eq < 0 || eq >= end) return fail('malformed', `line at byte ${start} has no '='`);
  if (eq === nameStart) return fail('malformed', `line at byte ${start} has an empty name`);
  const name = buf.toString('latin1', nameStart, eq);
  const vStart = eq + 1;
  switch (digit) {
    case 0: {
      const raw = buf.toString('latin1', vStart, end);
      return { name, type: 'string', value: raw.includes('\x13') ? raw.replaceAll('\x13', '\n') : raw };
    }
    case 1:
    case 4: {
      const value = decodeBase64Strict(buf.toString('latin1', vStart, end));
      if (value === undefined) return fail('malformed', `'${name}' is not canonical base64`);
      return digit === 1 ? { name, type: 'binary', value } : { name, type: 'compressed', value };
    }
    case 2:
    case 5: {
      const sym = CLASSIC_STRUCT_SYMBOLS[depth];
      if (sym === undefined) return fail('malformed', `nested deeper than ${MAX_DEPTH}`);
      const inner = Buffer.from(buf.subarray(vStart, end));
      for (let i = 0; i < inner.length; i++) if (inner[i] === sym) inner[i] = NL;
      const walk = walkClassic(inner, 0, inner.length, depth + 1);
      if ('ok' in walk) return walk;
      if (walk.end !== inner.length)
        return fail('malformed', `nested message in '${name}' has trailing bytes`);
      const value: Message = { fields: walk.fields };
      return digit === 2 ? { name, type: 'struct', value } : { name, type: 'uncompressed', value };
    }
    default: {
      const list = parseList(buf, vStart, end);
      if (list === undefined) return fail('malformed', `bad list value in '${name}'`);
      return { name, type: 'list', value: list };
    }
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding; undefined unless re-encoding gives back the same text. */
function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!BASE64_RE.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}
