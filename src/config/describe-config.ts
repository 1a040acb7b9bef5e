// Human and JSON renderings of a resolved ClusterConfig, for `hbts check` and status displays.
import type { FenceMethod } from './fencing-config.js';
import type { Medium, PingTarget } from './media-config.js';
import type { ResourceGroup } from './resource-config.js';
import type { ClusterConfig } from './types.js';
import { formatDuration } from './heartbeat-time.js';
import { fencingSettings } from './ha-cf-defaults.js';
import { checkText, healthPolicy } from './resolve-monitors.js';

export function describeMedium(m: Medium): string {
  switch (m.kind) {
    case 'bcast':
      return `bcast on ${m.iface}, UDP port ${m.port}`;
    case 'ucast':
      return `ucast on ${m.iface} to ${m.peer}, UDP port ${m.port}`;
    case 'ucast6':
      return `ucast6 on ${m.iface} to ${m.peer}, UDP port ${m.port}`;
    case 'mcast':
      return `mcast on ${m.iface} to ${m.group}, UDP port ${m.port}, ttl ${m.ttl}, loop ${m.loop ? 'on' : 'off'}`;
    case 'mcast6':
      return `mcast6 on ${m.iface} to ${m.group}, UDP port ${m.port}, hops ${m.hops}, loop ${m.loop ? 'on' : 'off'}`;
    case 'serial':
      return `serial ${m.device} at ${m.baud} baud`;
  }
}

function describePing(p: PingTarget): string {
  return p.kind === 'ping_group'
    ? `${p.name} (ping_group: ${p.addresses.join(', ')})`
    : `${p.name} (${p.kind})`;
}

function describeGroup(g: ResourceGroup): string[] {
  const steps = g.resources.map((r) => {
    if (r.agent === 'IPaddr' && r.args.length === 1 && r.args[0] === r.raw) return `${r.raw} (IPaddr)`;
    return r.args.length > 0 ? `${r.agent} ${r.args.join(' ')}` : r.agent;
  });
  return [
    `  ${g.id}  home ${g.homeNode}  (haresources line ${g.at.line})`,
    ...steps.map((s, i) => `      ${i + 1}. ${s}`),
  ];
}

/** Options as written, with any inline password shown as ***. */
function redacted(options: readonly (readonly [string, string])[]): (readonly [string, string])[] {
  return options.map(([k, v]) => [k, k === 'password' || k === 'passwd' ? '***' : v] as const);
}

function describeFence(m: FenceMethod, c: ClusterConfig): string {
  if (m.kind === 'sbd') return `${m.target} by sbd on ${c.diskLock?.device ?? '?'}`;
  const options = redacted(m.options).map(([k, v]) => `${k}=${v}`);
  return `${m.target} by ${m.agent}${options.length > 0 ? ` (${options.join(' ')})` : ''}`;
}

function describeFencing(c: ClusterConfig): string[] {
  const out: string[] = [];
  const f = fencingSettings(c);
  if (c.stonith.length > 0) {
    out.push(`stonith:        ${c.stonith.map((s) => `${s.type} from ${s.host}`).join(', ')}`);
  }
  if (f.fence.length > 0) {
    out.push('fence:');
    for (const m of f.fence) out.push(`  ${describeFence(m, c)}`);
  }
  if (f.fence.length > 0 || c.stonith.length > 0) {
    out.push(
      `fence timing:   delay ${formatDuration(f.fenceDelayMs)} (when the dead node ran the most groups), timeout ${formatDuration(f.fenceTimeoutMs)} per method`,
    );
  }
  if (c.diskLock !== undefined) out.push(`disk lock:      ${c.diskLock.device}`);
  if (c.arbiter !== undefined)
    out.push(
      `arbiter:        etcd ${c.arbiter.endpoints.join(',')} prefix ${c.arbiter.prefix} ttl ${formatDuration(c.arbiter.ttlMs)}${c.arbiter.tls !== undefined ? ' (TLS)' : ''}`,
    );
  return out;
}

function describeHealth(c: ClusterConfig): string[] {
  const monitors = c.monitors ?? [];
  if (monitors.length === 0) return [];
  const out = ['health checks:'];
  for (const m of monitors) {
    out.push(
      `  ${m.resource} (group ${m.group}): ${checkText(m)} every ${formatDuration(m.intervalMs)}, timeout ${formatDuration(m.timeoutMs)}`,
    );
  }
  for (const id of new Set(monitors.map((m) => m.group))) {
    const p = healthPolicy(c, id);
    out.push(
      `  group ${id}: restart in place up to ${p.restarts} time(s) in ${formatDuration(p.windowMs)}, then move; a node is not chosen again after ${p.migrationThreshold} failure(s) until hbts cleanup`,
    );
  }
  return out;
}

/**
 * The one line about quorum that `hbts check` prints and the daemon logs at start-up: how many
 * nodes a partition needs, and how that differs from Heartbeat (which has no quorum in haresources
 * mode: every partition runs every group).
 */
export function describeQuorum(c: ClusterConfig): string {
  const n = c.nodes.length;
  const ping = c.pingTargets.length > 0;
  if (c.quorum !== true) {
    return n >= 3
      ? `off (as Heartbeat: every partition runs the groups it can reach, even a minority)`
      : `off (2 nodes, as Heartbeat: each side of a split runs every group${ping ? '; ping nodes do not break the tie' : ''})`;
  }
  const needed = Math.floor(n / 2) + 1;
  const tie =
    n % 2 === 0
      ? ping
        ? `; exactly ${n / 2} hold only while they reach a ping node (tiebreaker)`
        : `; exactly ${n / 2} is no majority`
      : '';
  return (
    `on: a partition needs ${needed} of the ${n} nodes to run groups, a smaller one releases them within deadtime${tie}. ` +
    'Heartbeat differs: it has no quorum in haresources mode. Every node must run heartbeat-ts (a real Heartbeat node neither counts nor obeys it)'
  );
}

/** Ping nodes and what they decide. */
function describePingPolicy(c: ClusterConfig): string {
  if (c.pingPolicy === 'ipfail')
    return 'ipfail: groups move to the nodes that reach the most ping nodes (done inside the daemon)';
  return 'off: ping nodes are watched and shown, nothing moves for them';
}

/** The multi-line summary `hbts check` prints for a valid configuration. */
export function describeConfig(c: ClusterConfig): string {
  const out: string[] = [];
  const local = c.localNode;
  out.push(`configuration in ${c.configDir} is valid${local !== undefined ? ` for node ${local}` : ''}`);
  out.push(`cluster:        ${c.clusterName}`);
  out.push(`nodes:          ${c.nodes.map((n) => (n === local ? `${n} (this node)` : n)).join(', ')}`);
  out.push('media:');
  for (const m of c.media) out.push(`  ${m.id.padEnd(28)} ${describeMedium(m)}`);
  out.push(
    `timing:         keepalive ${formatDuration(c.keepaliveMs)}, deadtime ${formatDuration(c.deadtimeMs)}, ` +
      `warntime ${formatDuration(c.warntimeMs)}, initdead ${formatDuration(c.initdeadMs)}` +
      (c.pingTargets.length > 0 ? `, deadping ${formatDuration(c.deadpingMs)}` : ''),
  );
  if (c.pingTargets.length > 0) {
    out.push(`ping nodes:     ${c.pingTargets.map(describePing).join(', ')}`);
    out.push(`ping_policy:    ${describePingPolicy(c)}`);
  }
  if (c.nodes.length >= 2) out.push(`quorum:         ${describeQuorum(c)}`);
  out.push(`auto_failback:  ${c.autoFailback}`);
  const active = c.auth.keys.get(c.auth.activeIndex);
  const others = [...c.auth.keys.keys()].filter((k) => k !== c.auth.activeIndex);
  out.push(
    `auth:           key ${c.auth.activeIndex} (${active?.method ?? '?'}) signs outgoing packets` +
      (others.length > 0 ? `; also accepts keys ${others.join(', ')}` : ''),
  );
  out.push(...describeFencing(c));
  out.push(...describeHealth(c));
  const api = c.api;
  if (api?.listen !== undefined)
    out.push(
      `http api:       ${api.listen.host}:${api.listen.port} (${api.cert !== undefined ? 'HTTPS' : 'plain HTTP'}, bearer token from ${api.tokenFile ?? '?'}; dashboard at /)`,
    );
  if (api !== undefined)
    out.push(
      `metrics:        ${api.metricsListen !== undefined ? `${api.metricsListen.host}:${api.metricsListen.port}/metrics (no token)` : '/metrics on the http api (token)'}`,
    );
  if (c.resourceGroups.length === 0) {
    out.push('resource groups: none');
  } else {
    out.push(`resource groups (${c.resourceGroups.length}; started in this order, stopped in reverse):`);
    for (const g of c.resourceGroups) out.push(...describeGroup(g));
  }
  return out.join('\n') + '\n';
}

/** JSON with Maps turned into plain objects (numbers as keys become strings), fence passwords hidden. */
export function configToJson(c: ClusterConfig): string {
  const shown = {
    ...c,
    fence: fencingSettings(c).fence.map((m) =>
      m.kind === 'sbd' ? m : { ...m, options: redacted(m.options) },
    ),
  };
  return JSON.stringify(
    shown,
    (_key, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value),
    2,
  );
}
