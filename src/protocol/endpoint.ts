// The protocol endpoint contract: everything between "a datagram arrived" and "a cluster message
// is delivered", and between "send this message" and "these bytes go out": codec, authentication,
// sequence numbers, generations, ACKs, retransmission requests/answers and NAKs (reference 4-7).
// Pure: time comes in as arguments, randomness through Random. Implemented by createEndpoint()
// in create-endpoint.ts, which imports this contract (so this file imports nothing from it).
//
// Changes since the first contract (all backwards compatible):
//   - EndpointOptions.allowExtendedAuth (optional, default false): accept/produce sha256/sha512.
//   - receive() and tick() take an optional wallMs, used for the `ts` of the control messages
//     they build (ACKs, retransmit requests, NAKs). Without it the endpoint uses nowMs plus the
//     wall-minus-monotonic offset learnt from the last send().
//
// Semantics worth knowing (details in docs/wire-protocol.md):
//   - A message naming auth key N is verified with key N's own method AND secret (Heartbeat uses
//     the active key's secret: its rotation quirk). Keys with sha256/sha512 are ignored unless
//     allowExtendedAuth; createEndpoint throws if the active key is then unusable.
//   - Sequenced messages from a peer: first seen or next in order or filling a recorded gap ->
//     'message'; seq at most 64 below the highest seen -> 'link-only' (duplicate, counted);
//     older -> rejected 'old-seq'; lower generation -> rejected 'replay'. Gaps up to 250 are
//     recorded and asked for; skipped seqs stay acceptable (while within 512 of the highest) even
//     once the requests are given up. While a peer is tracked, a seq more than 250 ahead or a higher
//     generation is rejected 'seq-jump' (held) until a second packet continues it; that one is
//     delivered with `resync` set (and peerRestarted=true for a new generation), the held seq is
//     asked for again. A peer declared dead (forgetPeer) or never seen is accepted at once at any
//     seq/generation, as Heartbeat does. If packets refused as old/replay keep coming in order from
//     the stream tracking last left (or, while the tracked generation rests on a single packet,
//     any other), more of them than the tracked stream accepted, tracking resynchronises back:
//     that message has `resync` set and peerRestarted=true (forget what the other stream said).
//     Below a first contact, packets are duplicates only for max_rexmit_delay, then new (the first
//     packet may have been ahead of the real stream). Details: peer-sequence.ts.
//     NS_* with a higher generation are accepted without switching.
//   - NS_ackmsg / NS_rexmit / NS_nak_rexmit are consumed here ('link-only'); NS_st from a
//     configured ping node is delivered as 'message' with seq undefined and generation 0.
//   - send() drops caller-supplied srcuuid/seq/hg/ts/ld/ttl/auth/destuuid and adds its own; a
//     caller's `src` equal to self stays where it is (API messages have it mid-message), other
//     `src` values are replaced;
//     a `dest` (from options.dest or a `dest` field) stays where the caller put it, else goes
//     right after `t`.

import type { AuthConfig, MediumId, NodeName } from '../config/types.js';
import type { Field, Message } from './message.js';
import type { SeqResync } from './peer-sequence.js';

export type { SeqResync } from './peer-sequence.js';

export interface EndpointOptions {
  readonly self: NodeName;
  /** 16 bytes, stable across restarts (persisted by the shell). */
  readonly uuid: Uint8Array;
  /** Generation (`hg`): strictly greater after every restart (persisted by the shell). */
  readonly generation: number;
  readonly auth: AuthConfig;
  /** `msgfmt classic`: add the inner `auth` field (real Heartbeat's default). */
  readonly innerAuth: boolean;
  /** Normal nodes we accept messages from (lowercase). */
  readonly knownNodes: readonly NodeName[];
  /** Ping node names (IPs or ping_group names) whose `NS_st` echoes we accept. */
  readonly pingNodes: readonly string[];
  /** Value of the `ttl` field: node count + ping nodes + hopfudge. */
  readonly ttl: number;
  /** Upper bound of the random delay before a retransmit request (ha.cf max_rexmit_delay). */
  readonly maxRexmitDelayMs: number;
  readonly random: { next(): number };
  /** Accept and sign with sha256/sha512 keys (heartbeat-ts extension; real Heartbeat cannot verify them). */
  readonly allowExtendedAuth?: boolean;
}

/** What a reload changes in a running endpoint (ProtocolEndpoint.reconfigure). */
export interface EndpointReconfig {
  readonly knownNodes: readonly NodeName[];
  readonly ttl: number;
  readonly auth: AuthConfig;
  /**
   * Key rotation: until this time a packet the new keys reject is tried with the keys that were in
   * force before (peers not reloaded yet still sign with them). -Infinity: no grace.
   */
  readonly previousAuthUntilMs: number;
}

export interface SendOptions {
  /** Address the message to one node (`dest`, plus `destuuid` when its uuid is known). */
  readonly dest?: NodeName;
  /** Wall-clock time for the `ts` field (hex seconds). */
  readonly wallMs: number;
  /** First line of /proc/loadavg for the `ld` field; omitted when undefined. */
  readonly loadAvg?: string;
}

export type RejectReason =
  | 'malformed'
  | 'too-big'
  | 'bad-auth'
  | 'unknown-key'
  | 'missing-field'
  | 'unknown-node'
  | 'replay'
  | 'old-seq'
  /** Far ahead of the tracked stream (seq jump beyond 250, or a new generation): held until a second packet confirms it. */
  | 'seq-jump';

export type Received =
  /** A new message from a peer, addressed to us or to everybody, in arrival order. */
  | {
      readonly kind: 'message';
      readonly src: NodeName;
      readonly medium: MediumId;
      readonly message: Message;
      readonly type: string;
      /** undefined for NS_* messages. */
      readonly seq: number | undefined;
      readonly generation: number;
      /**
       * Forget what you knew of this peer: it restarted (higher generation), or tracking resynchronised
       * back to the stream the peer really sends after packets of another stream were delivered.
       */
      readonly peerRestarted: boolean;
      /** Set when this message moved sequence tracking to another stream (see SeqResync); log it. */
      readonly resync?: SeqResync;
    }
  /** A copy already seen (other medium, retransmission), a message for another node, or protocol control traffic: proves the link is alive. */
  | { readonly kind: 'link-only'; readonly src: NodeName; readonly medium: MediumId }
  /** Our own message looped back (bcast). */
  | { readonly kind: 'own' }
  | {
      readonly kind: 'rejected';
      readonly reason: RejectReason;
      readonly detail: string;
      readonly src?: string;
    };

export interface ReceiveResult {
  readonly received: Received;
  /** Replies to send on every medium: ACKs, retransmitted copies, NAKs, retransmit requests. */
  readonly packets: readonly Uint8Array[];
}

export interface EndpointCounters {
  readonly sent: number;
  readonly received: number;
  readonly rejected: Readonly<Record<RejectReason, number>>;
  readonly duplicates: number;
  readonly lostPackets: number;
  readonly rexmitRequestsSent: number;
  readonly rexmitRequestsAnswered: number;
  readonly naksSent: number;
  /** Times sequence tracking moved to another stream of a peer (confirmed jump/restart, resync back). */
  readonly resyncs: number;
}

export interface ProtocolEndpoint {
  /**
   * Number, stamp and sign a message. `fields` are the message-specific fields, `t` first
   * (e.g. t, st, dt, protocol); the endpoint appends dest/destuuid, src, srcuuid, seq (not for NS_*),
   * hg, ts, ld, ttl and auth in Heartbeat's order, keeps it in the retransmit history, and returns the bytes.
   */
  send(fields: readonly Field[], nowMs: number, options: SendOptions): Uint8Array;
  /** Never throws, whatever the bytes. `wallMs` stamps the ACK/NAK replies (see header). */
  receive(bytes: Uint8Array, medium: MediumId, nowMs: number, wallMs?: number): ReceiveResult;
  /** Retransmit requests that fell due (sent every medium). */
  tick(nowMs: number, wallMs?: number): readonly Uint8Array[];
  /** Earliest time tick() has something to do, or Infinity. */
  nextWakeMs(): number;
  /**
   * Forget a peer's sequence state (declared dead): its next message starts tracking afresh (no
   * retransmit requests for what was missed), but seqs at or below the highest seen stay refused.
   */
  forgetPeer(node: NodeName): void;
  /**
   * Accept messages from `node` from now on (ha.cf `autojoin`: an authenticated message from a node
   * that is not configured made the core admit it). Optional: an endpoint without it admits no one.
   */
  admit?(node: NodeName): void;
  counters(): EndpointCounters;
  /**
   * Reload: new node list, ttl and keys. Throws (ProtocolSetupError) when the new active key is not
   * usable, before changing anything. Optional: the simulator's plain endpoint has no keys.
   */
  reconfigure?(change: EndpointReconfig): void;
}
