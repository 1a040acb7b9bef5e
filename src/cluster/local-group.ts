// One resource group as this node runs it: its definition, local state, its one pending action,
// and the facts other parts of the core keep on it (gate, arbiter key, handoff, health checks,
// reload). The record only; LocalGroups (local-groups.ts) owns the collection and its actions.
import type { NodeName, ResourceGroup } from '../config/types.js';
import type { GroupLocalState } from './cluster-status.js';
import type { ActionId, MonoMs } from './core-primitives.js';
import type { Action } from './outputs.js';

export interface LocalGroup {
  /** Its definition; a reload swaps in a new one while the group is stopped (reconfigure.ts). */
  group: ResourceGroup;
  state: GroupLocalState;
  pending: { readonly kind: Action['kind']; readonly id: ActionId } | undefined;
  failures: number;
  /** A stop failed: the group may still run here, so it counts as held (safety first). */
  stopFailed: boolean;
  failedHere: boolean;
  /** The gate allowed taking this group over from this dead node. */
  gatePassedFrom: NodeName | undefined;
  gateRetryAtMs: MonoMs;
  detail: string | undefined;
  inConflict: boolean;
  /** What starting it here waits for (a holder, a fence, a restarted peer), logged once each. */
  waitingFor: string | undefined;
  /** The arbiter lease under which we hold the group's key, claimed and not yet used for a start. */
  arbiterGrant: string | undefined;
  /** The lease under which the key of the group starting/running here is held. */
  arbiterHeld: string | undefined;
  /** The lease a pending arbiter claim was made under. */
  arbiterClaimLease: string | undefined;
  /** Why the arbiter last refused the key (logged once per reason). */
  arbiterRefusal: string | undefined;
  /** We released (are releasing) the group towards this node; advertised until it holds it. */
  handoffTo: NodeName | undefined;
  /** When we first saw the handoff target holding it. */
  handoffTakenAtMs: MonoMs | undefined;
  /** Failed health checks here since the last cleanup (the fail count, advertised in `hbts_fails`). */
  monitorFailures: number;
  /**
   * After a cleanup: peers that advertised the group failed then. We start it only once each has
   * advertised it cleaned (or died), so every node decides on the same, post-cleanup facts.
   */
  cleanupWaitFor: Set<NodeName> | undefined;
  /**
   * A reload removed this group (`next` undefined) or changed its definition while it ran here:
   * it is stopped with the old definition, then dropped or given `next` (reconfigure.ts).
   */
  retiring: { readonly next: ResourceGroup | undefined } | undefined;
}

/** A group as it starts: stopped here, nothing pending, no history. */
export function freshLocalGroup(group: ResourceGroup): LocalGroup {
  return {
    group,
    state: 'stopped',
    pending: undefined,
    failures: 0,
    stopFailed: false,
    failedHere: false,
    gatePassedFrom: undefined,
    gateRetryAtMs: -Infinity,
    detail: undefined,
    inConflict: false,
    waitingFor: undefined,
    handoffTo: undefined,
    handoffTakenAtMs: undefined,
    monitorFailures: 0,
    cleanupWaitFor: undefined,
    retiring: undefined,
    arbiterGrant: undefined,
    arbiterClaimLease: undefined,
    arbiterRefusal: undefined,
    arbiterHeld: undefined,
  };
}
