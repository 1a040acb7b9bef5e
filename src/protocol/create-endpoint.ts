// The protocol endpoint: codec + auth + sequencing + ACKs + retransmission behind the
// ProtocolEndpoint contract (endpoint.ts). Pure: time and randomness come in from the caller.

import type { MediumId, NodeName } from '../config/types.js';
import { authenticator, KeyRing } from './key-ring.js';
import { decodePacket } from './codec.js';
import { ProtocolSetupError } from './errors.js';
import type {
  EndpointCounters,
  EndpointOptions,
  EndpointReconfig,
  ProtocolEndpoint,
  ReceiveResult,
  Received,
  RejectReason,
  SendOptions,
} from './endpoint.js';
import type { Field, Message } from './message.js';
import { getString } from './message.js';
import { parseDecimalNumber, parseHexNumber, readHeader, type Header } from './message-header.js';
import { PeerSequence } from './peer-sequence.js';
import type { SeqResync } from './peer-sequence.js';
import { SendHistory } from './send-history.js';

/** Sent messages kept for retransmission (Heartbeat: 500). */
export const HISTORY_SIZE = 500;
/** At most this many seqs are retransmitted per request, and asked for per request. */
export const MAX_REXMIT_PER_REQUEST = 50;
/** Heartbeat ACKs every 10th sequence number. */
export const ACK_INTERVAL = 10;

/** Fields the endpoint adds itself; callers' copies are dropped (except a src equal to self, kept in place). */
const STAMPED = new Set(['src', 'srcuuid', 'seq', 'hg', 'ts', 'ld', 'ttl', 'auth', 'destuuid']);

const NO_PACKETS: readonly Uint8Array[] = [];

function hex(n: number): string {
  return n.toString(16);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reject counters, all zero (shared with other ProtocolEndpoint implementations). */
export function emptyRejected(): Record<RejectReason, number> {
  return {
    malformed: 0,
    'too-big': 0,
    'bad-auth': 0,
    'unknown-key': 0,
    'missing-field': 0,
    'unknown-node': 0,
    replay: 0,
    'old-seq': 0,
    'seq-jump': 0,
  };
}

class Endpoint implements ProtocolEndpoint {
  private readonly keys: KeyRing;
  private readonly self: string;
  private known: Set<string>;
  private readonly pings: Set<string>;
  private readonly peers = new Map<string, PeerSequence>();
  private readonly history = new SendHistory(HISTORY_SIZE);
  private readonly random: () => number;
  private seq = 0;
  /** wall clock minus monotonic clock, learnt from send(); stamps control messages built in receive/tick. */
  private wallOffsetMs = 0;
  private readonly c = {
    sent: 0,
    received: 0,
    rejected: emptyRejected(),
    duplicates: 0,
    lostPackets: 0,
    rexmitRequestsSent: 0,
    rexmitRequestsAnswered: 0,
    naksSent: 0,
    resyncs: 0,
  };

  constructor(private options: EndpointOptions) {
    if (options.uuid.length !== 16)
      throw new ProtocolSetupError(`endpoint uuid must be 16 bytes, got ${options.uuid.length}`);
    this.keys = new KeyRing(authenticator(options.auth, options));
    this.self = options.self.toLowerCase();
    this.known = new Set(options.knownNodes.map((n) => n.toLowerCase()));
    this.pings = new Set(options.pingNodes.map((n) => n.toLowerCase()));
    const r = options.random;
    this.random = () => r.next();
  }

  admit(node: NodeName): void {
    this.known.add(node.toLowerCase());
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  send(fields: readonly Field[], nowMs: number, options: SendOptions): Uint8Array {
    this.wallOffsetMs = options.wallMs - nowMs;
    return this.stampAndSign(fields, options.dest, options.wallMs, options.loadAvg, true);
  }

  private stampAndSign(
    fields: readonly Field[],
    dest: NodeName | string | undefined,
    wallMs: number,
    loadAvg: string | undefined,
    keep: boolean,
  ): Uint8Array {
    const out: Field[] = [];
    let type = '';
    let destName = dest?.toLowerCase();
    let hasDest = false;
    let hasSrc = false;
    for (const f of fields) {
      // API client messages carry their own src in the middle (hbapi-clstat): keep it in place
      if (f.name === 'src' && f.type === 'string' && f.value === this.self && !hasSrc) {
        hasSrc = true;
        out.push(f);
        continue;
      }
      if (STAMPED.has(f.name)) continue;
      if (f.name === 't' && f.type === 'string' && type === '') type = f.value;
      if (f.name === 'dest' && f.type === 'string') {
        hasDest = true;
        destName ??= f.value.toLowerCase();
      }
      out.push(f);
    }
    if (destName !== undefined && !hasDest) {
      // Heartbeat's senders put dest right after t (reqnodes, NS_ackmsg, ip-request-resp, ...).
      const tAt = out.findIndex((f) => f.name === 't');
      out.splice(tAt + 1, 0, { name: 'dest', type: 'string', value: destName });
    }
    if (destName !== undefined) {
      const uuid = destName === this.self ? this.options.uuid : this.peers.get(destName)?.uuid;
      if (uuid !== undefined) out.push({ name: 'destuuid', type: 'binary', value: uuid });
    }
    const control = type.startsWith('NS_');
    if (!hasSrc) out.push({ name: 'src', type: 'string', value: this.self });
    out.push({ name: 'srcuuid', type: 'binary', value: this.options.uuid });
    let seq: number | undefined;
    if (!control) {
      seq = ++this.seq;
      out.push({ name: 'seq', type: 'string', value: hex(seq) });
    }
    out.push({ name: 'hg', type: 'string', value: hex(this.options.generation) });
    out.push({ name: 'ts', type: 'string', value: hex(Math.floor(wallMs / 1000)) });
    if (!control && loadAvg !== undefined) out.push({ name: 'ld', type: 'string', value: loadAvg });
    out.push({ name: 'ttl', type: 'string', value: String(this.options.ttl) });
    if (this.options.innerAuth) {
      out.push({ name: 'auth', type: 'string', value: this.keys.current.innerAuthValue({ fields: out }) });
    }
    const bytes = this.keys.current.signNetstring({ fields: out });
    if (seq !== undefined && keep) this.history.add(seq, bytes);
    this.c.sent++;
    return bytes;
  }

  private control(
    fields: readonly Field[],
    dest: string,
    nowMs: number,
    wallMs: number | undefined,
  ): Uint8Array {
    return this.stampAndSign(fields, dest, wallMs ?? nowMs + this.wallOffsetMs, undefined, false);
  }

  // ------------------------------------------------------------------------------------------
  // Receiving

  private reject(reason: RejectReason, detail: string, src?: string): ReceiveResult {
    this.c.rejected[reason]++;
    const received: Received =
      src === undefined ? { kind: 'rejected', reason, detail } : { kind: 'rejected', reason, detail, src };
    return { received, packets: NO_PACKETS };
  }

  receive(bytes: Uint8Array, medium: MediumId, nowMs: number, wallMs?: number): ReceiveResult {
    this.c.received++;
    const decoded = decodePacket(bytes);
    if (!decoded.ok) return this.reject(decoded.reason, decoded.detail);
    const msg = decoded.message;
    const h = readHeader(msg);
    const verdict = this.keys.verify(decoded, bytes, nowMs);
    if (!verdict.ok) return this.reject(verdict.reason, verdict.detail, h.src);

    if (h.t === undefined || h.src === undefined || h.ts === undefined) {
      return this.reject('missing-field', 'message lacks t, src or ts', h.src);
    }
    if (parseHexNumber(h.ts) === undefined) return this.reject('missing-field', `bad ts '${h.ts}'`, h.src);
    const src = h.src.toLowerCase();
    const type = h.t;
    const control = type.startsWith('NS_');
    if (src === this.self) return { received: { kind: 'own' }, packets: NO_PACKETS };
    const srcNode = src as NodeName;

    if (!this.known.has(src)) {
      if (this.pings.has(src) && type === 'NS_st') {
        return {
          received: {
            kind: 'message',
            src: srcNode,
            medium,
            message: msg,
            type,
            seq: undefined,
            generation: 0,
            peerRestarted: false,
          },
          packets: NO_PACKETS,
        };
      }
      return this.reject('unknown-node', `message from unknown node '${src}'`, src);
    }

    const hg = parseHexNumber(h.hg);
    if (hg === undefined) return this.reject('missing-field', 'missing or bad hg', src);
    let seq: number | undefined;
    if (!control) {
      seq = parseHexNumber(h.seq);
      if (seq === undefined || seq === 0) return this.reject('missing-field', 'missing or bad seq', src);
    }

    let peer = this.peers.get(src);
    if (peer === undefined) {
      peer = new PeerSequence(Math.floor(this.random() * ACK_INTERVAL) % ACK_INTERVAL);
      this.peers.set(src, peer);
    }
    // Only a packet that passes sequencing may change the uuid our messages to this peer carry.
    const takeUuid = (): void => {
      if (h.srcuuid !== undefined && h.srcuuid.length === 16) peer.uuid = h.srcuuid;
    };
    const packets: Uint8Array[] = [];
    let peerRestarted = false;
    let resync: SeqResync | undefined;
    if (seq === undefined) {
      if (peer.checkControlGeneration(hg) === 'replay') {
        return this.reject('replay', `generation ${hex(hg)} is older than ${hex(peer.generation ?? 0)}`, src);
      }
      takeUuid();
    } else {
      const sv = peer.accept(hg, seq, nowMs, this.options.maxRexmitDelayMs, this.random);
      switch (sv.kind) {
        case 'replay':
          return this.reject(
            'replay',
            hg < sv.generation
              ? `generation ${hex(hg)} is older than ${hex(sv.generation)}`
              : `generation ${hex(hg)} seq ${hex(seq)} belongs to a stream already left behind`,
            src,
          );
        case 'held':
          return this.reject('seq-jump', sv.detail, src);
        case 'old':
          return this.reject('old-seq', `seq ${hex(seq)} is far below ${hex(sv.lastSeq)}`, src);
        case 'duplicate':
          takeUuid();
          this.c.duplicates++;
          return { received: { kind: 'link-only', src: srcNode, medium }, packets: NO_PACKETS };
        case 'new':
          break;
      }
      takeUuid();
      peerRestarted = sv.restarted;
      resync = sv.resync;
      if (resync !== undefined) this.c.resyncs++;
      this.c.lostPackets += sv.lost;
      if (sv.ack) {
        packets.push(
          this.control(
            [
              { name: 't', type: 'string', value: 'NS_ackmsg' },
              { name: 'dest', type: 'string', value: src },
              { name: 'ackseq', type: 'string', value: hex(seq) },
            ],
            src,
            nowMs,
            wallMs,
          ),
        );
      }
    }
    if (!this.addressedToUs(h)) return { received: { kind: 'link-only', src: srcNode, medium }, packets };

    switch (type) {
      case 'NS_ackmsg': {
        const acked = parseHexNumber(getString(msg, 'ackseq'));
        // An ACK beyond our highest seq is bogus: it would silence retransmissions to this peer.
        if (acked !== undefined && acked > peer.ackedOurSeq && acked <= this.seq) peer.ackedOurSeq = acked;
        return { received: { kind: 'link-only', src: srcNode, medium }, packets };
      }
      case 'NS_rexmit':
        this.answerRexmit(msg, src, peer, nowMs, wallMs, packets);
        return { received: { kind: 'link-only', src: srcNode, medium }, packets };
      case 'NS_nak_rexmit': {
        const lost = parseHexNumber(getString(msg, 'firstseq'));
        if (lost !== undefined && peer.missing.delete(lost)) {
          peer.abandon(lost);
          this.c.lostPackets++;
        }
        return { received: { kind: 'link-only', src: srcNode, medium }, packets };
      }
      default:
        return {
          received: {
            kind: 'message',
            src: srcNode,
            medium,
            message: msg,
            type,
            seq,
            generation: hg,
            peerRestarted,
            ...(resync !== undefined ? { resync } : {}),
          },
          packets,
        };
    }
  }

  /** `destuuid` takes precedence over `dest` (reference 5); no destination = everybody. */
  private addressedToUs(h: Header): boolean {
    if (h.destuuid !== undefined) return sameBytes(h.destuuid, this.options.uuid);
    if (h.dest !== undefined) return h.dest.toLowerCase() === this.self;
    return true;
  }

  private answerRexmit(
    msg: Message,
    requester: string,
    peer: PeerSequence,
    nowMs: number,
    wallMs: number | undefined,
    packets: Uint8Array[],
  ): void {
    const first = parseDecimalNumber(getString(msg, 'firstseq'));
    const requestedLast = parseDecimalNumber(getString(msg, 'lastseq'));
    if (first === undefined || requestedLast === undefined || requestedLast < first || first === 0) return;
    const last = Math.min(requestedLast, first + MAX_REXMIT_PER_REQUEST - 1);
    const minGapMs = Math.max(0, this.options.maxRexmitDelayMs - 10);
    const lowest = this.history.lowest() ?? this.seq + 1;
    for (let s = first; s <= last; s++) {
      if (s <= peer.ackedOurSeq || s > this.seq) continue;
      const sent = this.history.get(s);
      if (sent !== undefined) {
        if (nowMs - sent.lastRexmitMs < minGapMs) continue;
        sent.lastRexmitMs = nowMs;
        packets.push(sent.bytes);
        this.c.rexmitRequestsAnswered++;
      } else if (s < lowest && nowMs - peer.lastNakMs >= minGapMs) {
        // One NAK per requester per interval: NS_rexmit has no seq, so a replayed request must
        // not turn into a stream of NAKs. The requester re-asks and gets the next one.
        peer.lastNakMs = nowMs;
        packets.push(
          this.control(
            [
              { name: 't', type: 'string', value: 'NS_nak_rexmit' },
              { name: 'dest', type: 'string', value: requester },
              { name: 'firstseq', type: 'string', value: hex(s) },
              { name: 'info', type: 'string', value: 'seqno too low' },
            ],
            requester,
            nowMs,
            wallMs,
          ),
        );
        this.c.naksSent++;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Timers

  tick(nowMs: number, wallMs?: number): readonly Uint8Array[] {
    const packets: Uint8Array[] = [];
    for (const [name, peer] of this.peers) {
      if (peer.missing.size === 0) continue;
      const { ranges, gaveUp } = peer.dueRequests(
        nowMs,
        this.options.maxRexmitDelayMs,
        MAX_REXMIT_PER_REQUEST,
      );
      this.c.lostPackets += gaveUp;
      for (const [first, last] of ranges) {
        packets.push(
          this.control(
            [
              { name: 't', type: 'string', value: 'NS_rexmit' },
              { name: 'dest', type: 'string', value: name },
              // Heartbeat prints these two in decimal (unlike every other number).
              { name: 'firstseq', type: 'string', value: String(first) },
              { name: 'lastseq', type: 'string', value: String(last) },
            ],
            name,
            nowMs,
            wallMs,
          ),
        );
        this.c.rexmitRequestsSent++;
      }
    }
    return packets;
  }

  nextWakeMs(): number {
    let min = Infinity;
    for (const peer of this.peers.values()) {
      if (peer.missing.size === 0) continue;
      const due = peer.nextDueMs();
      if (due < min) min = due;
    }
    return min;
  }

  forgetPeer(node: NodeName): void {
    this.peers.get(node.toLowerCase())?.resetSequence();
  }

  reconfigure(change: EndpointReconfig): void {
    // authenticator() throws on bad keys before anything changed
    this.keys.rotate(authenticator(change.auth, this.options), change.previousAuthUntilMs);
    this.known = new Set(change.knownNodes.map((n) => n.toLowerCase()));
    for (const name of [...this.peers.keys()]) if (!this.known.has(name)) this.peers.delete(name);
    this.options = { ...this.options, auth: change.auth, knownNodes: change.knownNodes, ttl: change.ttl };
  }

  counters(): EndpointCounters {
    return { ...this.c, rejected: { ...this.c.rejected } };
  }
}

export function createEndpoint(options: EndpointOptions): ProtocolEndpoint {
  return new Endpoint(options);
}
