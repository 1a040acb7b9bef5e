// A minimal ProtocolEndpoint for unit tests of the core: JSON on the wire, no auth, no rexmit.
// It keeps the contract's semantics that the core relies on (own packets, duplicates as link-only,
// generations, replay rejection), so core tests do not depend on the codec. The simulator uses the
// real endpoint (codec + auth on every hop) when it is available.
import type { MediumId, NodeName } from '../config/types.js';
import type {
  EndpointCounters,
  ProtocolEndpoint,
  ReceiveResult,
  RejectReason,
  SendOptions,
} from '../protocol/endpoint.js';
import type { Field } from '../protocol/message.js';
import { emptyRejected } from '../protocol/create-endpoint.js';

interface Wire {
  readonly src: string;
  readonly seq: number;
  readonly hg: number;
  readonly dest?: string;
  readonly f: [string, string][];
}

export class PlainEndpoint implements ProtocolEndpoint {
  private seq = 0;
  private readonly peers = new Map<string, { hg: number; seen: Set<number>; high: number }>();
  private readonly stats = { sent: 0, received: 0, duplicates: 0, rejected: 0 };

  constructor(
    private readonly self: NodeName,
    private readonly generation: number,
  ) {}

  send(fields: readonly Field[], _nowMs: number, options: SendOptions): Uint8Array {
    this.seq++;
    this.stats.sent++;
    const wire: Wire = {
      src: this.self,
      seq: this.seq,
      hg: this.generation,
      ...(options.dest !== undefined ? { dest: options.dest } : {}),
      f: fields.filter((f) => f.type === 'string').map((f) => [f.name, f.value as string]),
    };
    return new TextEncoder().encode(JSON.stringify(wire));
  }

  receive(bytes: Uint8Array, medium: MediumId, _nowMs: number): ReceiveResult {
    let wire: Wire;
    try {
      wire = JSON.parse(new TextDecoder().decode(bytes)) as Wire;
    } catch {
      return this.reject('malformed', 'not JSON');
    }
    if (typeof wire.src !== 'string' || !Array.isArray(wire.f)) return this.reject('malformed', 'bad shape');
    const src = wire.src as NodeName;
    if (src === this.self) return { received: { kind: 'own' }, packets: [] };
    let p = this.peers.get(src);
    if (p && wire.hg < p.hg) return this.reject('replay', `generation ${wire.hg} < ${p.hg}`, src);
    const restarted = p !== undefined && wire.hg > p.hg;
    if (!p || restarted) {
      p = { hg: wire.hg, seen: new Set(), high: 0 };
      this.peers.set(src, p);
    }
    if (p.seen.has(wire.seq) || (wire.dest !== undefined && wire.dest !== this.self)) {
      this.stats.duplicates++;
      return { received: { kind: 'link-only', src, medium }, packets: [] };
    }
    p.seen.add(wire.seq);
    if (p.seen.size > 2000) p.seen = new Set([...p.seen].filter((s) => s > wire.seq - 1000));
    this.stats.received++;
    const fields = wire.f.map(([name, value]) => ({ name, type: 'string' as const, value }));
    const type = fields.find((f) => f.name === 't')?.value ?? '';
    return {
      received: {
        kind: 'message',
        src,
        medium,
        message: { fields },
        type,
        seq: wire.seq,
        generation: wire.hg,
        peerRestarted: restarted,
      },
      packets: [],
    };
  }

  tick(): readonly Uint8Array[] {
    return [];
  }

  nextWakeMs(): number {
    return Infinity;
  }

  forgetPeer(node: NodeName): void {
    const p = this.peers.get(node);
    if (p) p.seen = new Set();
  }

  counters(): EndpointCounters {
    const rejected = emptyRejected();
    return {
      sent: this.stats.sent,
      received: this.stats.received,
      rejected,
      duplicates: this.stats.duplicates,
      lostPackets: 0,
      rexmitRequestsSent: 0,
      rexmitRequestsAnswered: 0,
      naksSent: 0,
      resyncs: 0,
    };
  }

  private reject(reason: RejectReason, detail: string, src?: string): ReceiveResult {
    this.stats.rejected++;
    return {
      received: { kind: 'rejected', reason, detail, ...(src !== undefined ? { src } : {}) },
      packets: [],
    };
  }
}
