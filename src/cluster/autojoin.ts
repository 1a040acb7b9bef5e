// ha.cf `autojoin` as in Heartbeat 3.0.6: `none` (default) accepts only the nodes on `node` lines;
// `other` and `any` also accept a node that is on no node line once it presents the cluster's key
// (its message passed authentication); `any` also lets this node itself be on no node line
// (resolve-config.ts adds it). A joined node is a peer like the others from then on; the daemon
// remembers it in the state dir (Heartbeat keeps /var/lib/heartbeat/hostcache), so it is known
// again after a restart. Pure: decides and keeps the list; node.ts wires it in.
import type { ClusterConfig, NodeName } from '../config/types.js';
import { MAX_NAME_CHARS } from '../config/config-values.js';

export class Autojoin {
  /** Nodes not on a node line: remembered ones (config.joinedNodes) first, then joined in this run. */
  private readonly joined: NodeName[];

  constructor(
    /** The core's own config copy: its node list grows when a node joins. */
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
  ) {
    this.joined = [...(config.joinedNodes ?? [])];
  }

  get enabled(): boolean {
    return this.config.autojoin !== 'none';
  }

  /** Joined nodes, remembered first; undefined when autojoin is none. */
  list(): readonly NodeName[] | undefined {
    return this.enabled ? this.joined : undefined;
  }

  isJoined(name: NodeName): boolean {
    return this.joined.includes(name);
  }

  /**
   * An authenticated message came from `src`, which is on no node line. Returns the node name when
   * it may join now (added to the node list), undefined when not (autojoin none, a ping node's
   * name, a name no node line could hold).
   */
  consider(src: string): NodeName | undefined {
    if (!this.enabled) return undefined;
    const name = src.toLowerCase() as NodeName;
    if (name === this.self || this.config.nodes.includes(name)) return undefined;
    if (name.length === 0 || name.length > MAX_NAME_CHARS || !/^[\x21-\x7e]+$/.test(name)) return undefined;
    if (this.config.pingTargets.some((p) => p.name === name)) return undefined;
    (this.config as { nodes: readonly NodeName[] }).nodes = [...this.config.nodes, name];
    this.joined.push(name);
    return name;
  }
}
