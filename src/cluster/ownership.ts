// Who owns each resource group, and why: the one place that decides. Placement (placement.ts)
// names the node that should run a group from facts every node shares; this file turns that into
// this node's moves, with the gates between decision and action: release before acquire, the
// handoff bookkeeping, claims acknowledged by every peer, the real-Heartbeat handshakes, and the
// fencing/arbitration gate before taking a group from a node that did not release it. Conflicts
// (two holders after a partition heals) are resolved here too: placement's keeper stays.
import type { ClusterConfig, NodeName } from '../config/types.js';
import type { Arbiter } from './arbiter.js';
import type { Fencing } from './fencing.js';
import type { HeartbeatDialect } from './heartbeat-dialect.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import { placeGroupWithRule, placementRuleText } from './placement.js';
import type { PlacementView } from './placement.js';
import type { PeerTable } from './peer-table.js';
import type { SplitBrainReport, SplitBrainView } from './types.js';
import { shutdoneFields } from './wire.js';

export class Ownership {
  private shutdownHalted = false;

  constructor(
    private readonly config: ClusterConfig,
    private readonly self: NodeName,
    private readonly out: Outbox,
    private readonly groups: LocalGroups,
    private readonly peers: PeerTable,
    private readonly membership: Membership,
    private readonly dialect: HeartbeatDialect,
    private readonly sender: HeartbeatSender,
    private readonly fencing: Fencing,
    private readonly arbiter: Arbiter,
  ) {}

  reconcile(): void {
    if (this.membership.phase === 'shutting-down') {
      this.reconcileShutdown();
      return;
    }
    if (this.membership.phase !== 'stable') return;
    const view = this.membership.placementView();
    for (const g of this.groups.list) this.reconcileGroup(g, view);
  }

  private reconcileGroup(g: LocalGroup, view: PlacementView): void {
    if (g.retiring !== undefined) return; // a reload stops it first (reconfigure.ts)
    const gid = g.group.id;
    const holders = view.holders(gid);
    const target = this.membership.target(g, view);
    const otherHolders = [...holders].filter((n) => n !== this.self);
    this.noteConflict(g, holders, view);
    if (g.handoffTo !== undefined && g.state === 'stopped') this.trackHandoff(g, view);
    if (this.groups.claims.has(gid) && g.state === 'running' && otherHolders.length === 0) {
      // Our request is satisfied: from now on the group stays here because we hold it.
      this.groups.claims.delete(gid);
      this.out.advertDirty = true;
    }
    if (g.pending) return;
    this.arbiter.dropUnused(g, target);
    const mustRelease = this.membership.releaseReason();
    if (mustRelease !== undefined && g.state === 'running') {
      this.groups.startRelease(g, mustRelease, target);
      return;
    }
    if (g.state === 'running' && g.failedHere && target === undefined) {
      // Its checks failed here past the policy and no other node may run it (health.ts): stop it.
      this.groups.startRelease(g, 'its checks failed here and no other node may run it', undefined);
      return;
    }
    const noLease = this.membership.arbiterBlocked;
    if (noLease !== undefined && g.state === 'running') {
      this.groups.startRelease(g, `arbiter: ${noLease}`, target);
      return;
    }
    if (this.arbiter.unkeyed(g)) {
      // Found running at start-up: its key (our previous run's) comes under our lease, or it goes.
      if (g.arbiterRefusal !== undefined)
        this.groups.startRelease(g, `arbiter: its key is not ours${g.arbiterRefusal}`, target);
      else this.arbiter.claim(g);
      return;
    }
    if (g.state === 'running' && target !== undefined && target !== this.self) {
      if (this.dialect.needsHandshake(gid, target)) this.dialect.handOver(g, target);
      else this.groups.startRelease(g, `placement moves it to ${target}`, target);
      return;
    }
    if ((g.state === 'stopped' || (g.state === 'failed' && !g.stopFailed)) && target === this.self) {
      this.acquireWhenFree(g, otherHolders);
    }
  }

  /** Starting `g` waits for something (`key`): say so once, not at every step. */
  private waiting(g: LocalGroup, key: string, text: string): void {
    if (g.waitingFor === key) return;
    g.waitingFor = key;
    this.out.emit('note', 'info', `group ${g.group.id}: ${text}`, { group: g.group.id });
  }

  /** Placement picked us: take the group once nobody else holds it and every gate says yes. */
  private acquireWhenFree(g: LocalGroup, otherHolders: readonly NodeName[]): void {
    const gid = g.group.id;
    if (otherHolders.length > 0) {
      // Release before acquire: wait for the live holder to report it stopped.
      this.waiting(g, otherHolders[0] ?? '', `waiting for ${otherHolders.join(', ')} to release it`);
      return;
    }
    if (this.dialect.holdsBackAcquire(gid)) return;
    if (g.cleanupWaitFor !== undefined) {
      // A cleanup was just applied: decide only on peers' post-cleanup facts (see LocalGroup).
      for (const n of g.cleanupWaitFor)
        if (!this.peers.isAlive(n) || this.peers.get(n)?.failed.has(gid) !== true) g.cleanupWaitFor.delete(n);
      if (g.cleanupWaitFor.size > 0) {
        this.waiting(g, 'cleanup', `waiting for ${[...g.cleanupWaitFor].join(', ')} to apply the cleanup`);
        return;
      }
      g.cleanupWaitFor = undefined;
    }
    const heldBack = this.membership.arbitration.quorum.holdBack();
    if (heldBack !== undefined) {
      this.waiting(g, 'quorum', `waiting: ${heldBack}`);
      return;
    }
    const unfenced = this.fencing.unfenced();
    if (unfenced.length > 0) {
      // A dead node that is not off may still run anything: start nothing until it is fenced.
      this.waiting(g, `fence:${unfenced.join(',')}`, `waiting until ${unfenced.join(', ')} is fenced`);
      return;
    }
    g.waitingFor = undefined;
    if (this.groups.claims.has(gid) && !this.membership.claimsAcknowledged()) return; // see claimVersion
    const from = this.groups.lastHolder.get(gid);
    const fromPeer = from !== undefined && from !== this.self ? from : undefined;
    if (
      fromPeer !== undefined &&
      this.peers.isAlive(fromPeer) &&
      this.peers.get(fromPeer)?.implementation === 'hbts'
    ) {
      const phase = this.peers.get(fromPeer)?.phase;
      if (phase !== 'negotiating' && phase !== 'stable') {
        // It restarted (daemon crash, restart within deadtime) and is still probing: the group
        // may still run there. Its first advert after start-up tells.
        this.waiting(
          g,
          `restart:${fromPeer}`,
          `${fromPeer} restarted and is still probing; waiting for what it runs`,
        );
        return;
      }
    }
    if (fromPeer !== undefined && g.gatePassedFrom !== fromPeer) {
      // It was last seen on a node that never released it: fencing/arbitration decide first.
      if (this.out.nowMs >= g.gateRetryAtMs) this.groups.askGate(g, fromPeer);
      return;
    }
    if (this.arbiter.needsClaim(g)) {
      // Every path to a group passes here (failover, cold start, takeover, heal): the key first.
      this.arbiter.claim(g);
      return;
    }
    this.groups.startAcquire(g, fromPeer !== undefined ? `failover from ${fromPeer}` : 'placement');
  }

  /**
   * Handed over once the target has held it for two keepalives (so every node has heard that
   * before our handoff note disappears), or moot when the target can no longer take it.
   */
  private trackHandoff(g: LocalGroup, view: PlacementView): void {
    const to = g.handoffTo;
    if (to === undefined) return;
    const holds = view.holders(g.group.id).has(to);
    // The target held it and let it go again: it decided itself, our note is moot. Kept, it
    // would keep pulling the group back to that node against a later claim (a livelock seen
    // with the arbiter, where keys delay takes; limited to it so recorded behaviour stays).
    const letGo = this.arbiter.configured && !holds && g.handoffTakenAtMs !== undefined;
    if (holds) g.handoffTakenAtMs ??= this.out.nowMs;
    else g.handoffTakenAtMs = undefined;
    const taken =
      letGo ||
      (g.handoffTakenAtMs !== undefined &&
        this.out.nowMs >= g.handoffTakenAtMs + 2 * this.config.keepaliveMs);
    if (taken || !view.candidates.has(to) || view.failedOn(g.group.id).has(to)) {
      g.handoffTo = undefined;
      g.handoffTakenAtMs = undefined;
      this.out.advertDirty = true;
    }
  }

  /**
   * Two live holders (a partition healed, or a false death): placement's keeper stays, the others
   * release. Split brain is logged at crit with both sides' view and the rule that decided. The
   * keeper announces its addresses again at once (clients followed the other holder's gratuitous
   * ARP during the partition) and once more when the last other holder has released.
   */
  private noteConflict(g: LocalGroup, holders: ReadonlySet<NodeName>, view: PlacementView): void {
    const conflict = holders.size > 1 && holders.has(this.self);
    if (conflict && !g.inConflict) {
      this.out.counters.conflicts++;
      const placed = placeGroupWithRule(g.group.id, g.group.homeNode, view);
      const keeper = placed !== undefined && holders.has(placed.node) ? placed.node : [...holders][0];
      const decided = placed !== undefined && keeper === placed.node;
      const rule = decided ? placementRuleText[placed.rule] : 'first holder';
      const views = [...holders].map((n) => this.holderView(g, n)).join('; ');
      const splitBrain: SplitBrainReport = {
        group: g.group.id,
        holders: [...holders],
        keeper,
        rule: decided ? placed.rule : 'first-holder',
        ruleText: rule,
        views: [...holders].map((n) => this.splitBrainView(g, n)),
      };
      this.out.emit(
        'conflict-resolved',
        'crit',
        `split brain: group ${g.group.id} runs on ${[...holders].join(' and ')}: ${keeper ?? 'nobody'} keeps it (${rule}), the others release it. Views: ${views}`,
        { group: g.group.id, splitBrain },
      );
      if (keeper === this.self) this.announce(g, 'split brain resolved in our favour');
    } else if (!conflict && g.inConflict && holders.has(this.self)) {
      this.announce(g, 'the other holder released it');
    }
    g.inConflict = conflict;
  }

  /** One side of a split brain as structured facts (the event's `splitBrain`, for hooks and the API). */
  private splitBrainView(g: LocalGroup, node: NodeName): SplitBrainView {
    const { quorum, pingNodes } = this.membership.arbitration;
    if (node === this.self) {
      return {
        node,
        self: true,
        phase: this.membership.phase,
        generation: undefined,
        state: g.state,
        quorum: quorum.enforced ? quorum.quorate : undefined,
        pingNodes: pingNodes.configured ? pingNodes.counted() : undefined,
      };
    }
    const p = this.peers.get(node);
    return {
      node,
      self: false,
      phase: p?.phase,
      generation: p?.generation,
      state: undefined,
      quorum: p?.quorate,
      pingNodes: p?.pingNodes,
    };
  }

  private holderView(g: LocalGroup, node: NodeName): string {
    const v = this.splitBrainView(g, node);
    const arbitration =
      (v.quorum !== undefined ? `, quorum ${v.quorum ? 'yes' : 'no'}` : '') +
      (v.pingNodes !== undefined ? `, ping nodes ${v.pingNodes.join(' ') || 'none'}` : '');
    if (node === this.self) return `${node} (here): ${g.state}, phase ${this.membership.phase}${arbitration}`;
    const p = this.peers.get(node);
    return `${node}: advertises it held, phase ${p?.phase ?? 'unknown'}, generation ${p?.generation ?? '?'}${arbitration}`;
  }

  private announce(g: LocalGroup, reason: string): void {
    if (g.state !== 'running' && g.state !== 'starting') return;
    this.out.emit('note', 'info', `announcing group ${g.group.id} again (${reason})`, { group: g.group.id });
    this.out.act({ kind: 'announce', group: g.group.id, reason });
  }

  /** Graceful shutdown: release every group in reverse order, one at a time, then `shutdone`. */
  private reconcileShutdown(): void {
    if (!this.groups.settled()) return;
    for (let i = this.groups.list.length - 1; i >= 0; i--) {
      const g = this.groups.list[i];
      if (g && g.state === 'running') {
        this.groups.startRelease(g, 'shutdown', this.membership.target(g));
        return;
      }
    }
    const stuck = this.groups.list.filter((g) => g.stopFailed).map((g) => g.group.id);
    if (stuck.length > 0) {
      // A `shutdone` would tell peers we hold nothing, and they would start what may still run
      // here. Stay in the cluster, heartbeating that we hold it, until an operator steps in.
      if (!this.shutdownHalted) {
        this.shutdownHalted = true;
        this.out.emit(
          'shutdown',
          'crit',
          `shutdown halted: ${stuck.join(', ')} failed to stop and may still run here; no shutdone is sent, so no peer starts it. Stop it by hand, or power the node off (peers then treat it as a crash)`,
        );
      }
      return;
    }
    this.membership.phase = 'stopped';
    this.sender.sendStatus();
    this.out.send(shutdoneFields(this.sender.advert()));
    this.out.emit('shutdown', 'info', 'every group released, shutdone sent: stopped');
  }
}
