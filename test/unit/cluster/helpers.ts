// Drive one ClusterNode by hand: a fake peer builds packets with its own PlainEndpoint; the
// node's output packets are decoded back to {type, fields} for assertions.
import { ClusterNode } from '../../../src/cluster/node.js';
import type { Action, ClusterEvent, Input, Output } from '../../../src/cluster/types.js';
import type { ClusterConfig, MediumId, NodeName } from '../../../src/config/types.js';
import { PlainEndpoint } from '../../../src/sim/plain-endpoint.js';
import { Prng } from '../../../src/sim/prng.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';
import type { SimClusterShape } from '../../../src/sim/sim-config.js';

export const N1 = 'node1' as NodeName;
export const N2 = 'node2' as NodeName;
export const N3 = 'node3' as NodeName;
export const M0 = 'bcast:sim0' as MediumId;

export interface Sent {
  readonly type: string;
  readonly dest: string | undefined;
  readonly f: Record<string, string>;
}

export function decodeSent(out: Output): Sent[] {
  return out.packets.map((p) => {
    const wire = JSON.parse(new TextDecoder().decode(p.bytes)) as { dest?: string; f: [string, string][] };
    const f = Object.fromEntries(wire.f);
    return { type: f['t'] ?? '', dest: wire.dest, f };
  });
}

export function config(shape: Partial<SimClusterShape> = {}): ClusterConfig {
  return simClusterConfig({ nodes: 2, keepaliveMs: 100, deadtimeMs: 500, initdeadMs: 1000, ...shape });
}

/** One core under test plus a log of everything it emitted. */
export class Harness {
  readonly node: ClusterNode;
  readonly outputs: Output[] = [];
  nowMs = 0;

  constructor(
    readonly cfg: ClusterConfig,
    readonly self: NodeName = N1,
  ) {
    this.node = new ClusterNode({
      config: cfg,
      self,
      endpoint: new PlainEndpoint(self, 7),
      random: new Prng(1),
      nowMs: 0,
      wallClockOffsetMs: 0,
    });
  }

  step(input: Input): Output {
    this.nowMs = input.nowMs;
    const out = this.node.step(input);
    this.outputs.push(out);
    return out;
  }

  timer(nowMs: number): Output {
    return this.step({ kind: 'timer', nowMs });
  }

  packet(nowMs: number, bytes: Uint8Array, medium: MediumId = M0): Output {
    return this.step({ kind: 'packet', nowMs, medium, bytes });
  }

  result(nowMs: number, action: Action, ok: boolean): Output {
    if (action.kind === 'announce' || action.kind === 'arbiter-drop')
      throw new Error(`${action.kind} has no result`);
    return this.step({ kind: 'action-result', nowMs, actionId: action.id, ok });
  }

  /** Fire the timer at every wake-up the node asks for, up to `toMs`; returns those outputs. */
  advance(toMs: number): Output[] {
    const outs: Output[] = [];
    for (;;) {
      const wake = this.outputs.at(-1)?.wakeAtMs ?? 0;
      if (wake > toMs) break;
      outs.push(this.timer(Math.max(wake, this.nowMs)));
    }
    return outs;
  }

  /** Answer every probe in `out` with "not running". */
  answerProbes(out: Output, nowMs: number): Output[] {
    return out.actions.filter((a) => a.kind === 'probe').map((a) => this.result(nowMs, a, false));
  }

  /** `node:incarnation` as peers must echo it in hbts_seen. */
  seenToken(): string {
    const inc = [...this.sent()].reverse().find((x) => x.f['hbts_inc'] !== undefined)?.f['hbts_inc'] ?? '';
    return `${this.self}:${inc}`;
  }

  events(): ClusterEvent[] {
    return this.outputs.flatMap((o) => o.events);
  }

  actions(): Action[] {
    return this.outputs.flatMap((o) => o.actions);
  }

  sent(): Sent[] {
    return this.outputs.flatMap(decodeSent);
  }
}

/** A scripted peer: its own PlainEndpoint stamps src/seq/generation. */
export class FakePeer {
  private endpoint: PlainEndpoint;

  constructor(
    readonly name: NodeName,
    private generation = 3,
  ) {
    this.endpoint = new PlainEndpoint(name, generation);
  }

  restart(): void {
    this.generation++;
    this.endpoint = new PlainEndpoint(this.name, this.generation);
  }

  send(fields: Record<string, string>, dest?: NodeName): Uint8Array {
    const list = Object.entries(fields).map(([name, value]) => ({ name, type: 'string' as const, value }));
    return this.endpoint.send(list, 0, dest !== undefined ? { wallMs: 0, dest } : { wallMs: 0 });
  }

  /** A heartbeat from one of our own nodes (with extension fields). */
  status(cfg: string, extra: Record<string, string> = {}, st = 'active'): Uint8Array {
    return this.send({
      t: 'status',
      st,
      dt: '1f4',
      protocol: '1',
      hbts_cfg: cfg,
      hbts_phase: 'stable',
      ...extra,
    });
  }

  /** A heartbeat from a real Heartbeat 3 (no extension fields). */
  heartbeatStatus(st = 'active'): Uint8Array {
    return this.send({ t: 'status', st, dt: '1f4', protocol: '1' });
  }
}
