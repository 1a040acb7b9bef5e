// Per-peer generation and sequence tracking (reference 7.1, 7.2): which incoming messages are new,
// which are duplicates or replays, which sequence numbers are missing and when to ask for them.
//
// Heartbeat trusts every authentic packet to move the tracking: one packet with a jumped seq (or a
// higher generation) and the sender's real packets that follow are "old" (or a "replay") for ever,
// so a live peer is declared dead. Here no single packet can do that:
//   - Tracking a live stream, a seq more than MAX_GAP ahead or a higher generation is HELD (not
//     delivered) until a second packet continues it (a real restart or a real jump keeps sending;
//     one forged or corrupted packet does not). The held seqs are then asked for again.
//   - A jump within MAX_GAP is accepted as Heartbeat does, but the seqs it skipped stay acceptable
//     when they turn up (even after their retransmit requests were given up), while they are within
//     SEEN_WINDOW of the highest seq: the real stream catches up instead of being refused.
//   - A first contact rests on one packet: packets just below it are duplicates (a reordered
//     burst, as Heartbeat has it) only for max_rexmit_delay; if the stream has not gone on above
//     it by then, what arrives below it is the real stream, not seen yet, and is delivered.
//   - Packets that tracking refuses as old or as a replay, arriving as a stream of their own (in
//     order, more of them than the tracked stream has accepted, which meanwhile does not advance)
//     that continues the fallback (the stream tracking last moved away from, above where it was
//     left) or, while the tracked generation rests on one packet, any other stream: tracking
//     resynchronises back to it. Reordering cannot produce that: such packets are 64 or more seqs
//     away, or of another generation.
// Replays stay refused: a stream is only resumed above the highest seq already seen in it, and a
// confirmed stream is never left for packets below it.

/** For control messages: a lower generation than the tracked one is a replay. */
export type GenerationVerdict = 'same' | 'first' | 'replay';

/** Tracking moved to another stream of the peer's packets (for counters and logs). */
export interface SeqResync {
  /**
   * 'forward': a jump beyond MAX_GAP or a new generation, confirmed by a second packet.
   * 'back': the stream the peer really sends kept arriving after tracking had moved away from it.
   */
  readonly direction: 'forward' | 'back';
  readonly fromGeneration: number;
  readonly fromSeq: number;
  readonly toGeneration: number;
  readonly toSeq: number;
}

export type SeqVerdict =
  /**
   * New message: deliver it. `ack` says an NS_ackmsg is due (every 10th seq, per-peer offset).
   * `restarted`: the peer's earlier state no longer applies (new generation, or a resync back).
   */
  | {
      readonly kind: 'new';
      readonly ack: boolean;
      readonly lost: number;
      readonly restarted: boolean;
      readonly resync?: SeqResync;
    }
  /** A recent sequence number already seen (copy from another medium, late retransmission). */
  | { readonly kind: 'duplicate' }
  /** Much older than anything recent and not a recorded gap. */
  | { readonly kind: 'old'; readonly lastSeq: number }
  /** A generation older than the tracked one, or a packet of a stream already left behind. */
  | { readonly kind: 'replay'; readonly generation: number }
  /** Far ahead of the tracked stream (seq or generation): kept until a second packet confirms it. */
  | { readonly kind: 'held'; readonly detail: string };

interface MissingSeq {
  dueMs: number;
  requests: number;
}

/** The highest point reached in a stream that tracking moved away from. */
interface StreamMark {
  readonly generation: number;
  readonly high: number;
}

/** Packets of the fallback stream seen while tracking another one (evidence for a resync back). */
interface ResyncRun {
  readonly generation: number;
  readonly firstSeq: number;
  lastSeq: number;
  count: number;
}

/** More missing at once than this is not trusted to one packet (Heartbeat: "lost a lot of packets!"). */
export const MAX_GAP = 250;
/** Bound on recorded missing seqs per peer (Heartbeat keeps at most 500). */
export const MAX_MISSING = 500;
/** Seqs at most this far below the highest seen count as duplicates; older ones are rejected. */
export const DUPLICATE_WINDOW = 64;
/** Skipped seqs stay acceptable while at most this far below the highest seen (more than MAX_GAP). */
export const SEEN_WINDOW = 512;
/** Give a missing seq up after this many retransmit requests without an answer. */
export const MAX_REXMIT_REQUESTS = 10;
/** Minimum delay before the first retransmit request, so that short reorderings fill themselves. */
export const MIN_REXMIT_DELAY_MS = 50;

/** Packets of another stream, in order, that move tracking back to it. */
export const RESYNC_PACKETS = 2;

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
  /** Skipped seqs no longer asked for (given up, NAKed, evicted): still new if they turn up. */
  private readonly abandoned = new Set<number>();
  /** Packets accepted since tracking (re)started: 1 = the stream rests on a single packet. */
  private accepted = 0;
  /** The tracked generation was seen in two packets (not only in one that could be forged). */
  private generationConfirmed = false;
  /** When tracking (re)started. */
  private epochAtMs = 0;
  /** Seqs delivered below the single packet of a first contact (their copies are duplicates). */
  private readonly belowSeen = new Set<number>();
  /** Lowest seq of the tracked stream since tracking (re)started; below it nothing was accepted. */
  private epochStart = 0;
  /** The stream tracking last moved away from; it may resume (resync back). */
  private fallback: StreamMark | undefined = undefined;
  /** A held packet far ahead of the tracked stream. */
  private candidate: { readonly generation: number; readonly seq: number } | undefined = undefined;
  private run: ResyncRun | undefined = undefined;
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
   * For `control` messages (NS_*, no seq): a lower generation is a replay; a higher one is accepted
   * without switching to it (the restart is recognised on the peer's sequenced messages, accept()).
   */
  checkControlGeneration(hg: number): GenerationVerdict {
    if (this.generation === undefined) return 'first';
    return hg < this.generation ? 'replay' : 'same';
  }

  /**
   * Forget seq state (peer declared dead); the generation and the highest seq seen are kept, so
   * old packets of this generation are still refused when replayed.
   */
  resetSequence(): void {
    if (this.lastSeq > this.floorSeq) this.floorSeq = this.lastSeq;
    this.lastSeq = 0;
    this.missing.clear();
    this.abandoned.clear();
    this.belowSeen.clear();
    this.accepted = 0;
    this.candidate = undefined;
    this.run = undefined;
  }

  /**
   * Classify an authenticated sequenced message of generation `hg`. Gaps are recorded with a first
   * request time randomly in [50, maxRexmitDelayMs] after nowMs. `lost` counts seqs given up on here.
   */
  accept(hg: number, seq: number, nowMs: number, maxRexmitDelayMs: number, random: () => number): SeqVerdict {
    if (this.generation === undefined) {
      this.establish(hg, seq, nowMs);
      return this.fresh(seq, 0, false);
    }
    let base: SeqVerdict;
    if (hg === this.generation) {
      if (this.lastSeq === 0) {
        if (seq > this.floorSeq) {
          this.fallback = { generation: hg, high: this.floorSeq };
          this.establish(hg, seq, nowMs);
          return this.fresh(seq, 0, false);
        }
        base = { kind: 'old', lastSeq: this.floorSeq };
      } else if (seq > this.lastSeq) {
        if (seq - this.lastSeq - 1 <= MAX_GAP) return this.advance(seq, nowMs, maxRexmitDelayMs, random);
        if (this.isLeftBehind(hg, seq)) return { kind: 'replay', generation: hg };
        return this.forward(hg, seq, nowMs, maxRexmitDelayMs, random);
      } else if (this.missing.delete(seq) || this.abandoned.delete(seq)) {
        return this.fresh(seq, 0, false);
      } else if (this.lastSeq - seq < DUPLICATE_WINDOW) {
        // A first contact rests on one packet, and its stream has not gone on since: once longer
        // than a reordering lasts, what arrives below it is the real stream, never seen yet.
        const sinceMs = nowMs - this.epochAtMs;
        if (
          this.firstContact() &&
          seq < this.epochStart &&
          sinceMs >= Math.max(maxRexmitDelayMs, MIN_REXMIT_DELAY_MS)
        ) {
          if (!this.belowSeen.has(seq)) {
            this.belowSeen.add(seq);
            return this.fresh(seq, 0, false);
          }
        }
        base = { kind: 'duplicate' };
      } else base = { kind: 'old', lastSeq: this.lastSeq };
    } else if (hg > this.generation) {
      if (this.isLeftBehind(hg, seq)) return { kind: 'replay', generation: this.generation };
      if (this.lastSeq !== 0) return this.forward(hg, seq, nowMs, maxRexmitDelayMs, random);
      // Declared dead and now back with a new generation: a restart, as Heartbeat sees it.
      this.fallback = { generation: this.generation, high: this.floorSeq };
      this.floorSeq = 0;
      this.ackedOurSeq = 0;
      this.establish(hg, seq, nowMs);
      return this.fresh(seq, 0, true);
    } else {
      base = { kind: 'replay', generation: this.generation };
    }
    return this.backward(hg, seq, base);
  }

  /** The next seq, or a gap of at most MAX_GAP (recorded, asked for later). */
  private advance(seq: number, nowMs: number, maxRexmitDelayMs: number, random: () => number): SeqVerdict {
    let lost = 0;
    for (let s = this.lastSeq + 1; s < seq; s++) this.addMissing(s, nowMs, maxRexmitDelayMs, random);
    this.lastSeq = seq;
    while (this.missing.size > MAX_MISSING) {
      const oldest = this.missing.keys().next().value;
      if (oldest === undefined) break;
      this.missing.delete(oldest);
      this.abandon(oldest);
      lost++;
    }
    this.accepted++;
    this.generationConfirmed = true;
    // The tracked stream goes on: whatever contradicted it was not the peer's real stream.
    this.candidate = undefined;
    this.run = undefined;
    this.pruneAbandoned();
    return this.fresh(seq, lost, false);
  }

  /** A packet far ahead (seq beyond MAX_GAP, or a higher generation) of a tracked stream. */
  private forward(
    hg: number,
    seq: number,
    nowMs: number,
    maxRexmitDelayMs: number,
    random: () => number,
  ): SeqVerdict {
    const c = this.candidate;
    if (c !== undefined && c.generation === hg && seq > c.seq && seq - c.seq <= MAX_GAP) {
      const restarted = hg !== this.generation;
      const resync = this.switchTo(hg, seq, c.seq, 'forward');
      // The held packet(s) were real after all: ask for them like any gap.
      for (let s = c.seq; s < seq; s++) this.addMissing(s, nowMs, maxRexmitDelayMs, random);
      return this.fresh(seq, 0, restarted, resync);
    }
    if (c === undefined || c.generation !== hg || c.seq !== seq) this.candidate = { generation: hg, seq };
    const what =
      hg === this.generation
        ? `seq ${hex(seq)} is more than ${MAX_GAP} ahead of ${hex(this.lastSeq)}`
        : `generation ${hex(hg)} is newer than ${hex(this.generation ?? 0)} (restart?)`;
    return { kind: 'held', detail: `${what}: held until a second packet confirms it` };
  }

  /**
   * A packet the tracked stream refuses (`base`). If it continues the fallback stream (or, at first
   * contact, any other stream), it is evidence that tracking follows the wrong stream; enough of it
   * moves tracking back.
   */
  private backward(hg: number, seq: number, base: SeqVerdict): SeqVerdict {
    // Within 64 below the tracked stream: reordering or retransmitted copies, never evidence.
    if (base.kind === 'duplicate') return base;
    // Forgotten (declared dead) after a confirmed stream: late or replayed packets below its floor
    // are no evidence; the peer's next new packet re-establishes tracking.
    if (this.lastSeq === 0 && this.generationConfirmed) return base;
    const f = this.fallback;
    if (f !== undefined) {
      // Only seqs never accepted: above where the fallback was left, below the tracked stream.
      if (hg !== f.generation || seq <= f.high) return base;
      if (hg === this.generation && seq >= this.epochStart) return base;
    } else if (this.generationConfirmed) {
      // First contact was real: only a live stream that stopped advancing can be contradicted,
      // and never by what lies below where it was forgotten.
      if (this.lastSeq === 0 || (hg === this.generation && seq <= this.floorSeq)) return base;
    }
    const r = this.run;
    if (r !== undefined && r.generation === hg && seq > r.lastSeq && seq - r.lastSeq <= MAX_GAP) {
      r.lastSeq = seq;
      r.count++;
      // The run must outweigh the tracked stream (which clears the run whenever it advances).
      if (r.count >= Math.max(RESYNC_PACKETS, this.accepted + 1)) {
        const resync = this.switchTo(hg, seq, r.firstSeq, 'back');
        return this.fresh(seq, 0, true, resync);
      }
      return base;
    }
    // A copy of a packet of the run (another medium) neither extends nor restarts it.
    if (r !== undefined && r.generation === hg && seq >= r.firstSeq && seq <= r.lastSeq) return base;
    this.run = { generation: hg, firstSeq: seq, lastSeq: seq, count: 1 };
    return base;
  }

  /** Tracking rests on the one packet of a first contact (no stream before it, none confirmed). */
  private firstContact(): boolean {
    return this.accepted === 1 && this.fallback === undefined && !this.generationConfirmed;
  }

  /** A packet of a stream tracking already moved away from, at or below where it was left. */
  private isLeftBehind(hg: number, seq: number): boolean {
    return this.fallback !== undefined && hg === this.fallback.generation && seq <= this.fallback.high;
  }

  private switchTo(hg: number, seq: number, from: number, direction: SeqResync['direction']): SeqResync {
    const fromGeneration = this.generation ?? hg;
    const fromSeq = this.lastSeq;
    this.fallback = { generation: fromGeneration, high: Math.max(this.lastSeq, this.floorSeq) };
    if (hg !== fromGeneration) {
      this.floorSeq = 0;
      this.ackedOurSeq = 0;
    }
    this.generation = hg;
    this.lastSeq = seq;
    this.missing.clear();
    this.abandoned.clear();
    this.accepted = 2;
    this.generationConfirmed = true;
    this.belowSeen.clear();
    this.epochStart = from;
    this.candidate = undefined;
    this.run = undefined;
    return { direction, fromGeneration, fromSeq, toGeneration: hg, toSeq: seq };
  }

  private establish(hg: number, seq: number, nowMs: number): void {
    if (hg !== this.generation) this.generationConfirmed = false;
    this.generation = hg;
    this.lastSeq = seq;
    this.missing.clear();
    this.abandoned.clear();
    this.belowSeen.clear();
    this.accepted = 1;
    this.epochAtMs = nowMs;
    this.epochStart = seq;
    this.candidate = undefined;
    this.run = undefined;
  }

  private fresh(seq: number, lost: number, restarted: boolean, resync?: SeqResync): SeqVerdict {
    const ack = this.ackDue(seq);
    return resync === undefined
      ? { kind: 'new', ack, lost, restarted }
      : { kind: 'new', ack, lost, restarted, resync };
  }

  private addMissing(s: number, nowMs: number, maxRexmitDelayMs: number, random: () => number): void {
    const span = Math.max(0, maxRexmitDelayMs - MIN_REXMIT_DELAY_MS);
    this.missing.set(s, {
      dueMs: nowMs + MIN_REXMIT_DELAY_MS + Math.floor(random() * (span + 1)),
      requests: 0,
    });
  }

  /** A skipped seq nobody will ask for any more (NAK, give-up, eviction). */
  abandon(seq: number): void {
    if (seq < this.lastSeq && this.lastSeq - seq < SEEN_WINDOW) this.abandoned.add(seq);
  }

  private pruneAbandoned(): void {
    if (this.abandoned.size <= SEEN_WINDOW / 2) return;
    for (const s of this.abandoned) if (this.lastSeq - s >= SEEN_WINDOW) this.abandoned.delete(s);
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
        this.abandon(seq);
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

function hex(n: number): string {
  return n.toString(16);
}
