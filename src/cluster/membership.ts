// Who takes part in placement: our own phase (start-up, negotiation, stable, leaving), which nodes
// are candidates to run groups, and the PlacementView that placement.ts decides on. Every node
// builds the same view from the same facts; that is the safety argument of placement.
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import type { LocalGroup, LocalGroups } from './local-groups.js';
import type { PeerFacts, PeerTable } from './peer-table.js';
import { placeGroup } from './placement.js';
import type { PlacementView } from './placement.js';
import type { NodePhase } from './types.js';

const emptySet: ReadonlySet<NodeName> = new Set();

export class Membership {
  phase: NodePhase = 'starting';
  /** Why this node released everything and takes nothing (disk lock lost), if it does. */
  selfFenced: string | undefined;
  /** Why this node holds no arbiter lease now (arbiter.ts): it runs nothing, takes nothing. */
  arbiterBlocked: string | undefined;

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
  ) {}

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
        this.arbiterBlocked === undefined &&
        (this.phase === 'stable' || this.phase === 'negotiating')
      );
    const p = this.peers.get(n);
    if (p === undefined || !this.peers.isAlive(n) || p.leaving) return false;
    return p.implementation !== 'hbts' || p.phase === 'stable' || p.phase === 'negotiating';
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
    const candidates = new Set(this.config.nodes.filter((n) => this.isCandidate(n)));
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
        const leftCleanly = p.shutdoneGeneration !== undefined && p.shutdoneGeneration === p.generation;
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
