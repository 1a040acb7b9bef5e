// The bounded history of our own sequenced messages, kept byte for byte so that retransmissions
// are identical to the originals (same ts, same signature), as Heartbeat's are (reference 7.4).

interface Sent {
  readonly bytes: Uint8Array;
  lastRexmitMs: number;
}

export class SendHistory {
  private readonly entries = new Map<number, Sent>();

  constructor(readonly capacity: number) {}

  add(seq: number, bytes: Uint8Array): void {
    this.entries.set(seq, { bytes, lastRexmitMs: -Infinity });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get(seq: number): Sent | undefined {
    return this.entries.get(seq);
  }

  /** Lowest seq still held, or undefined when empty. */
  lowest(): number | undefined {
    return this.entries.keys().next().value;
  }

  get size(): number {
    return this.entries.size;
  }
}
