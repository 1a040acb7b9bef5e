// Serial links carry the classic form (reference 4.5): writers turn each netstring packet back
// into classic text with the inner auth field, the only signature serial receivers check.
// (Stream framing lives in src/transport/serial-framing.ts.)

import type { Authenticator } from './auth.js';
import { decodePacket } from './codec.js';
import { encodeClassic } from './encode.js';
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
