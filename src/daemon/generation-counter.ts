// The hb_generation counter (Heartbeat's format: decimal, right-aligned in 15 characters, then a
// newline), read and incremented as an exact integer. Through a double, a large value was written
// back as "1e+23" (which the next start refused) and from 2^53 on it stopped increasing.
import { printable } from '../config/printable.js';
import { StateDirError } from './errors.js';

/**
 * The highest generation our peers can read on the wire (`hg` is hex of at most 12 digits there,
 * so that every value is exact). A stored counter above it is still incremented exactly, but the
 * daemon has to announce this value, which then no longer changes from one start to the next.
 */
export const MAX_WIRE_GENERATION = 2 ** 48 - 1;

export interface NextGeneration {
  /** What to write back to the file. */
  readonly fileText: string;
  /** The generation for the wire: the new counter, or MAX_WIRE_GENERATION when it is above. */
  readonly generation: number;
  /** The exact new counter, in decimal. */
  readonly exact: string;
}

/** "1e+23" or "1.5e+22": what the old code wrote for large values; read back exactly as written. */
const EXPONENT = /^(\d+)(?:\.(\d+))?e\+?(\d{1,4})$/i;

function parseCounter(text: string): bigint | undefined {
  if (/^\d+$/.test(text)) return BigInt(text);
  const m = EXPONENT.exec(text);
  if (m === null) return undefined;
  const [, whole = '', fraction = '', exponent = '0'] = m;
  const shift = Number(exponent) - fraction.length;
  if (shift < 0) return undefined;
  return BigInt(whole + fraction) * 10n ** BigInt(shift);
}

/**
 * The counter after `previous` (the file's contents, undefined when there is none: start at 1).
 * Throws, naming the file and how to fix it, when the contents are not a number.
 */
export function nextGeneration(previous: string | undefined, file: string): NextGeneration {
  let counter = 0n;
  if (previous !== undefined) {
    const text = previous.trim();
    const parsed = parseCounter(text);
    if (parsed === undefined) {
      const shown = printable(JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text));
      throw new StateDirError(
        `${file}: not a number: ${shown}. It holds this node's restart counter: write the decimal ` +
          `number it should continue from (e.g. \`date +%s > ${file}\`), or delete the file to start ` +
          `again at 1 (peers then take this node's packets for replays until they restart).`,
      );
    }
    counter = parsed;
  }
  const next = counter + 1n;
  const exact = next.toString();
  return {
    fileText: `${exact.padStart(15, ' ')}\n`,
    generation: next > BigInt(MAX_WIRE_GENERATION) ? MAX_WIRE_GENERATION : Number(next),
    exact,
  };
}
