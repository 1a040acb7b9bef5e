// What the shell feeds the core's step(): time, packets, action results, admin commands, a
// reload, ping replies.
import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';
import type { ActionId, MonoMs } from './core-primitives.js';

export type ResourceSet = 'all' | 'local' | 'foreign';

export type AdminCommand =
  /** hb_standby: give the set away to the peer(s). */
  | { readonly kind: 'standby'; readonly set: ResourceSet }
  /** hb_takeover: ask the peer(s) to give us the set. */
  | { readonly kind: 'takeover'; readonly set: ResourceSet }
  /** Graceful shutdown: hand every group over, announce `shutdone`, then report `stopped`. */
  | { readonly kind: 'shutdown' }
  /** The operator confirms a dead node is off (`hbts fence --confirm-off`): as if fenced. */
  | { readonly kind: 'fence-confirmed'; readonly node: NodeName }
  /** Release every group here and take none (the disk lock was lost: we can no longer be told to stop). */
  | { readonly kind: 'self-fence'; readonly reason: string }
  | { readonly kind: 'self-fence-clear' }
  /** `hbts cleanup <group>`: forget the group's check failures here and on every peer that hears it. */
  | { readonly kind: 'cleanup'; readonly group: GroupId }
  /**
   * The arbiter's lease (arbiter.ts): etcd answered a keepalive for `leaseId`; the lease is ours
   * until at least `validUntilMs` (the keepalive's send time + ttl/2, in the core's clock).
   */
  | { readonly kind: 'arbiter-lease'; readonly leaseId: string; readonly validUntilMs: MonoMs }
  /** The lease is gone (etcd says it expired, or it was revoked): release everything at once. */
  | { readonly kind: 'arbiter-lost'; readonly reason: string };

export type Input =
  | { readonly kind: 'timer'; readonly nowMs: MonoMs }
  | { readonly kind: 'packet'; readonly nowMs: MonoMs; readonly medium: MediumId; readonly bytes: Uint8Array }
  | {
      readonly kind: 'action-result';
      readonly nowMs: MonoMs;
      readonly actionId: ActionId;
      readonly ok: boolean;
      readonly detail?: string;
    }
  | { readonly kind: 'admin'; readonly nowMs: MonoMs; readonly command: AdminCommand }
  /** Reload: replace the running configuration (ClusterNode.reloadRefusals() said it may). */
  | { readonly kind: 'reconfigure'; readonly nowMs: MonoMs; readonly config: ClusterConfig }
  /** An ICMP echo reply from a ping node's address (`ping`, `ping6`, a `ping_group` member). */
  | { readonly kind: 'ping-reply'; readonly nowMs: MonoMs; readonly address: string };
