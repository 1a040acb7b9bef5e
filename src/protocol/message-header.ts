// The standard fields of an incoming Heartbeat message (t, src, ts, seq, hg, dest, destuuid,
// srcuuid), read in one pass, and the strict number formats they are written in.
import type { Message } from './message.js';

/** Strict lowercase/uppercase hex of at most 12 digits (no sign, no 0x), or undefined. */
export function parseHexNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 12) return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return undefined;
    v = v * 16 + d;
  }
  return v;
}

export function parseDecimalNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 15) return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** The standard fields read from an incoming message, in one pass. */
export interface Header {
  t?: string;
  src?: string;
  ts?: string;
  seq?: string;
  hg?: string;
  dest?: string;
  destuuid?: Uint8Array;
  srcuuid?: Uint8Array;
}

export function readHeader(msg: Message): Header {
  const h: Header = {};
  for (const f of msg.fields) {
    if (f.type === 'string') {
      switch (f.name) {
        case 't':
        case 'src':
        case 'ts':
        case 'seq':
        case 'hg':
        case 'dest':
          if (h[f.name] === undefined) h[f.name] = f.value;
          break;
        default:
          break;
      }
    } else if (f.type === 'binary' && (f.name === 'destuuid' || f.name === 'srcuuid')) {
      if (h[f.name] === undefined) h[f.name] = f.value;
    }
  }
  return h;
}
