// Start-up: probe what already runs here, wait until every node was heard from or declared dead
// (comm-up: init -> up -> active, Heartbeat's `starting`), then negotiate until every live peer
// has heard us and told us what it holds, so that no two nodes place groups on views that miss
// each other. Only then does this node become `stable` and run placement.
import type { ClusterConfig } from '../config/types.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { MonoMs } from './types.js';
import { startingFields } from './wire.js';

export class Startup {
  private probesIssued = false;
  private negotiationDeadlineMs: MonoMs = Infinity;

  constructor(
    private readonly config: ClusterConfig,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
    private readonly sender: HeartbeatSender,
  ) {}

  nextWakeMs(): MonoMs {
    return this.negotiationDeadlineMs;
  }

  advance(): void {
    if (!this.probesIssued) {
      this.probesIssued = true;
      this.groups.probeAll();
    }
    if (this.membership.phase === 'starting') this.awaitCommUp();
    if (this.membership.phase === 'negotiating') this.awaitNegotiation();
  }

  private awaitCommUp(): void {
    const allKnown = this.peers.names.every((n) => this.peers.detector.liveness(n) !== 'unheard');
    if (!allKnown || !this.groups.probesDone()) return;
    this.membership.phase = 'negotiating';
    this.out.factsChanged = true; // we are a candidate now
    this.sender.setOwnStatus('active');
    this.out.emit('comm-up', 'info', 'Comm_now_up(): every node heard from or declared dead');
    this.out.send(startingFields());
    this.negotiationDeadlineMs = this.out.nowMs + Math.max(2 * this.config.keepaliveMs, 1000);
  }

  /**
   * Our own peers advertise their ownership in every heartbeat; we act once every live one has
   * heard us (its heartbeat lists our incarnation), so its facts already account for us and no
   * two nodes decide on views that miss each other. A real Heartbeat peer must answer our
   * `starting` with a `resource` report. Both waits are bounded by the negotiation deadline.
   */
  private awaitNegotiation(): void {
    const waiting = this.peers.names.filter((n) => {
      const p = this.peers.get(n);
      if (!this.peers.isAlive(n) || p === undefined || p.leaving) return false;
      // A peer still in start-up (not comm-up) would miss out on placement: give it until the
      // deadline to get there, so a cold start puts every group on its home node.
      if (p.implementation === 'hbts')
        return !p.seesUs || !(p.phase === 'negotiating' || p.phase === 'stable');
      return !p.resourceReported;
    });
    if (waiting.length > 0 && this.out.nowMs < this.negotiationDeadlineMs) return;
    this.membership.phase = 'stable';
    this.out.factsChanged = true; // placement may run from now on
    this.negotiationDeadlineMs = Infinity;
    this.out.advertDirty = true;
    this.out.emit(
      'stable',
      'info',
      waiting.length === 0
        ? 'resource negotiation complete: every live node has seen us and reported what it holds'
        : `resource negotiation timed out waiting for ${waiting.join(', ')}`,
    );
    this.sender.sendResourceReport('req_our_resources()');
  }
}
