// Who takes part in placement: our own phase (start-up, negotiation, stable, leaving), which nodes
// are candidates to run groups, and the PlacementView that placement.ts decides on. Every node
// builds the same view from the same facts; that is the safety argument of placement.
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { PeerFacts, PeerTable } from './peer-table.js';
import { SettledScores, bestConnected } from './ping-nodes.js';
import type { PingNodes } from './ping-nodes.js';
import { placeGroup } from './placement.js';
import type { PlacementView } from './placement.js';
import type { Quorum } from './quorum.js';
import type { NodePhase } from './types.js';

/** The arbitration rooms placement consults: quorum, and the ping nodes (ipfail). */
export interface Arbitration {
  readonly quorum: Quorum;
  readonly pingNodes: PingNodes;
  readonly ipfail: boolean;
}

const emptySet: ReadonlySet<NodeName> = new Set();

export class Membership {
  phase: NodePhase = 'starting';
  /** Why this node released everything and takes nothing (disk lock lost), if it does. */
  selfFenced: string | undefined;
  /** ipfail compares these (two keepalives of calm first). */
  private readonly pingScores: SettledScores;
  /** Why this node holds no arbiter lease now (arbiter.ts): it runs nothing, takes nothing. */
  arbiterBlocked: string | undefined;

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    readonly arbitration: Arbitration,
  ) {
    this.pingScores = new SettledScores(2 * config.keepaliveMs);
  }

  /** Every step, with ipfail: feed the live nodes' reach counts; placement runs again on a change. */
  settlePingScores(nowMs: number): boolean {
    if (!this.arbitration.ipfail) return false;
    const current = new Map<NodeName, number>();
    for (const n of this.config.nodes) {
      const score = n === this.self || this.peers.isAlive(n) ? this.pingScore(n) : undefined;
      if (score !== undefined) current.set(n, score);
    }
    return this.pingScores.update(current, nowMs);
  }

  nextWakeMs(): number {
    return this.arbitration.ipfail ? this.pingScores.nextWakeMs() : Infinity;
  }

  get stopped(): boolean {
    return this.phase === 'stopped';
  }

  /**
   * May run groups: alive, not leaving, and past comm-up (advertised phase `negotiating` or
   * `stable`), so a node still cut off and waiting for initdead neither attracts groups nor makes
   * holders release towards it. Real Heartbeat peers count once alive. A node only acts once every
   * peer lists it in `hbts_seen`, which peers do only once they count it as a candidate: so when it
   * acts, everybody's placement already includes it.
   */
  isCandidate(n: NodeName): boolean {
    if (n === this.self)
      return (
        this.selfFenced === undefined &&
        this.arbitration.quorum.quorate &&
        this.arbiterBlocked === undefined &&
        (this.phase === 'stable' || this.phase === 'negotiating')
      );
    const p = this.peers.get(n);
    if (p === undefined || !this.peers.isAlive(n) || p.leaving) return false;
    // A peer that says it has no quorum releases everything: nobody places groups there.
    if (this.arbitration.quorum.enforced && p.quorate === false) return false;
    return p.implementation !== 'hbts' || p.phase === 'stable' || p.phase === 'negotiating';
  }

  /** Why this node must release every group and take none (self-fence, no quorum), if it must. */
  releaseReason(): string | undefined {
    if (this.selfFenced !== undefined) return `self-fence: ${this.selfFenced}`;
    return this.arbitration.quorum.lostReason();
  }

  /** How many ping nodes a node reaches, as ipfail compares them (undefined: it does not say). */
  pingScore(n: NodeName): number | undefined {
    if (n === this.self) return this.arbitration.pingNodes.counted().length;
    const p = this.peers.get(n);
    return p?.implementation === 'hbts' ? p.pingNodes?.length : undefined;
  }

  /** Every live peer of ours has echoed our current claims (real Heartbeat peers cannot). */
  claimsAcknowledged(): boolean {
    return this.peers.names.every((n) => {
      const p = this.peers.get(n);
      return p === undefined || p.implementation !== 'hbts' || !this.isCandidate(n) || p.seesUs;
    });
  }

  /** Where placement puts `g` now, from a fresh view. */
  target(g: LocalGroup, view: PlacementView = this.placementView()): NodeName | undefined {
    return placeGroup(g.group.id, g.group.homeNode, view);
  }

  placementView(): PlacementView {
    const live = new Set(this.config.nodes.filter((n) => this.isCandidate(n)));
    const candidates = this.arbitration.ipfail ? bestConnected(live, (n) => this.pingScores.score(n)) : live;
    const collect = (pick: (p: PeerFacts) => ReadonlySet<GroupId>, mine: ReadonlySet<GroupId>) => {
      return (group: GroupId): ReadonlySet<NodeName> => {
        const out = new Set<NodeName>();
        if (mine.has(group)) out.add(this.self);
        for (const p of this.peers.all())
          if (this.peers.isAlive(p.name) && pick(p).has(group)) out.add(p.name);
        return out.size > 0 ? out : emptySet;
      };
    };
    const handoffs = (group: GroupId): ReadonlySet<NodeName> => {
      const out = new Set<NodeName>();
      const mine = this.groups.get(group)?.handoffTo;
      if (mine !== undefined) out.add(mine);
      for (const p of this.peers.all()) {
        const to = p.handoffs.get(group);
        // A node that left gracefully keeps pointing at where it handed its groups.
        // Not under quorum: a node cut off from that leaver never got its shutdone, and would
        // place the group elsewhere than the nodes that did (two holders, no grace allowed).
        const leftCleanly =
          !this.arbitration.quorum.enforced &&
          p.shutdoneGeneration !== undefined &&
          p.shutdoneGeneration === p.generation;
        if (to !== undefined && (this.peers.isAlive(p.name) || leftCleanly)) out.add(to);
      }
      return out.size > 0 ? out : emptySet;
    };
    return {
      nodes: this.config.nodes,
      candidates,
      handoffs,
      holders: collect((p) => p.held, new Set(this.groups.heldIds())),
      claimers: collect((p) => p.claims, this.groups.claims),
      decliners: collect((p) => p.declines, this.groups.declines),
      failedOn: collect((p) => p.failed, new Set(this.groups.failedIds())),
    };
  }
}
