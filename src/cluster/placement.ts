// Where each resource group should run, computed identically on every node from the same facts.
// Determinism is the safety argument: two nodes with the same view never both pick themselves,
// and a node that knows of one more live node than another picks that node or agrees.
import type { GroupId, NodeName } from '../config/types.js';

export interface PlacementView {
  /** All configured nodes, ha.cf order. */
  readonly nodes: readonly NodeName[];
  /** Live nodes that may run groups (not dead, not shutting down), self included when eligible. */
  readonly candidates: ReadonlySet<NodeName>;
  readonly holders: (group: GroupId) => ReadonlySet<NodeName>;
  readonly claimers: (group: GroupId) => ReadonlySet<NodeName>;
  readonly decliners: (group: GroupId) => ReadonlySet<NodeName>;
  readonly failedOn: (group: GroupId) => ReadonlySet<NodeName>;
  /** Nodes a live holder released the group towards (it announces this with the release itself). */
  readonly handoffs: (group: GroupId) => ReadonlySet<NodeName>;
}

/** Nodes in ha.cf order, starting at the home node and wrapping around. */
export function orderFromHome(nodes: readonly NodeName[], home: NodeName): NodeName[] {
  const i = nodes.indexOf(home);
  if (i < 0) return [...nodes];
  return [...nodes.slice(i), ...nodes.slice(0, i)];
}

/**
 * The node that should run `group`, or undefined when no live node may:
 * 0. while nobody eligible runs it: the node its last holder released it towards (the release
 *    and its target travel in one message, so a third node never sees the one without the other),
 * 1. a node that asked for it (takeover, or a returning home node with auto_failback on),
 * 2. else a node that already runs it (first from home when two do: partition-heal resolution),
 * 3. else the first eligible node from the home node in ha.cf order.
 * Nodes on which the group failed are never eligible; nodes in standby only when nobody else is.
 */
export type PlacementRule = 'handoff' | 'claim' | 'holder' | 'home-order';

/** Why placement picked its node, in words for logs (split brain, takeover). */
export const placementRuleText: Readonly<Record<PlacementRule, string>> = {
  handoff: 'the node its last holder released it towards',
  claim: 'a node that asked for it (takeover or failback)',
  holder: 'the holder first from its home node',
  'home-order': 'the first eligible node from its home node',
};

export function placeGroup(group: GroupId, home: NodeName, view: PlacementView): NodeName | undefined {
  return placeGroupWithRule(group, home, view)?.node;
}

/** placeGroup, and which of its rules decided. */
export function placeGroupWithRule(
  group: GroupId,
  home: NodeName,
  view: PlacementView,
): { readonly node: NodeName; readonly rule: PlacementRule } | undefined {
  const failed = view.failedOn(group);
  const eligible = orderFromHome(view.nodes, home).filter((n) => view.candidates.has(n) && !failed.has(n));
  const declining = view.decliners(group);
  const willing = eligible.filter((n) => !declining.has(n));
  const pool = willing.length > 0 ? willing : eligible;
  const holders = view.holders(group);
  if (!pool.some((n) => holders.has(n))) {
    const handoffs = view.handoffs(group);
    const handoff = pool.find((n) => handoffs.has(n));
    if (handoff !== undefined) return { node: handoff, rule: 'handoff' };
  }
  const claimers = view.claimers(group);
  const claimer = pool.find((n) => claimers.has(n));
  if (claimer !== undefined) return { node: claimer, rule: 'claim' };
  const holder = pool.find((n) => holders.has(n));
  if (holder !== undefined) return { node: holder, rule: 'holder' };
  const first = pool[0];
  return first !== undefined ? { node: first, rule: 'home-order' } : undefined;
}
