// Serial links carry the classic form as a byte stream (reference 4.5). Writers turn each
// netstring packet back into classic text with the inner auth field; readers skip bytes until a
// line starting `>>>`, then collect lines until `<<<`. Pure: bytes in, packets out.

import type { Authenticator } from './auth.js';
import { MAX_MESSAGE_BYTES, decodePacket, encodeClassic } from './codec.js';
import type { Message } from './message.js';

/**
 * The classic (serial) form of a packet we send, with the inner auth field recomputed (added at
 * the end when the packet had none, as with `msgfmt netstring`): serial receivers verify only
 * that field. undefined when `packet` does not decode.
 */
export function classicForSerial(packet: Uint8Array, auth: Authenticator): Buffer | undefined {
  const d = decodePacket(packet);
  if (!d.ok) return undefined;
  const value = auth.innerAuthValue(d.message);
  let found = false;
  const fields = d.message.fields.map((f) => {
    if (f.name !== 'auth') return f;
    found = true;
    return { name: 'auth', type: 'string' as const, value };
  });
  if (!found) fields.push({ name: 'auth', type: 'string', value });
  const msg: Message = { fields };
  return encodeClassic(msg);
}

const START = Buffer.from('>>>\n', 'latin1');

/**
 * Cuts a serial byte stream into classic packets (`>>>\n` ... `<<<\n`). Noise between packets is
 * skipped (counted in `skippedBytes`); a packet growing past MAX_MESSAGE_BYTES is abandoned, so
 * memory stays bounded whatever the line delivers.
 */
export class SerialFramer {
  private buf: Buffer = Buffer.alloc(0);
  private inPacket = false;
  /** Whether buf[0] starts a line (stream start, or the byte before it was a newline). */
  private lineStart = true;
  /** How far the search for the end line has got, so byte-at-a-time input stays linear. */
  private scanned = 3;
  skippedBytes = 0;
  oversized = 0;

  push(chunk: Uint8Array): Buffer[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (!this.inPacket) {
        const start = this.findStart();
        if (start < 0) {
          // keep a possible partial `>>>\n` at the end of the buffer
          const len = this.buf.length;
          const keep = Math.min(len, 3);
          if (len > keep) this.lineStart = this.buf[len - keep - 1] === 0x0a;
          this.skippedBytes += len - keep;
          this.buf = Buffer.from(this.buf.subarray(len - keep));
          return out;
        }
        this.skippedBytes += start;
        this.buf = this.buf.subarray(start);
        this.inPacket = true;
        this.scanned = 3;
      }
      const i = this.buf.indexOf('\n<<<\n', this.scanned, 'latin1');
      if (i < 0) {
        this.scanned = Math.max(3, this.buf.length - 4);
        if (this.buf.length > MAX_MESSAGE_BYTES) {
          this.oversized++;
          this.skippedBytes += this.buf.length;
          this.buf = Buffer.alloc(0);
          this.inPacket = false;
          this.lineStart = false;
        }
        return out;
      }
      out.push(Buffer.from(this.buf.subarray(0, i + 5)));
      this.buf = this.buf.subarray(i + 5);
      this.inPacket = false;
      this.lineStart = true;
    }
  }

  /** Offset of `>>>\n` at the start of a line, or -1. */
  private findStart(): number {
    let from = 0;
    for (;;) {
      const i = this.buf.indexOf(START, from);
      if (i < 0) return -1;
      if (i === 0 ? this.lineStart : this.buf[i - 1] === 0x0a) return i;
      from = i + 1;
    }
  }
}
