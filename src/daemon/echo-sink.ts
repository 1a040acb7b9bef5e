// Redundancy in time for fast heartbeats: every packet is sent a second time half a keepalive
// later, when fewer than five keepalives fit into the deadtime (10ms/40ms, 10ms/30ms) and the
// links have lost a packet in the last minute. With 5 % random loss a peer is then declared dead
// only if both copies of every heartbeat in the deadtime are lost (p^8 for four intervals instead
// of p^4: from about one false death per ten minutes to none in a lifetime). The copy carries the
// same sequence number: a receiver that got the first drops the second unread (EchoControl.isCopy),
// one that lost the first takes the second. Slower timings, where a single loss cannot come near
// the deadtime, send each packet once.
//
// Why only after a loss: on a clean link the copy buys nothing and costs a wake-up on both ends
// (half the daemon's idle CPU at 10 ms heartbeats). Loss shows on either side: a gap in a peer's
// sequence numbers (what we lose) or a peer asking us to retransmit (what it loses); the first
// gap turns copies on within one keepalive, so a loss burst of three heartbeats in a row (the
// deadtime at 10ms/30ms) must come first for a false death, and copies stay on for a minute after
// the last loss.
import type { MediumId } from '../config/types.js';
import type { EndpointCounters } from '../protocol/endpoint.js';
import type { PacketSink } from './driver.js';

/** The delay of the copy (ms) when the timings call for copies on a lossy link, else undefined. */
export function echoDelayMs(keepaliveMs: number, deadtimeMs: number): number | undefined {
  if (keepaliveMs <= 0 || deadtimeMs >= 5 * keepaliveMs) return undefined;
  return Math.max(1, Math.round(keepaliveMs / 2));
}

/** Packets the links lost, as the endpoint counts them: what we missed and what peers missed. */
export function lossTotal(c: EndpointCounters): number {
  return c.lostPackets + c.rexmitRequestsAnswered;
}

/** A sink that sends every packet now and again after `delayMs()` (undefined: only now). */
export function withEcho(
  sink: PacketSink,
  delayMs: () => number | undefined,
): PacketSink & { close(): void } {
  const pending = new Set<NodeJS.Timeout>();
  let closed = false;
  return {
    send(medium, bytes) {
      sink.send(medium, bytes);
      const d = delayMs();
      if (d === undefined || closed) return;
      const t = setTimeout(() => {
        pending.delete(t);
        if (closed) return;
        try {
          sink.send(medium, bytes);
        } catch {
          // the daemon is stopping and its sockets are closed: the first copy went out
        }
      }, d);
      // a copy still pending never keeps a stopping daemon alive
      t.unref();
      pending.add(t);
    },
    close() {
      closed = true;
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}

export interface EchoSnapshot {
  /** off: the timings need no copies; idle: they would, no loss lately; on: copies are sent. */
  readonly copies: 'off' | 'idle' | 'on';
  /** Since the last loss was seen (ms), when one was. */
  readonly lastLossAgoMs?: number;
  /** Second copies received and dropped before decoding. */
  readonly copiesDropped: number;
}

export interface EchoOptions {
  /** How long copies stay on after the last loss (default 60 s). */
  readonly holdMs?: number;
  /** Copies whenever the timings call for them, loss or not. */
  readonly always?: boolean;
}

/** How many recent packets per medium a copy is compared with (copies trail by half a keepalive). */
const RECENT_PER_MEDIUM = 8;
/** The loss counters are read at most this often (they are read on the send path). */
const LOSS_READ_MS = 5;

/** When to send copies (delayMs, for withEcho) and which received packets are copies (isCopy). */
export class EchoControl {
  private lastTotal: number | undefined;
  private lastLossMs = -Infinity;
  private lastReadMs = -Infinity;
  private dropped = 0;
  private readonly recent = new Map<MediumId, { readonly ring: (Uint8Array | undefined)[]; next: number }>();
  private readonly holdMs: number;

  constructor(
    private readonly eligibleDelayMs: () => number | undefined,
    private readonly losses: () => number,
    private readonly nowMs: () => number,
    private readonly options: EchoOptions = {},
  ) {
    this.holdMs = options.holdMs ?? 60_000;
  }

  /** The copy's delay now, or undefined for no copy. */
  delayMs(): number | undefined {
    const d = this.eligibleDelayMs();
    if (d === undefined) return undefined;
    if (this.options.always === true) return d;
    const now = this.nowMs();
    if (now - this.lastReadMs >= LOSS_READ_MS) {
      this.lastReadMs = now;
      const total = this.losses();
      if (this.lastTotal !== undefined && total > this.lastTotal) this.lastLossMs = now;
      this.lastTotal = total;
    }
    return now - this.lastLossMs < this.holdMs ? d : undefined;
  }

  /**
   * True when the same bytes arrived on the same medium among its last few packets: the second
   * copy of an echoed packet (or a replay), which the endpoint would only count as a duplicate
   * after decoding and verifying it. Other media are not compared: a packet on a second medium is
   * that link's sign of life.
   */
  isCopy(medium: MediumId, bytes: Uint8Array): boolean {
    if (this.eligibleDelayMs() === undefined) return false;
    let seen = this.recent.get(medium);
    if (seen === undefined) {
      seen = { ring: new Array<Uint8Array | undefined>(RECENT_PER_MEDIUM).fill(undefined), next: 0 };
      this.recent.set(medium, seen);
    }
    for (const r of seen.ring) {
      if (r !== undefined && r.length === bytes.length && Buffer.compare(r, bytes) === 0) {
        this.dropped++;
        return true;
      }
    }
    seen.ring[seen.next] = bytes;
    seen.next = (seen.next + 1) % RECENT_PER_MEDIUM;
    return false;
  }

  snapshot(): EchoSnapshot {
    const now = this.nowMs();
    const copies =
      this.delayMs() !== undefined ? 'on' : this.eligibleDelayMs() === undefined ? 'off' : 'idle';
    return {
      copies,
      ...(Number.isFinite(this.lastLossMs) ? { lastLossAgoMs: Math.round(now - this.lastLossMs) } : {}),
      copiesDropped: this.dropped,
    };
  }
}
