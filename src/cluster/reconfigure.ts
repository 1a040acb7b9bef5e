// Reload without restart, inside the core: a new configuration replaces the running one between
// two steps. What it may change and how (docs/reload.md has the operator's view):
//   timings   deadtime/warntime/initdead go to the failure detector at once; keepalive from the
//             next heartbeat on. Our new `dt` is advertised in the very next heartbeat.
//   nodes     an added node starts dead and unheard: never fenced or failed over for an absence
//             nobody noticed, a member from its first heartbeat. A removed node must not be alive
//             (stop heartbeat on it first, as hb_delnode expects); it stops counting at once, its
//             fence record goes with it (removing it is the operator's word that it is gone).
//   groups    an unchanged group is not touched (same entry, same state). A new group is placed
//             like any other. A removed group that runs here is stopped, then forgotten. A changed
//             group (same first resource, other home node or resources) that runs here is stopped
//             with its old definition, then given the new one and placed afresh; one that does not
//             run here takes the new definition at once.
//   media     the links of a closed medium are forgotten; a new one starts down.
// Refused (the old configuration keeps running) when the node is not stable, when it would drop
// this node or a live one, or when a removed or changed group has an action in flight here.
// The configuration object is the core's own copy (ClusterNode makes it): every part reads it at
// use time, so replacing its fields here is how they all see the new values at once.
import { diffConfigs } from '../config/config-diff.js';
import type { ConfigDiff } from '../config/config-diff.js';
import type { ClusterConfig, NodeName } from '../config/types.js';
import type { Fencing } from './fencing.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * How long the keys in force before a reload stay accepted: twice the longer deadtime, at least a
 * minute. A rotation done node by node works only if every node is reloaded within deadtime (a
 * node still on the old keys rejects the reloaded ones' heartbeats, and after deadtime declares
 * them dead); twice that covers the slowest rotation that can succeed, and a minute leaves room
 * for an operator typing the commands. After that the old keys are as dead as the operator meant.
 */
export function previousKeysGraceMs(running: ClusterConfig, next: ClusterConfig): number {
  return Math.max(2 * Math.max(running.deadtimeMs, next.deadtimeMs), 60_000);
}

export function authChanged(running: ClusterConfig, next: ClusterConfig): boolean {
  return diffConfigs(running, next).authChanged;
}

export class Reconfigure {
  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
    private readonly fencing: Fencing,
    private readonly sender: HeartbeatSender,
  ) {}

  /** Why `next` cannot replace the running configuration now (empty: it can). */
  refusals(next: ClusterConfig): string[] {
    const diff = diffConfigs(this.config, next);
    const why: string[] = [];
    if (!next.nodes.includes(this.self))
      why.push(`this node (${this.self}) is not in the new node list: stop it instead of reloading`);
    const phase = this.membership.phase;
    if (phase !== 'stable')
      why.push(`this node is ${phase}: reload again once it is stable (hbts status shows the phase)`);
    for (const n of diff.nodesRemoved) {
      if (n !== this.self && this.peers.isAlive(n))
        why.push(`node ${n} is alive: stop heartbeat on it before removing it from the node list`);
    }
    for (const id of [...diff.groupsRemoved, ...diff.groupsChanged]) {
      const g = this.groups.get(id);
      if (g === undefined) continue;
      if (g.pending !== undefined)
        why.push(`group ${id} has a ${g.pending.kind} in flight here: reload again once it has settled`);
      else if (g.retiring !== undefined)
        why.push(`group ${id} is still being stopped for the previous reload: reload again in a moment`);
      else if (g.stopFailed)
        why.push(`group ${id} failed to stop here: clean it up (hbts status) before removing or changing it`);
    }
    return why;
  }

  /** Apply `next` (refusals() was empty); returns the diff it applied. */
  apply(next: ClusterConfig): ConfigDiff {
    const diff = diffConfigs(this.config, next);
    const previousNodes = this.config.nodes;
    const config = this.config as Writable<ClusterConfig>;
    for (const key of Object.keys(config)) if (!(key in next)) delete config[key as keyof ClusterConfig];
    Object.assign(config, next);
    this.retime();
    if (diff.nodesAdded.length > 0 || diff.nodesRemoved.length > 0) this.renode(previousNodes, diff);
    if (diff.mediaAdded.length > 0 || diff.mediaRemoved.length > 0)
      this.peers.detector.setMedia(this.config.media.map((m) => m.id));
    this.regroup(diff);
    this.peers.reapplyAdverts();
    this.out.factsChanged = true;
    this.out.advertDirty = true; // peers learn our new dt, fingerprint and groups at once
    return diff;
  }

  private retime(): void {
    this.peers.detector.retime({
      deadtimeMs: this.config.deadtimeMs,
      warntimeMs: this.config.warntimeMs,
      initdeadMs: this.config.initdeadMs,
    });
  }

  private renode(previous: readonly NodeName[], diff: ConfigDiff): void {
    this.peers.setNodes(this.config.nodes);
    this.fencing.nodesChanged(diff.nodesAdded, diff.nodesRemoved);
    for (const [gid, n] of [...this.groups.lastHolder])
      if (diff.nodesRemoved.includes(n)) this.groups.lastHolder.delete(gid);
    for (const g of this.groups.list) {
      if (g.handoffTo !== undefined && !this.config.nodes.includes(g.handoffTo)) g.handoffTo = undefined;
      if (g.gatePassedFrom !== undefined && !this.config.nodes.includes(g.gatePassedFrom))
        g.gatePassedFrom = undefined;
    }
    this.out.emit(
      'note',
      'info',
      `reload: nodes ${previous.join(',')} -> ${this.config.nodes.join(',')}` +
        (diff.nodesAdded.length > 0
          ? ` (${diff.nodesAdded.join(',')} counts as dead until its first heartbeat; not fenced before it was a member)`
          : ''),
    );
  }

  private regroup(diff: ConfigDiff): void {
    const old = new Map(this.groups.list.map((g) => [g.group.id, g]));
    const list: LocalGroup[] = [];
    for (const def of this.config.resourceGroups) {
      const g = old.get(def.id);
      old.delete(def.id);
      if (g === undefined) {
        list.push(this.groups.fresh(def));
        this.out.emit('note', 'info', `reload: group ${def.id} added`, { group: def.id });
      } else if (!diff.groupsChanged.includes(def.id)) {
        list.push(g); // unchanged: same entry, nothing about it moves
      } else if (this.runsHere(g)) {
        g.retiring = { next: def };
        list.push(g);
        this.out.emit(
          'note',
          'info',
          `reload: group ${def.id} changed; stopping it to start the new definition`,
          {
            group: def.id,
          },
        );
      } else {
        if (!g.stopFailed) this.resetForNewDefinition(g);
        g.group = def;
        list.push(g);
        this.out.emit('note', 'info', `reload: group ${def.id} changed (not running here)`, {
          group: def.id,
        });
      }
    }
    for (const g of old.values()) {
      if (this.runsHere(g)) {
        g.retiring = { next: undefined };
        list.push(g);
        this.out.emit('note', 'info', `reload: group ${g.group.id} removed; stopping it here`, {
          group: g.group.id,
        });
      } else {
        this.out.emit('note', 'info', `reload: group ${g.group.id} removed`, { group: g.group.id });
      }
    }
    if (diff.groupsAdded.length > 0) this.groups.bumpClaimVersion();
    this.groups.setList(list);
  }

  private runsHere(g: LocalGroup): boolean {
    return g.state === 'running' || g.state === 'starting' || g.state === 'stopping';
  }

  /**
   * Every step: stop what a reload retires, and once stopped drop it or swap its new definition
   * in. Does nothing without a reload (no group retiring).
   */
  advance(): void {
    let dropped = false;
    for (const g of this.groups.list) {
      if (g.retiring === undefined || g.pending !== undefined) continue;
      if (g.state === 'running') {
        const why = g.retiring.next === undefined ? 'removed by reload' : 'definition changed by reload';
        this.groups.startRelease(g, why, undefined);
        continue;
      }
      if (g.stopFailed) continue; // stays held and marked (release-failed was logged)
      const next = g.retiring.next;
      g.retiring = undefined;
      this.out.factsChanged = true;
      if (next === undefined) {
        dropped = true;
        this.out.emit('note', 'info', `reload: group ${g.group.id} stopped and removed`, {
          group: g.group.id,
        });
        continue;
      }
      this.resetForNewDefinition(g);
      g.group = next;
      this.out.emit('note', 'info', `reload: group ${next.id} now has its new definition`, {
        group: next.id,
      });
    }
    if (dropped) this.groups.setList(this.groups.list.filter((g) => this.kept(g)));
  }

  private kept(g: LocalGroup): boolean {
    return this.config.resourceGroups.some((d) => d.id === g.group.id);
  }

  /** A new definition starts with a clean slate: failures of the old one say nothing about it. */
  private resetForNewDefinition(g: LocalGroup): void {
    g.state = 'stopped';
    g.failures = 0;
    g.failedHere = false;
    g.detail = undefined;
    g.waitingFor = undefined;
  }

  /** The definitions in force (a retiring group keeps its old one until stopped): the runner's list. */
  definitions(): ClusterConfig['resourceGroups'] {
    return this.groups.list.map((g) => g.group);
  }
}
