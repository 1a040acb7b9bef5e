// Service-level health: when each `monitor` check of a running group is due, what a failed check
// does (restart in place within the policy's budget; past it, or past the migration threshold, give
// the group up and stop being chosen for it), the fail counts, and "failed on every node: stays
// down". Pure: the shell runs the checks (action `monitor`) and feeds the results back; checks of
// a group being started, stopped or restarted are paused and a result that started before such a
// transition is dropped. Placement needs nothing new: a node past the threshold advertises the
// group in `hbts_failed`, which placement already excludes, so there is no ping-pong by design.
import type { ClusterConfig, GroupId, NodeName, ResourceMonitor } from '../config/types.js';
import { checkText, healthPolicy } from '../config/resolve-monitors.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { ActionId, GroupHealthStatus, HealthFailure, MonoMs, ResourceHealthEntry } from './types.js';

interface MonitorState {
  readonly index: number;
  readonly spec: ResourceMonitor;
  readonly g: LocalGroup;
  dueAtMs: MonoMs | undefined;
  inFlight: { readonly id: ActionId; readonly activeSinceMs: MonoMs } | undefined;
  state: ResourceHealthEntry['state'];
  lastCheckMs: MonoMs | undefined;
  lastDetail: string | undefined;
}

interface GroupHealth {
  /** Since when the group runs here with no action pending (undefined: checks paused). */
  activeSinceMs: MonoMs | undefined;
  restartsAtMs: MonoMs[];
  lastFailure: HealthFailure | undefined;
  /** `group-down` was reported and the group has not run anywhere since. */
  reportedDown: boolean;
}

export class Health {
  private readonly monitors: MonitorState[];
  private readonly byGroup = new Map<GroupId, GroupHealth>();
  private readonly byAction = new Map<ActionId, MonitorState>();

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly out: Outbox,
    private readonly groups: LocalGroups,
    private readonly peers: PeerTable,
    private readonly membership: Membership,
  ) {
    this.monitors = (config.monitors ?? []).flatMap((spec, index) => {
      const g = groups.get(spec.group);
      return g === undefined
        ? []
        : [
            {
              index,
              spec,
              g,
              dueAtMs: undefined,
              inFlight: undefined,
              state: 'paused' as const,
              lastCheckMs: undefined,
              lastDetail: undefined,
            },
          ];
    });
    for (const m of this.monitors) {
      if (!this.byGroup.has(m.spec.group))
        this.byGroup.set(m.spec.group, {
          activeSinceMs: undefined,
          restartsAtMs: [],
          lastFailure: undefined,
          reportedDown: false,
        });
    }
  }

  owns(id: ActionId): boolean {
    return this.byAction.has(id);
  }

  nextWakeMs(): MonoMs {
    let next = Infinity;
    for (const m of this.monitors)
      if (m.inFlight === undefined && m.dueAtMs !== undefined) next = Math.min(next, m.dueAtMs);
    return next;
  }

  /** Every step, after ownership: pause or resume checks, start the due ones, spot "down everywhere". */
  advance(): void {
    if (this.monitors.length === 0) return;
    const nowMs = this.out.nowMs;
    for (const [gid, h] of this.byGroup) {
      const g = this.groups.get(gid);
      if (g === undefined) continue;
      const active = g.state === 'running' && g.pending === undefined;
      if (active && h.activeSinceMs === undefined) {
        h.activeSinceMs = nowMs;
        for (const m of this.monitors)
          if (m.g === g) {
            m.dueAtMs = nowMs + m.spec.intervalMs;
            m.state = 'pending';
          }
      } else if (!active && h.activeSinceMs !== undefined) {
        h.activeSinceMs = undefined;
        for (const m of this.monitors)
          if (m.g === g) {
            m.dueAtMs = undefined;
            m.state = 'paused';
          }
      }
    }
    for (const m of this.monitors) {
      const h = this.byGroup.get(m.spec.group);
      if (
        m.inFlight !== undefined ||
        m.dueAtMs === undefined ||
        nowMs < m.dueAtMs ||
        h?.activeSinceMs === undefined
      )
        continue;
      const id = this.out.newActionId();
      m.inFlight = { id, activeSinceMs: h.activeSinceMs };
      m.dueAtMs = undefined;
      this.byAction.set(id, m);
      this.out.act({ kind: 'monitor', id, group: m.spec.group, monitor: m.index, resource: m.spec.resource });
    }
    if (this.out.factsChanged) this.reportDown();
  }

  onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void {
    const m = this.byAction.get(id);
    if (m === undefined) return;
    this.byAction.delete(id);
    const sent = m.inFlight;
    m.inFlight = undefined;
    const h = this.byGroup.get(m.spec.group);
    // Started before the group was stopped, restarted or released: it says nothing about now.
    if (h === undefined || sent === undefined || h.activeSinceMs !== sent.activeSinceMs) return;
    const g = m.g;
    if (g.state !== 'running' || g.pending !== undefined) return;
    m.lastCheckMs = this.out.nowMs;
    m.lastDetail = detail;
    m.dueAtMs = this.out.nowMs + m.spec.intervalMs;
    if (ok) {
      m.state = 'ok';
      return;
    }
    m.state = 'failed';
    this.onFailure(m, h, detail ?? 'check failed');
  }

  /** `hbts cleanup <group>`: forget its failures here; `from` = the peer that asked (else the operator). */
  cleanup(gid: GroupId, from: NodeName | undefined): boolean {
    const g = this.groups.get(gid);
    if (g === undefined) return false;
    const h = this.byGroup.get(gid);
    const had = g.monitorFailures > 0 || g.failedHere || (h?.restartsAtMs.length ?? 0) > 0;
    g.monitorFailures = 0;
    g.failedHere = false;
    if (g.state === 'failed' && !g.stopFailed) {
      g.state = 'stopped';
      g.detail = undefined;
    }
    const failedPeers = [...this.peers.all()]
      .filter((p) => p.name !== this.self && this.peers.isAlive(p.name) && p.failed.has(gid))
      .map((p) => p.name);
    g.cleanupWaitFor = failedPeers.length > 0 ? new Set(failedPeers) : undefined;
    if (h !== undefined) {
      h.restartsAtMs = [];
      h.lastFailure = undefined;
      h.reportedDown = false;
    }
    this.out.factsChanged = true;
    this.out.advertDirty = true;
    if (had || from === undefined)
      this.out.emit(
        'cleanup',
        'info',
        `group ${gid}: failures forgotten here (${from === undefined ? 'hbts cleanup' : `cleanup asked by ${from}`}); this node may run it again`,
        { group: gid },
      );
    return true;
  }

  status(g: LocalGroup): GroupHealthStatus | undefined {
    const h = this.byGroup.get(g.group.id);
    if (h === undefined) return undefined;
    const policy = healthPolicy(this.config, g.group.id);
    const failCounts = this.config.nodes.flatMap((node) => {
      const count =
        node === this.self ? g.monitorFailures : (this.peers.get(node)?.failCounts.get(g.group.id) ?? 0);
      return count > 0 ? [{ node, count }] : [];
    });
    return {
      resources: this.monitors
        .filter((m) => m.g === g)
        .map((m) => ({
          resource: m.spec.resource,
          check: checkText(m.spec),
          state: m.state,
          lastCheckMs: m.lastCheckMs,
          lastDetail: m.lastDetail,
        })),
      failCounts,
      restartsInWindow: h.restartsAtMs.filter((t) => t > this.out.nowMs - policy.windowMs).length,
      policy: {
        restarts: policy.restarts,
        windowMs: policy.windowMs,
        migrationThreshold: policy.migrationThreshold,
      },
      lastFailure: h.lastFailure,
      down: this.isDown(g),
    };
  }

  // ------------------------------------------------------------------------------------------

  private onFailure(m: MonitorState, h: GroupHealth, detail: string): void {
    const g = m.g;
    const gid = g.group.id;
    const nowMs = this.out.nowMs;
    const policy = healthPolicy(this.config, gid);
    g.monitorFailures++;
    this.out.counters.monitorFailures = (this.out.counters.monitorFailures ?? 0) + 1;
    this.out.advertDirty = true;
    h.lastFailure = { node: this.self, resource: m.spec.resource, atMs: nowMs, detail };
    h.restartsAtMs = h.restartsAtMs.filter((t) => t > nowMs - policy.windowMs);
    this.out.emit(
      'monitor-failed',
      'warn',
      `group ${gid}: ${m.spec.resource} failed its check (${checkText(m.spec)}): ${detail}; fail count here ${g.monitorFailures} of ${policy.migrationThreshold}`,
      { group: gid },
    );
    const pastThreshold = g.monitorFailures >= policy.migrationThreshold;
    if (!pastThreshold && h.restartsAtMs.length < policy.restarts) {
      h.restartsAtMs.push(nowMs);
      this.groups.startRestart(
        g,
        m.spec.resourceIndex,
        `${m.spec.resource} failed its check; restart ${h.restartsAtMs.length} of ${policy.restarts} within ${Math.round(policy.windowMs / 1000)} s`,
      );
      return;
    }
    // Give it up: advertised as failed here, placement picks another node; ownership releases it
    // (with the real-Heartbeat handshake when the peer needs one), or, when no node may take it,
    // stops it here anyway: a dead service is not worth holding its address for.
    g.failedHere = true;
    this.out.factsChanged = true;
    const why = pastThreshold
      ? `fail count ${g.monitorFailures} reached migration_threshold ${policy.migrationThreshold}`
      : `${h.restartsAtMs.length} restart(s) within ${Math.round(policy.windowMs / 1000)} s already`;
    const target = this.membership.target(g);
    this.out.emit(
      'migrate',
      'crit',
      `group ${gid}: ${why}; giving it up ${target !== undefined ? `to ${target}` : '(no other node may run it: it goes down)'}; this node is not chosen for it again until \`hbts cleanup ${gid}\``,
      { group: gid },
    );
  }

  /** Down everywhere: nobody runs it, nobody may, and it failed somewhere (reported once). */
  private isDown(g: LocalGroup): boolean {
    if (this.membership.phase !== 'stable') return false;
    const view = this.membership.placementView();
    const gid = g.group.id;
    return (
      view.holders(gid).size === 0 &&
      view.failedOn(gid).size > 0 &&
      this.membership.target(g, view) === undefined
    );
  }

  private reportDown(): void {
    for (const [gid, h] of this.byGroup) {
      const g = this.groups.get(gid);
      if (g === undefined) continue;
      const down = this.isDown(g);
      if (down && !h.reportedDown) {
        const on = [...this.membership.placementView().failedOn(gid)].join(', ');
        this.out.emit(
          'group-down',
          'crit',
          `group ${gid} is down: it failed on ${on}, every node that may run it; it stays down (no more moves) until \`hbts cleanup ${gid}\``,
          { group: gid },
        );
      }
      if (down) h.reportedDown = true;
      else if (this.membership.placementView().holders(gid).size > 0) h.reportedDown = false;
    }
  }
}
