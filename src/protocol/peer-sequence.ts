// Per-peer generation and sequence tracking (reference 7.1, 7.2): which incoming messages are new,
// which are duplicates or replays, which sequence numbers are missing and when to ask for them.

/** A peer restart is recognised by a higher generation; a lower one is a replay. */
export type GenerationVerdict = 'same' | 'first' | 'restart' | 'replay';

export type SeqVerdict =
  /** New message: deliver it. `ack` says an NS_ackmsg is due (every 10th seq, per-peer offset). */
  | { readonly kind: 'new'; readonly ack: boolean; readonly lost: number }
  /** A recent sequence number already seen (copy from another medium, late retransmission). */
  | { readonly kind: 'duplicate' }
  /** Much older than anything recent and not a recorded gap. */
  | { readonly kind: 'old'; readonly lastSeq: number };

interface MissingSeq {
  dueMs: number;
  requests: number;
}

/** More missing at once than this resets tracking instead of asking (Heartbeat: "lost a lot of packets!"). */
export const MAX_GAP = 250;
/** Bound on recorded missing seqs per peer (Heartbeat keeps at most 500). */
export const MAX_MISSING = 500;
/** Seqs at most this far below the highest seen count as duplicates; older ones are rejected. */
export const DUPLICATE_WINDOW = 64;
/** Give a missing seq up after this many retransmit requests without an answer. */
export const MAX_REXMIT_REQUESTS = 10;
/** Minimum delay before the first retransmit request, so that short reorderings fill themselves. */
export const MIN_REXMIT_DELAY_MS = 50;

export class PeerSequence {
  generation: number | undefined = undefined;
  /** Highest seq accepted in this generation; 0 = none yet (or forgotten). */
  lastSeq = 0;
  /**
   * Highest seq seen before tracking was forgotten (peer declared dead) in this generation. A
   * returning peer continues above it; anything at or below it is an old packet replayed.
   */
  floorSeq = 0;
  readonly missing = new Map<number, MissingSeq>();
  /** Highest of OUR seqs this peer acknowledged (NS_ackmsg); retransmit requests at or below are ignored. */
  ackedOurSeq = 0;
  /** When we last sent this peer a NAK (rate limit). */
  lastNakMs = -Infinity;
  /** Last srcuuid seen from the peer, for `destuuid`. */
  uuid: Uint8Array | undefined = undefined;

  constructor(
    /** 0..9: ACK the peer's seqs with seq % 10 == ackTrigger (Heartbeat picks it at random). */
    readonly ackTrigger: number,
  ) {}

  /**
   * `control` messages (NS_*, no seq) with a higher generation are accepted without switching
   * to it: the restart is recognised on the peer's next sequenced message, so that the cluster
   * layer sees peerRestarted on a message it is given.
   */
  checkGeneration(hg: number, control = false): GenerationVerdict {
    if (this.generation === undefined) {
      if (!control) this.generation = hg;
      return 'first';
    }
    if (hg < this.generation) return 'replay';
    if (hg === this.generation || control) return 'same';
    this.generation = hg;
    this.resetSequence();
    this.floorSeq = 0;
    this.ackedOurSeq = 0;
    return 'restart';
  }

  /**
   * Forget seq state (peer declared dead); the generation and the highest seq seen are kept, so
   * old packets of this generation are still refused when replayed.
   */
  resetSequence(): void {
    if (this.lastSeq > this.floorSeq) this.floorSeq = this.lastSeq;
    this.lastSeq = 0;
    this.missing.clear();
  }

  /**
   * Classify an authenticated sequence number. Gaps are recorded with a first request time
   * randomly in [50, maxRexmitDelayMs] after nowMs. `lost` counts seqs given up on here.
   */
  acceptSeq(seq: number, nowMs: number, maxRexmitDelayMs: number, random: () => number): SeqVerdict {
    if (this.lastSeq === 0 && seq <= this.floorSeq) return { kind: 'old', lastSeq: this.floorSeq };
    if (this.lastSeq === 0 || seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      return { kind: 'new', ack: this.ackDue(seq), lost: 0 };
    }
    if (seq > this.lastSeq) {
      const gap = seq - this.lastSeq - 1;
      let lost = 0;
      if (gap > MAX_GAP) {
        lost = gap + this.missing.size;
        this.missing.clear();
      } else {
        for (let s = this.lastSeq + 1; s < seq; s++) {
          const span = Math.max(0, maxRexmitDelayMs - MIN_REXMIT_DELAY_MS);
          this.missing.set(s, {
            dueMs: nowMs + MIN_REXMIT_DELAY_MS + Math.floor(random() * (span + 1)),
            requests: 0,
          });
        }
        while (this.missing.size > MAX_MISSING) {
          const oldest = this.missing.keys().next().value;
          if (oldest === undefined) break;
          this.missing.delete(oldest);
          lost++;
        }
      }
      this.lastSeq = seq;
      return { kind: 'new', ack: this.ackDue(seq), lost };
    }
    if (this.missing.delete(seq)) return { kind: 'new', ack: this.ackDue(seq), lost: 0 };
    if (this.lastSeq - seq < DUPLICATE_WINDOW) return { kind: 'duplicate' };
    return { kind: 'old', lastSeq: this.lastSeq };
  }

  private ackDue(seq: number): boolean {
    return this.missing.size === 0 && seq % 10 === this.ackTrigger;
  }

  /** Earliest due time of a retransmit request, or Infinity. */
  nextDueMs(): number {
    let min = Infinity;
    for (const m of this.missing.values()) if (m.dueMs < min) min = m.dueMs;
    return min;
  }

  /**
   * Missing seqs whose request is due, as contiguous ranges of at most `maxRange`; each is
   * re-armed maxRexmitDelayMs later. Seqs asked for too often are dropped (counted in `gaveUp`).
   */
  dueRequests(
    nowMs: number,
    maxRexmitDelayMs: number,
    maxRange: number,
  ): { ranges: Array<[number, number]>; gaveUp: number } {
    const due: number[] = [];
    let gaveUp = 0;
    for (const [seq, m] of this.missing) {
      if (m.dueMs > nowMs) continue;
      if (m.requests >= MAX_REXMIT_REQUESTS) {
        this.missing.delete(seq);
        gaveUp++;
        continue;
      }
      m.requests++;
      m.dueMs = nowMs + Math.max(maxRexmitDelayMs, MIN_REXMIT_DELAY_MS);
      due.push(seq);
    }
    due.sort((a, b) => a - b);
    const ranges: Array<[number, number]> = [];
    for (const seq of due) {
      const last = ranges[ranges.length - 1];
      if (last !== undefined && last[1] === seq - 1 && seq - last[0] < maxRange) last[1] = seq;
      else ranges.push([seq, seq]);
    }
    return { ranges, gaveUp };
  }
}
