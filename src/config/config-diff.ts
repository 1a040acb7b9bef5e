// What a reload changes: the running configuration against the one just loaded, sorted into what
// the daemon applies live (timings, nodes, media, auth keys, resource groups, logging) and what
// waits for the next restart. One list for the core (reconfigure.ts), the shell (daemon reload)
// and the operator's answer (`hbts reload`), so they cannot disagree about what changed.
import type { Medium } from './media-config.js';
import type { ResourceGroup } from './resource-config.js';
import type { ClusterConfig, GroupId, MediumId, NodeName } from './types.js';

export interface TimingChange {
  readonly name: 'keepalive' | 'deadtime' | 'warntime' | 'initdead';
  readonly fromMs: number;
  readonly toMs: number;
}

export interface ConfigDiff {
  readonly timings: readonly TimingChange[];
  readonly nodesAdded: readonly NodeName[];
  readonly nodesRemoved: readonly NodeName[];
  /** Media by id; a medium whose settings (port, interface, ttl...) changed is in both lists. */
  readonly mediaAdded: readonly MediumId[];
  readonly mediaRemoved: readonly MediumId[];
  /** The keys or the `auth N` choice changed. */
  readonly authChanged: boolean;
  readonly groupsAdded: readonly GroupId[];
  readonly groupsRemoved: readonly GroupId[];
  /** Same id (first resource), different home node or resource list. */
  readonly groupsChanged: readonly GroupId[];
  /** `auto_failback` (placement reads it at every decision, so it applies at once). */
  readonly autoFailbackChanged: boolean;
  /** Settings a running daemon cannot change: they take effect at the next restart. */
  readonly needRestart: readonly string[];
}

/** A group's definition as placement and the runner see it (where it was written does not count). */
export function groupDefinition(g: ResourceGroup): string {
  return JSON.stringify([g.homeNode, g.resources.map((r) => r.raw)]);
}

/** A medium's settings without where it was written. */
export function mediumDefinition(m: Medium): string {
  return JSON.stringify({ ...m, at: undefined });
}

function authDigestInput(config: ClusterConfig): string {
  const keys = [...config.auth.keys.values()].map((k) => [k.index, k.method, k.secret]);
  return JSON.stringify([config.auth.activeIndex, keys]);
}

export function diffConfigs(running: ClusterConfig, next: ClusterConfig): ConfigDiff {
  const timings: TimingChange[] = [];
  const timing = (name: TimingChange['name'], fromMs: number, toMs: number): void => {
    if (fromMs !== toMs) timings.push({ name, fromMs, toMs });
  };
  timing('keepalive', running.keepaliveMs, next.keepaliveMs);
  timing('deadtime', running.deadtimeMs, next.deadtimeMs);
  timing('warntime', running.warntimeMs, next.warntimeMs);
  timing('initdead', running.initdeadMs, next.initdeadMs);

  const oldMedia = new Map(running.media.map((m) => [m.id, mediumDefinition(m)]));
  const newMedia = new Map(next.media.map((m) => [m.id, mediumDefinition(m)]));
  const oldGroups = new Map(running.resourceGroups.map((g) => [g.id, groupDefinition(g)]));
  const newGroups = new Map(next.resourceGroups.map((g) => [g.id, groupDefinition(g)]));

  const needRestart: string[] = [];
  const fixed = (name: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) needRestart.push(name);
  };
  // The endpoint stamps every message with these from its start (msgfmt: the inner auth field;
  // hopfudge and ping nodes: ttl and the names accepted as ping replies).
  fixed('msgfmt', running.msgfmt, next.msgfmt);
  fixed('hopfudge', running.hopfudge, next.hopfudge);
  fixed('max_rexmit_delay', running.maxRexmitDelayMs, next.maxRexmitDelayMs);
  fixed(
    'ping',
    running.pingTargets.map((p) => p.name),
    next.pingTargets.map((p) => p.name),
  );
  // The fence runner, the watchdog and the disk lock are opened once at start.
  fixed(
    'fencing',
    [running.stonith, running.fence ?? [], running.fenceDelayMs, running.fenceTimeoutMs].map(stripAt),
    [next.stonith, next.fence ?? [], next.fenceDelayMs, next.fenceTimeoutMs].map(stripAt),
  );
  fixed('watchdog', running.watchdog, next.watchdog);
  fixed('disk_lock', running.diskLock?.device, next.diskLock?.device);
  fixed('baud', running.baud, next.baud);

  return {
    timings,
    nodesAdded: next.nodes.filter((n) => !running.nodes.includes(n)),
    nodesRemoved: running.nodes.filter((n) => !next.nodes.includes(n)),
    mediaAdded: [...newMedia].filter(([id, d]) => oldMedia.get(id) !== d).map(([id]) => id),
    mediaRemoved: [...oldMedia].filter(([id, d]) => newMedia.get(id) !== d).map(([id]) => id),
    authChanged: authDigestInput(running) !== authDigestInput(next),
    groupsAdded: [...newGroups.keys()].filter((id) => !oldGroups.has(id)),
    groupsRemoved: [...oldGroups.keys()].filter((id) => !newGroups.has(id)),
    groupsChanged: [...newGroups]
      .filter(([id, d]) => oldGroups.has(id) && oldGroups.get(id) !== d)
      .map(([id]) => id),
    autoFailbackChanged: running.autoFailback !== next.autoFailback,
    needRestart,
  };
}

/** Source locations out of a value, so moving a line is no change. */
function stripAt(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (k, v: unknown) => (k === 'at' ? undefined : v)));
}

export function diffIsEmpty(d: ConfigDiff): boolean {
  return (
    d.timings.length === 0 &&
    d.nodesAdded.length === 0 &&
    d.nodesRemoved.length === 0 &&
    d.mediaAdded.length === 0 &&
    d.mediaRemoved.length === 0 &&
    !d.authChanged &&
    d.groupsAdded.length === 0 &&
    d.groupsRemoved.length === 0 &&
    d.groupsChanged.length === 0 &&
    !d.autoFailbackChanged &&
    d.needRestart.length === 0
  );
}

/** One line per change, for the log and the operator (`hbts reload`). */
export function describeDiff(d: ConfigDiff): string[] {
  const lines: string[] = [];
  for (const t of d.timings) lines.push(`${t.name} ${t.fromMs} ms -> ${t.toMs} ms`);
  for (const n of d.nodesAdded) lines.push(`node added: ${n}`);
  for (const n of d.nodesRemoved) lines.push(`node removed: ${n}`);
  const replaced = d.mediaAdded.filter((m) => d.mediaRemoved.includes(m));
  for (const m of d.mediaAdded) if (!replaced.includes(m)) lines.push(`medium added: ${m}`);
  for (const m of d.mediaRemoved) if (!replaced.includes(m)) lines.push(`medium removed: ${m}`);
  for (const m of replaced) lines.push(`medium reopened with new settings: ${m}`);
  if (d.authChanged) lines.push('auth keys changed');
  for (const g of d.groupsAdded) lines.push(`group added: ${g}`);
  for (const g of d.groupsRemoved) lines.push(`group removed: ${g}`);
  for (const g of d.groupsChanged) lines.push(`group changed: ${g}`);
  if (d.autoFailbackChanged) lines.push('auto_failback changed');
  if (d.needRestart.length > 0) lines.push(`takes effect at the next restart: ${d.needRestart.join(', ')}`);
  return lines;
}
