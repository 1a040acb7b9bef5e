// The canonical description of a configuration: the facts a running daemon fixes when it starts,
// each marked whether every node of the cluster must hold the same one. Two questions are answered
// from this one list, so they cannot drift apart:
//   - configFingerprint: a short hash of the agreed facts, advertised as `hbts_cfg` in every
//     heartbeat, so a mismatch shows up before the first failover, not during it;
//   - changedFacts: what a reload (SIGHUP) changed that only takes effect at the next restart.
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
    agreed('nodes', config.nodes.join(',')),
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

/**
 * The names of the facts that differ between the running config and a reloaded one, in canonical
 * order (a repeated fact such as `group` compares as its whole ordered list). Empty: the reload
 * changes nothing a running daemon has fixed, so it can be applied without a restart.
 */
export function changedFacts(running: ClusterConfig, next: ClusterConfig): string[] {
  const byName = (config: ClusterConfig): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const f of configFacts(config)) out.set(f.name, [...(out.get(f.name) ?? []), f.value]);
    return out;
  };
  const before = byName(running);
  const after = byName(next);
  const names = [...new Set([...before.keys(), ...after.keys()])];
  return names.filter((n) => JSON.stringify(before.get(n) ?? []) !== JSON.stringify(after.get(n) ?? []));
}
