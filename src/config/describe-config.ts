// Human and JSON renderings of a resolved ClusterConfig, for `hbts check` and status displays.
import type { ClusterConfig, FenceMethod, Medium, PingTarget, ResourceGroup } from './types.js';
import { formatDuration } from './heartbeat-time.js';
import { fencingSettings } from './ha-cf-defaults.js';

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
  if (c.pingTargets.length > 0) out.push(`ping nodes:     ${c.pingTargets.map(describePing).join(', ')}`);
  out.push(`auto_failback:  ${c.autoFailback}`);
  const active = c.auth.keys.get(c.auth.activeIndex);
  const others = [...c.auth.keys.keys()].filter((k) => k !== c.auth.activeIndex);
  out.push(
    `auth:           key ${c.auth.activeIndex} (${active?.method ?? '?'}) signs outgoing packets` +
      (others.length > 0 ? `; also accepts keys ${others.join(', ')}` : ''),
  );
  out.push(...describeFencing(c));
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
