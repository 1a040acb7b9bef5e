// Bounds on what network input can make the daemon log. A flood of forged packets, each claiming
// a new sender name, must neither grow memory (state keyed by something the sender chooses) nor
// fill the disk: rejections are gated per reason (a fixed, small key set), and the log as a whole
// takes at most LOG_LINES_PER_SECOND lines (a token bucket), counting what it drops.

/** Sustained log lines per second, all levels and targets together. */
export const LOG_LINES_PER_SECOND = 50;
/** Lines that may be written at once above the sustained rate (a failover's burst). */
export const LOG_LINE_BURST = 200;
/** Most keys a KeyedGate remembers; the least recently used goes first. */
export const MAX_GATE_KEYS = 32;

/**
 * One line per key per interval; the rest are counted as suppressed. Keys are kinds of trouble
 * (event kind and reason), never a name taken from a packet; the map is bounded anyway.
 */
export class KeyedGate {
  private readonly last = new Map<string, number>();
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly maxKeys = MAX_GATE_KEYS,
  ) {}

  allow(key: string, nowMs: number): boolean {
    const prev = this.last.get(key);
    if (prev !== undefined && nowMs - prev < this.intervalMs) {
      this.suppressed++;
      return false;
    }
    this.last.delete(key);
    while (this.last.size >= this.maxKeys) {
      const oldest = this.last.keys().next().value;
      if (oldest === undefined) break;
      this.last.delete(oldest);
    }
    this.last.set(key, nowMs);
    return true;
  }

  /** Lines suppressed since the last call. */
  takeSuppressed(): number {
    const n = this.suppressed;
    this.suppressed = 0;
    return n;
  }

  get size(): number {
    return this.last.size;
  }
}

/** Token bucket: `ratePerSecond` sustained, `burst` at once. */
export class LineBudget {
  private tokens: number;
  private lastMs: number | undefined = undefined;

  constructor(
    private readonly ratePerSecond = LOG_LINES_PER_SECOND,
    private readonly burst = LOG_LINE_BURST,
  ) {
    this.tokens = burst;
  }

  take(nowMs: number): boolean {
    if (this.lastMs !== undefined && nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSecond) / 1000);
    }
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The reason word of a rejection event's text (`bad-auth: ...` -> `bad-auth`), for gating. */
export function reasonOf(text: string): string {
  const colon = text.indexOf(':');
  const word = colon > 0 ? text.slice(0, colon) : text;
  return word.length <= 32 ? word : word.slice(0, 32);
}
