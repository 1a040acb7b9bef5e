// Builds the ClusterConfig a simulated cluster runs with (no files): N nodes, one group homed on
// each of the first G nodes (active/active), M broadcast media, the given timings and failback mode.
import type { AuthConfig, AuthMethod } from '../config/auth-config.js';
import type { Medium } from '../config/media-config.js';
import type { AutoFailback, ResourceGroup } from '../config/resource-config.js';
import type { ClusterConfig, GroupId, MediumId, NodeName } from '../config/types.js';

export interface SimClusterShape {
  readonly nodes: number;
  /** Number of groups; group i is homed on node i mod N. Default: one per node. */
  readonly groups?: number;
  readonly media?: number;
  readonly keepaliveMs: number;
  readonly deadtimeMs: number;
  readonly warntimeMs?: number;
  readonly initdeadMs?: number;
  readonly autoFailback?: AutoFailback;
  readonly authMethod?: AuthMethod;
  readonly maxRexmitDelayMs?: number;
  /** Every node has a (simulated) fence device: `fence <node> fence_sim` for each. */
  readonly fencing?: boolean;
  readonly fenceDelayMs?: number;
  /** Every group's (only) resource gets a health check (its status) with this interval and timeout. */
  readonly monitor?: { readonly intervalMs: number; readonly timeoutMs: number };
  /** `quorum on` (left out: the core's default, off). */
  readonly quorum?: boolean;
  /** Ping nodes `ping 198.18.200.(i+1)`, each one address. */
  readonly pingTargets?: number;
  readonly pingPolicy?: 'off' | 'ipfail';
  /** An arbiter (the simulator's lease service) with this lease ttl. */
  readonly arbiterTtlMs?: number;
}

export function simNodeName(i: number): NodeName {
  return `node${i + 1}` as NodeName;
}

export function simGroupId(i: number): GroupId {
  return `IPaddr::198.18.${100 + Math.floor(i / 200)}.${(i % 200) + 10}/24` as GroupId;
}

export function simPingAddress(i: number): string {
  return `198.18.200.${i + 1}`;
}

export function simMediumId(i: number): MediumId {
  return `bcast:sim${i}` as MediumId;
}

export function simClusterConfig(shape: SimClusterShape): ClusterConfig {
  const at = { file: 'sim', line: 0 };
  const nodes = Array.from({ length: shape.nodes }, (_, i) => simNodeName(i));
  const groups: ResourceGroup[] = Array.from({ length: shape.groups ?? shape.nodes }, (_, i) => {
    const id = simGroupId(i);
    const [agent = 'IPaddr', ...args] = id.split('::');
    return {
      id,
      homeNode: nodes[i % nodes.length] ?? nodes[0] ?? ('node1' as NodeName),
      resources: [{ raw: id, agent, args }],
      at,
    };
  });
  const media: Medium[] = Array.from({ length: shape.media ?? 1 }, (_, i) => ({
    kind: 'bcast',
    id: simMediumId(i),
    iface: `sim${i}`,
    port: 694,
    at,
  }));
  const method = shape.authMethod ?? 'sha1';
  const auth: AuthConfig = {
    file: 'sim/authkeys',
    activeIndex: 1,
    keys: new Map([[1, { index: 1, method, secret: method === 'crc' ? '' : 'simulated secret' }]]),
  };
  return {
    configDir: 'sim',
    nodes,
    keepaliveMs: shape.keepaliveMs,
    deadtimeMs: shape.deadtimeMs,
    warntimeMs: shape.warntimeMs ?? Math.round((shape.deadtimeMs * 3) / 5),
    initdeadMs: shape.initdeadMs ?? shape.deadtimeMs * 2,
    deadpingMs: shape.deadtimeMs,
    udpPort: 694,
    baud: 19200,
    media,
    pingTargets: Array.from({ length: shape.pingTargets ?? 0 }, (_, i) => ({
      kind: 'ping' as const,
      name: simPingAddress(i),
      addresses: [simPingAddress(i)],
      at,
    })),
    ...(shape.quorum !== undefined ? { quorum: shape.quorum } : {}),
    ...(shape.pingPolicy !== undefined ? { pingPolicy: shape.pingPolicy } : {}),
    autoFailback: shape.autoFailback ?? 'on',
    hopfudge: 1,
    maxRexmitDelayMs: shape.maxRexmitDelayMs ?? 250,
    msgfmt: 'classic',
    autojoin: 'none',
    clusterName: 'sim',
    logfile: undefined,
    debugfile: undefined,
    logfacility: undefined,
    debugLevel: 0,
    stonith: [],
    ...(shape.fencing === true
      ? {
          fence: nodes.map((target) => ({
            kind: 'fence-agent' as const,
            target,
            agent: 'fence_sim',
            options: [],
            at: { file: 'sim', line: 0 },
          })),
          fenceDelayMs: shape.fenceDelayMs ?? 5000,
          fenceTimeoutMs: 2000,
        }
      : {}),
    ...(shape.arbiterTtlMs !== undefined
      ? {
          arbiter: {
            kind: 'etcd' as const,
            endpoints: ['sim:2379'],
            prefix: '/hbts/sim',
            ttlMs: shape.arbiterTtlMs,
            tls: undefined,
            at: { file: 'sim', line: 0 },
          },
        }
      : {}),
    auth,
    resourceGroups: groups,
    directives: new Map(),
    ...(shape.monitor !== undefined
      ? {
          monitors: groups.map((g) => ({
            group: g.id,
            resourceIndex: 0,
            resource: g.id as string,
            intervalMs: shape.monitor?.intervalMs ?? 1000,
            timeoutMs: shape.monitor?.timeoutMs ?? 1000,
            check: { kind: 'agent' as const, depth: 0 },
            at,
          })),
        }
      : {}),
  };
}
