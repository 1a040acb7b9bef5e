// The operator's commands (hb_standby, hb_takeover, graceful shutdown), as changes to what this
// node claims and declines; placement then moves the groups. A real Heartbeat peer's standby
// request arrives here too (as a standby of the complementary set).
import type { ClusterConfig } from '../config/types.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { AdminCommand, ResourceSet } from './types.js';
import { resourceFields } from './wire.js';

export class AdminCommands {
  constructor(
    private readonly config: ClusterConfig,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
    private readonly sender: HeartbeatSender,
  ) {}

  run(command: AdminCommand): void {
    switch (command.kind) {
      case 'standby':
        this.out.emit('standby', 'info', `Going standby [${command.set}].`);
        this.standby(command.set);
        break;
      case 'takeover':
        this.out.emit('admin', 'info', `Taking over [${command.set}].`);
        this.takeover(command.set);
        break;
      case 'shutdown':
        this.shutdown();
        break;
      case 'self-fence':
        this.selfFence(command.reason);
        return;
      case 'self-fence-clear':
        this.selfFence(undefined);
        return;
      case 'fence-confirmed':
      case 'arbiter-lease':
      case 'arbiter-lost':
        return; // fencing.ts, arbiter.ts (routed by the node)
    }
    if (this.config.autoFailback === 'legacy' && command.kind !== 'shutdown') {
      this.out.emit(
        'note',
        'info',
        'auto_failback legacy: real Heartbeat ignores standby/takeover in this mode; heartbeat-ts carries it out',
      );
    }
  }

  standby(set: ResourceSet): void {
    for (const g of this.groups.list) {
      if (!this.groups.inSet(g, set)) continue;
      this.groups.declines.add(g.group.id);
      this.groups.claims.delete(g.group.id);
      // A real Heartbeat peer's earlier standby (ask_resources me) is over: it is the one to take
      // the group now, else both decline and placement leaves it here.
      for (const p of this.peers.all()) if (p.implementation === 'heartbeat') p.declines.delete(g.group.id);
    }
    this.out.factsChanged = true; // also reached from a peer's hb_takeover packet
    this.out.advertDirty = true;
  }

  private takeover(set: ResourceSet): void {
    for (const g of this.groups.list) {
      if (!this.groups.inSet(g, set)) continue;
      this.groups.declines.delete(g.group.id);
      g.failedHere = false;
      if (g.state === 'failed' && !g.stopFailed) g.state = 'stopped';
      if (!this.groups.holdsHere(g)) this.groups.claims.add(g.group.id);
    }
    this.newClaims();
    this.out.factsChanged = true;
    this.out.advertDirty = true;
  }

  /** Disk lock lost: nobody can tell us to stop any more, so hold nothing (and back again). */
  private selfFence(reason: string | undefined): void {
    const m = this.membership;
    if (m.selfFenced === reason) return;
    m.selfFenced = reason;
    this.out.factsChanged = true;
    this.out.advertDirty = true;
    if (reason !== undefined)
      this.out.emit('self-fence', 'crit', `self-fence: ${reason}; releasing every group here, taking none`);
    else {
      this.out.emit('self-fence', 'info', 'self-fence cleared: this node may run groups again');
      // Like a returning home node: with auto_failback its home groups come back.
      if (this.config.autoFailback !== 'off') this.claimHomeGroups();
    }
  }

  private claimHomeGroups(): void {
    for (const g of this.groups.list) {
      if (this.groups.inSet(g, 'local') && !this.groups.holdsHere(g)) this.groups.claims.add(g.group.id);
    }
    this.newClaims();
  }

  /** We claim more: every peer must echo the new claim version before we act on it. */
  private newClaims(): void {
    this.groups.bumpClaimVersion();
    for (const p of this.peers.all()) p.seesUs = false;
  }

  private shutdown(): void {
    const m = this.membership;
    if (m.phase === 'shutting-down' || m.phase === 'stopped') return;
    this.out.emit(
      'shutdown',
      'info',
      'Heartbeat shutdown in progress: releasing every group in reverse order',
    );
    m.phase = 'shutting-down';
    this.groups.claims.clear();
    this.out.advertDirty = true;
    this.out.send(resourceFields('none', false, 'shutdown', this.sender.advert()));
  }
}
