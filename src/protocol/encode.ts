// Heartbeat 3 wire codec, encoding side: messages to the netstring form, the classic (serial)
// form, the exact byte ranges the signatures cover, and whether a message can be encoded
// faithfully at all (reference sections 4.2 to 4.4). Decoding is in codec.ts.
import type { Field, Message } from './message.js';
import { CLASSIC_STRUCT_SYMBOLS, MAX_DEPTH, asBuffer, typeDigit, type Encoding } from './codec.js';

const NL = 0x0a;

// Messages are built as latin1 strings (one char per byte) and converted once.

function latin1(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('latin1');
}

function listText(list: readonly string[]): string {
  let s = '';
  for (const item of list) s += `${item.length}:${item},`;
  return s;
}

function netstringText(msg: Message): string {
  let s = '###\n';
  for (const f of msg.fields) {
    let value: string;
    switch (f.type) {
      case 'string':
        value = f.value;
        break;
      case 'binary':
      case 'compressed':
        value = latin1(f.value);
        break;
      case 'struct':
      case 'uncompressed':
        value = netstringText(f.value);
        break;
      case 'list':
        value = listText(f.value);
        break;
    }
    const body = `(${typeDigit(f.type)})${f.name}=${value}`;
    s += `${body.length}:${body},`;
  }
  return s + '%%%\n';
}

/** The signed part of a netstring packet: `###\n` fields `%%%\n` (no trailer). */
export function encodeNetstringBody(msg: Message): Buffer {
  return Buffer.from(netstringText(msg), 'latin1');
}

/** The auth trailer text for a digest. */
export function trailerText(index: number, digestHex: string): string {
  const body = `${index} ${digestHex}`;
  return `${body.length}:${body},`;
}

/** One classic line (with its newline) for a field, at nesting depth `depth`. */
function classicLine(f: Field, depth: number): string {
  switch (f.type) {
    case 'string':
      return `${f.name}=${f.value.includes('\n') ? f.value.replaceAll('\n', '\x13') : f.value}\n`;
    case 'binary':
    case 'compressed':
      return `(${typeDigit(f.type)})${f.name}=${asBuffer(f.value).toString('base64')}\n`;
    case 'list':
      return `(3)${f.name}=${listText(f.value)}\n`;
    case 'struct':
    case 'uncompressed': {
      const sym = String.fromCharCode(CLASSIC_STRUCT_SYMBOLS[depth] ?? NL);
      const inner = `>>>\n${classicLines(f.value, depth + 1, undefined)}<<<\n`.replaceAll('\n', sym);
      return `(${typeDigit(f.type)})${f.name}=${inner}\n`;
    }
  }
}

function classicLines(msg: Message, depth: number, skip: string | undefined): string {
  let s = '';
  for (const f of msg.fields) if (f.name !== skip) s += classicLine(f, depth);
  return s;
}

/**
 * The classic text of all fields except those named `skip`, without the `>>>`/`<<<` lines:
 * exactly what Heartbeat's inner `auth` digest covers (reference 4.4).
 */
export function classicAuthInput(msg: Message, skip = 'auth'): Buffer {
  return Buffer.from(classicLines(msg, 0, skip), 'latin1');
}

/** The classic (serial) form `>>>\n` lines `<<<\n`; any `auth` field is kept where it is. */
export function encodeClassic(msg: Message): Buffer {
  return Buffer.from(`>>>\n${classicLines(msg, 0, undefined)}<<<\n`, 'latin1');
}

/**
 * Why a message cannot be encoded faithfully in `encoding`, or undefined when it can: names must
 * be printable ASCII without '=' and not start with '('; string values must be byte strings
 * (chars <= U+00FF); the classic form also cannot carry the 0x13 newline symbol in strings nor
 * newlines in list items; nesting is limited to MAX_DEPTH.
 */
export function checkEncodable(msg: Message, encoding: Encoding, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH}`;
  const classic = encoding === 'classic';
  // Inside a nested message the classic form turns newlines into bytes 0x0f-0x1f (Heartbeat's
  // SPECIAL_SYMS), so those bytes cannot appear there; Heartbeat refuses them as well.
  const symbolClash = (text: string): boolean => classic && depth > 0 && hasNewlineSymbol(text);
  for (const f of msg.fields) {
    if (
      f.name.length === 0 ||
      !/^[\x21-\x7e]+$/.test(f.name) ||
      f.name.includes('=') ||
      f.name.startsWith('(')
    ) {
      return `bad field name ${JSON.stringify(f.name)}`;
    }
    switch (f.type) {
      case 'string':
        if (!isLatin1(f.value))
          return `field '${f.name}' has characters above U+00FF (values are byte strings)`;
        if (classic && f.value.includes('\x13')) {
          return `field '${f.name}' contains byte 0x13, which the classic form uses for newlines`;
        }
        if (symbolClash(f.value))
          return `nested field '${f.name}' contains a byte 0x0f-0x1f (classic newline symbols)`;
        break;
      case 'list':
        for (const item of f.value) {
          if (!isLatin1(item))
            return `list '${f.name}' has characters above U+00FF (values are byte strings)`;
          if (symbolClash(item))
            return `nested list '${f.name}' contains a byte 0x0f-0x1f (classic newline symbols)`;
          if (classic && item.includes('\n'))
            return `list '${f.name}' has an item with a newline (not encodable in classic form)`;
        }
        break;
      case 'struct':
      case 'uncompressed': {
        const inner = checkEncodable(f.value, encoding, depth + 1);
        if (inner !== undefined) return `in '${f.name}': ${inner}`;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

function hasNewlineSymbol(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x0f && c <= 0x1f) return true;
  }
  return false;
}
