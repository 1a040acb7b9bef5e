// The simulation's ping nodes: which of them each node reaches (all reach all by default) and a
// node's ping rounds, every keepalive: each reachable ping node's addresses answer the core.
import type { MonoMs, Output } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { SimEvent } from './sim-actions.js';
import type { SimNode } from './sim-node.js';

/** What the ping nodes need of the simulator. */
export interface PingHost {
  readonly nowMs: MonoMs;
  /** The cluster's configuration: its ping targets and keepalive. */
  readonly config: ClusterConfig;
  node(index: number): SimNode;
  /** Hand a core's output to the simulator (packets, actions, the next wake-up). */
  apply(n: SimNode, out: Output): void;
  push(atMs: MonoMs, ev: SimEvent): void;
  log(text: string): void;
}

export class SimPingNodes {
  /** Ping nodes a node cannot reach: `${nodeIndex}|${pingTargetIndex}` (all reach all by default). */
  private readonly cut = new Set<string>();

  constructor(private readonly host: PingHost) {}

  /** A node (re)started: its first round comes a millisecond later, when there are ping nodes. */
  started(n: SimNode): void {
    if (this.host.config.pingTargets.length > 0)
      this.host.push(this.host.nowMs + 1, { kind: 'ping', node: n.index, incarnation: n.incarnation });
  }

  /** Whether node `index` reaches ping node `target` (index in config.pingTargets). */
  setReachable(index: number, target: number, reachable: boolean): void {
    const key = `${index}|${target}`;
    if (reachable) this.cut.delete(key);
    else this.cut.add(key);
    this.host.log(`${this.host.node(index).name} ${reachable ? 'reaches' : 'loses'} ping node ${target}`);
  }

  /** Every reachable ping node's addresses answer (1 ms round trip), then the next round. */
  round(n: SimNode): void {
    const { config } = this.host;
    config.pingTargets.forEach((t, i) => {
      if (this.cut.has(`${n.index}|${i}`)) return;
      for (const address of t.addresses) {
        if (!n.core) return;
        this.host.apply(n, n.core.step({ kind: 'ping-reply', nowMs: this.host.nowMs, address }));
      }
    });
    this.host.push(this.host.nowMs + config.keepaliveMs, {
      kind: 'ping',
      node: n.index,
      incarnation: n.incarnation,
    });
  }
}
