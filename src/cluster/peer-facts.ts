// What we know of one peer: the facts its messages told us (see peer-table.ts, which applies them).
import type { GroupId, NodeName } from '../config/types.js';
import type { NodePhase, NodeStatusName } from './types.js';

export interface PeerFacts {
  readonly name: NodeName;
  implementation: 'hbts' | 'heartbeat' | 'unknown';
  /** What the peer last advertised in `st`. */
  advertised: NodeStatusName;
  generation: number | undefined;
  cfg: string | undefined;
  phase: NodePhase | undefined;
  held: Set<GroupId>;
  claims: Set<GroupId>;
  declines: Set<GroupId>;
  failed: Set<GroupId>;
  handoffs: Map<GroupId, NodeName>;
  /** Its `hbts_inc`, and whether its latest heartbeat lists us (our incarnation) as seen. */
  incarnation: string | undefined;
  seesUs: boolean;
  /** A real Heartbeat peer answered our `starting` with a `resource` report. */
  resourceReported: boolean;
  /** A real Heartbeat peer's last `resource` report said isstable=1: it accepts a standby request. */
  rscStable: boolean;
  leaving: boolean;
  /** Generation that announced `shutdone`: its later heartbeats do not revive it. */
  shutdoneGeneration: number | undefined;
  /**
   * Seq of the newest message whose ownership facts we applied. An older message (reordered, or a
   * retransmission filling a gap) still proves liveness but must not roll its facts back.
   */
  factsSeq: number | undefined;
  /** The last applied extension fields, to skip identical heartbeats cheaply. */
  advertKey: string | undefined;
  /** Nodes it says it has fenced (or knows fenced), with their generation then. */
  fenced: ReadonlyMap<NodeName, number | undefined>;
  /** Its failed health checks per group (`hbts_fails`), for status. */
  failCounts: ReadonlyMap<GroupId, number>;
  /** Its `hbts_quorum` (undefined: quorum off there, or a real Heartbeat). */
  quorate: boolean | undefined;
  /** The nodes its `hbts_seen` lists (alive and candidates in its view). */
  seen: readonly NodeName[];
  /** Its `hbts_ping`: the ping nodes it reaches (undefined: it does not say). */
  pingNodes: readonly string[] | undefined;
}

export function blankFacts(name: NodeName): PeerFacts {
  return {
    name,
    implementation: 'unknown',
    advertised: 'init',
    generation: undefined,
    cfg: undefined,
    phase: undefined,
    held: new Set(),
    claims: new Set(),
    declines: new Set(),
    failed: new Set(),
    handoffs: new Map(),
    incarnation: undefined,
    seesUs: false,
    resourceReported: false,
    rscStable: false,
    leaving: false,
    shutdoneGeneration: undefined,
    factsSeq: undefined,
    advertKey: undefined,
    fenced: new Map(),
    failCounts: new Map(),
    quorate: undefined,
    seen: [],
    pingNodes: undefined,
  };
}
