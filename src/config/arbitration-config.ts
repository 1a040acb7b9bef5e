// Who may hold groups when the cluster is split or cut off (our extensions): `quorum`,
// `ping_policy` and the etcd lease arbiter (`arbiter etcd ...`).
import type { SourceLocation } from './source-location.js';

/**
 * `arbiter etcd ...` (our extension): a group is held only while its holder owns a key for it
 * under an etcd lease (src/cluster/arbiter.ts, src/arbiter/etcd-arbiter.ts).
 */
export interface ArbiterConfig {
  readonly kind: 'etcd';
  /** `host:port` or `http(s)://host:port`, in the order written. */
  readonly endpoints: readonly string[];
  /** Keys live under `<prefix>/group/<group id>` (default `/hbts/<cluster name>`). */
  readonly prefix: string;
  /** The lease's time to live; a holder releases at ttl/2 without a keepalive answer. */
  readonly ttlMs: number;
  readonly tls: { readonly cacert: string; readonly cert?: string; readonly key?: string } | undefined;
  readonly at: SourceLocation;
}

/**
 * Arbitration settings (our extensions `quorum` and `ping_policy`, in hbts.cf or ha.cf) as
 * resolved. Always present in HaCf; optional in ClusterConfig, whose simulated and hand-built forms
 * may leave them out (then: no quorum, ping nodes only watched).
 */
export interface ArbitrationSettings {
  /** A partition without a majority of the `node` lines releases everything and takes nothing. */
  readonly quorum: boolean;
  /**
   * `ipfail`: groups go to the nodes that reach the most ping nodes (Heartbeat's ipfail client,
   * done inside the daemon); `off`: ping nodes are watched and shown, nothing moves for them.
   */
  readonly pingPolicy: 'off' | 'ipfail';
}
