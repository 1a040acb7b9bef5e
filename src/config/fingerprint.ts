// The canonical description of a configuration: the facts of a running daemon, each marked
// whether every node of the cluster must hold the same one. configFingerprint is a short hash of
// the agreed facts, advertised as `hbts_cfg` in every heartbeat, so a mismatch shows up before the
// first failover, not during it. (What a reload changes is config-diff.ts.)
// The agreed facts' text and order are a wire format: every heartbeat carries their hash, and nodes
// of different versions compare it. Never reword or reorder them; a new agreed fact changes every
// fingerprint and so needs a deliberate, cluster-wide upgrade. Local facts may change freely.
import { createHash } from 'node:crypto';
import type { ClusterConfig } from './types.js';
import { fencingSettings } from './ha-cf-defaults.js';

export interface ConfigFact {
  readonly name: string;
  readonly value: string;
  /** Every node must hold the same fact (it is part of hbts_cfg); else it is this node's own. */
  readonly agreed: boolean;
}

/** A digest instead of the keys themselves, so the description never holds a secret. */
function authKeysDigest(config: ClusterConfig): string {
  const keys = [...config.auth.keys.values()].map((k) => [k.index, k.method, k.secret]);
  return createHash('sha256')
    .update(JSON.stringify([config.auth.activeIndex, keys]))
    .digest('hex');
}

/**
 * How this node fences, as a digest: fence lines may hold a password. Local: each node may reach
 * the others' power switches its own way; the running fence runner keeps what it started with.
 */
function fencingDigest(config: ClusterConfig): string {
  const f = fencingSettings(config);
  const fence = f.fence.map((m) => (m.kind === 'sbd' ? [m.target, 'sbd'] : [m.target, m.agent, m.options]));
  const stonith = config.stonith.map((d) => [d.kind, d.host, d.type, d.params]);
  return createHash('sha256')
    .update(JSON.stringify([fence, stonith, f.fenceDelayMs, f.fenceTimeoutMs, f.diskLock?.device ?? '']))
    .digest('hex');
}

function pingTargetsText(config: ClusterConfig): string {
  return JSON.stringify([config.pingTargets.map((p) => [p.name, p.addresses]), config.deadpingMs]);
}

/** The facts in canonical order (the agreed ones in exactly the order hbts_cfg hashes them). */
export function configFacts(config: ClusterConfig): ConfigFact[] {
  const agreed = (name: string, value: string | number): ConfigFact => ({
    name,
    value: String(value),
    agreed: true,
  });
  const local = (name: string, value: string): ConfigFact => ({ name, value, agreed: false });
  const activeKey = config.auth.keys.get(config.auth.activeIndex);
  return [
    // With autojoin the node lists differ by design (each node lists itself, others join).
    agreed('nodes', config.autojoin === 'none' ? config.nodes.join(',') : `autojoin ${config.autojoin}`),
    local('media', JSON.stringify(config.media.map((m) => m.id))),
    agreed('keepalive', config.keepaliveMs),
    agreed('deadtime', config.deadtimeMs),
    agreed('warntime', config.warntimeMs),
    agreed('initdead', config.initdeadMs),
    agreed('auto_failback', config.autoFailback),
    agreed('auth', activeKey ? activeKey.method : 'none'),
    // Nodes agree on the method; the keys and which one signs may be rotated node by node.
    local('authkeys', authKeysDigest(config)),
    local('fencing', fencingDigest(config)),
    // Local, like fencing: an agreed fact would change every cluster's fingerprint. Present only
    // when configured, so configurations without an arbiter keep their facts.
    ...(config.arbiter !== undefined
      ? [
          local(
            'arbiter',
            JSON.stringify([
              config.arbiter.endpoints,
              config.arbiter.prefix,
              config.arbiter.ttlMs,
              config.arbiter.tls ?? null,
            ]),
          ),
        ]
      : []),
    ...config.resourceGroups.map((g) =>
      agreed('group', `${g.homeNode}:${g.resources.map((r) => r.raw).join(' ')}`),
    ),
    // Arbitration, agreed only when in use, so the fingerprints of clusters without it stay as
    // they were: a node without quorum among nodes that obey it would take what they released.
    ...(config.quorum === true ? [agreed('quorum', 'on')] : []),
    ...(config.pingPolicy === 'ipfail'
      ? [agreed('ping_policy', 'ipfail'), agreed('ping', config.pingTargets.map((p) => p.name).join(','))]
      : []),
    ...(config.pingTargets.length > 0 ? [local('ping_targets', pingTargetsText(config))] : []),
  ];
}

/** `hbts_cfg`: the first 12 hex digits of sha256 over the agreed facts, one `name=value` a line. */
export function configFingerprint(config: ClusterConfig): string {
  const canonical = configFacts(config)
    .filter((f) => f.agreed)
    .map((f) => `${f.name}=${f.value}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
