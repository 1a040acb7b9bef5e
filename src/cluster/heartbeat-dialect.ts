// The real-Heartbeat dialect: what a node of ours must say and wait for so that a real Heartbeat
// 3.0.6 peer (which knows nothing of our ownership adverts) hands groups over safely. Its 3-phase
// standby handshake (ask_resources me -> other -> done), hb_takeover, legacy mode's ip-request /
// ip-request-resp, reqnodes, and the isstable report it waits for.
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import type { AdminCommands } from './admin-commands.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroup } from './local-group.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerFacts, PeerTable } from './peer-table.js';
import type { MonoMs, ResourceSet } from './types.js';
import type { ClusterMessage } from './wire-decode.js';
import { askResourcesFields, ipRequestFields, ipRequestRespFields, repnodesFields } from './wire.js';
import type { HoldWord } from './wire.js';

type AskResources = Extract<ClusterMessage, { kind: 'ask_resources' }>;

interface Handshake {
  readonly peer: NodeName;
  readonly set: HoldWord;
  readonly groups: readonly GroupId[];
  phase: 'asked' | 'releasing';
  readonly deadlineMs: MonoMs;
}

interface PeerStandby {
  readonly peer: NodeName;
  readonly set: HoldWord;
  readonly groups: GroupId[];
  peerDone: boolean;
}

export class HeartbeatDialect {
  /**
   * Heartbeat's 3-phase standby handshake with a real Heartbeat peer that must take groups from us
   * (it only acquires when told): ask_resources info=me -> its info=other -> we release -> info=done.
   */
  private handshake: Handshake | undefined;
  private handshakeRetryAtMs: MonoMs = -Infinity;
  /**
   * Legacy mode with a live real Heartbeat peer: it reports nothing about what it holds, so before
   * starting a group we ask it with `ip-request` (as a real returning home node does) and start
   * only on its `ip-request-resp` (it releases the group first if it runs it). Value: when asked.
   */
  private readonly ipAsked = new Map<GroupId, MonoMs>();
  private readonly ipGranted = new Set<GroupId>();
  /** Legacy mode: `ip-request` from a real Heartbeat peer for a group, answered once we let it go. */
  private readonly ipRequests = new Map<GroupId, NodeName>();
  /** A real Heartbeat peer went standby towards us: answer `done` once we run what it gave up. */
  private peerStandby: PeerStandby | undefined;

  constructor(
    private readonly config: ClusterConfig,
    private readonly out: Outbox,
    private readonly peers: PeerTable,
    private readonly groups: LocalGroups,
    private readonly membership: Membership,
    private readonly sender: HeartbeatSender,
    private readonly admin: AdminCommands,
  ) {}

  nextWakeMs(): MonoMs {
    let next = Infinity;
    if (this.handshake?.phase === 'asked') next = this.handshake.deadlineMs;
    if (this.handshakeRetryAtMs > this.out.nowMs) next = Math.min(next, this.handshakeRetryAtMs);
    return next;
  }

  /** Groups in a Heartbeat resource set, relative to `node`. */
  private groupsInSet(node: NodeName, set: HoldWord): GroupId[] {
    if (set === 'none') return [];
    return this.groups.list.filter((g) => this.groups.inSet(g, set, node)).map((g) => g.group.id);
  }

  // ------------------------------------------------------------------------------------------
  // Messages from peers

  onReqnodes(src: NodeName): void {
    this.out.send(repnodesFields(this.config.nodes), src);
  }

  /** Heartbeat's standby protocol (reference 11.5), spoken with real Heartbeat peers. */
  onAskResources(peer: PeerFacts, msg: AskResources): void {
    this.out.factsChanged = true;
    const { info, hold: set } = msg;
    if (info === 'me') {
      this.onPeerWantsStandby(peer, set);
      return;
    }
    const hs = this.handshake;
    if (info === 'other' && hs?.peer === peer.name && hs.phase === 'asked') {
      hs.phase = 'releasing';
      this.out.emit('standby', 'info', `give up [${hs.set}] HA resources to ${peer.name} (standby).`, {
        node: peer.name,
      });
      return;
    }
    if (info === 'done') {
      // Real Heartbeat reports rsc_hold=none (info=standby) when it *starts* releasing; only its
      // `done` says the groups are stopped. Our `done` before its own is refused
      // ("Ignored standby message 'done' from node2 in state 1") and leaves it in transition.
      if (this.peerStandby?.peer === peer.name) this.peerStandby.peerDone = true;
      this.out.emit('note', 'info', `${peer.name} reports its part of the standby done [${set}]`, {
        node: peer.name,
      });
    }
  }

  /** `ask_resources info=me`: the peer wants to go standby with `set` (relative to it). */
  private onPeerWantsStandby(peer: PeerFacts, set: HoldWord): void {
    if (this.membership.phase !== 'stable' || this.groups.inTransition()) {
      this.out.emit(
        'note',
        'info',
        `standby message [me] from ${peer.name} ignored. local resources in flux.`,
        {
          node: peer.name,
        },
      );
      return;
    }
    this.out.emit('standby', 'info', `${peer.name} wants to go standby [${set}]`, { node: peer.name });
    const groups = this.groupsInSet(peer.name, set);
    if (peer.implementation !== 'hbts') {
      for (const g of groups) peer.declines.add(g);
      for (const g of groups) peer.claims.delete(g);
    }
    // The later standby wins: our own earlier standby (and the handoff it made towards this
    // peer) is over for these groups, else both decline and placement follows a stale handoff.
    for (const id of groups) {
      this.groups.declines.delete(id);
      const g = this.groups.get(id);
      if (g?.handoffTo === peer.name) {
        g.handoffTo = undefined;
        g.handoffTakenAtMs = undefined;
      }
    }
    this.peerStandby = { peer: peer.name, set, groups, peerDone: false };
    this.out.send(askResourcesFields(set, 'other'));
  }

  /** `hb_takeover rsc_hold=X` from a peer: it wants X; we go standby with the complementary set. */
  onTakeoverRequest(peer: PeerFacts, hold: HoldWord): void {
    const set: ResourceSet = hold === 'local' ? 'foreign' : hold === 'foreign' ? 'local' : 'all';
    this.out.emit('admin', 'info', `node ${peer.name} asks to take over [${hold}]: going standby [${set}]`, {
      node: peer.name,
    });
    this.admin.standby(set);
  }

  /** Legacy mode: a returning real Heartbeat asks for its group by key; we release, then answer. */
  onIpRequest(peer: PeerFacts, group: GroupId): void {
    this.out.factsChanged = true;
    if (!this.groups.has(group)) return;
    this.ipRequests.set(group, peer.name);
    if (peer.implementation !== 'hbts') peer.claims.add(group);
    this.out.emit('note', 'info', `${peer.name} requests group ${group} (ip-request)`, {
      node: peer.name,
      group,
    });
  }

  onIpRequestResp(group: GroupId, ok: boolean): void {
    if (!this.ipAsked.has(group) || !ok) return;
    this.ipAsked.delete(group);
    this.ipGranted.add(group);
    this.out.factsChanged = true;
  }

  // ------------------------------------------------------------------------------------------
  // Ownership's questions

  /** Placement moves `g` to a real Heartbeat that did not ask for it: only the handshake can do that. */
  needsHandshake(gid: GroupId, target: NodeName): boolean {
    return this.peers.get(target)?.implementation === 'heartbeat' && this.ipRequests.get(gid) !== target;
  }

  /**
   * Whether starting `gid` here must wait for the real Heartbeat peer: it is still releasing it
   * after its own standby, or (legacy) it has not granted our ip-request yet (asked again every 5 s).
   */
  holdsBackAcquire(gid: GroupId): boolean {
    const ps = this.peerStandby;
    if (ps !== undefined && !ps.peerDone && ps.groups.includes(gid)) return true;
    if (this.config.autoFailback === 'legacy' && !this.ipGranted.has(gid)) {
      const real = this.peers.liveHeartbeatPeer();
      if (real !== undefined) {
        const asked = this.ipAsked.get(gid);
        if (asked === undefined || this.out.nowMs - asked >= 5000) {
          this.ipAsked.set(gid, this.out.nowMs);
          this.out.emit(
            'note',
            'info',
            `asking ${real.name} (Heartbeat, legacy) for group ${gid} (ip-request)`,
            {
              node: real.name,
              group: gid,
            },
          );
          this.out.send(ipRequestFields(gid));
        }
        return true;
      }
    }
    this.ipGranted.delete(gid);
    this.ipAsked.delete(gid);
    return false;
  }

  /** A real Heartbeat only takes groups through the standby handshake: ask first, release on `other`. */
  handOver(g: LocalGroup, target: NodeName): void {
    const hs = this.handshake;
    if (hs === undefined) {
      this.askPeerToTake(target);
      return;
    }
    if (hs.peer === target && hs.phase === 'releasing' && hs.groups.includes(g.group.id)) {
      this.groups.startRelease(g, `standby: ${target} takes it`, target);
    }
  }

  private askPeerToTake(target: NodeName): void {
    if (this.out.nowMs < this.handshakeRetryAtMs) return;
    // Real Heartbeat ignores `ask_resources me` until it is stable ("Other side is in flux"):
    // a restarted peer first answers our resource report and reports isstable=1.
    if (this.peers.get(target)?.rscStable !== true) return;
    const ids = this.groups.list
      .filter((x) => x.state === 'running' && x.pending === undefined && this.membership.target(x) === target)
      .map((x) => x.group.id);
    const local = ids.some((id) => this.isLocal(id));
    const foreign = ids.some((id) => !this.isLocal(id));
    const set: HoldWord = local && foreign ? 'all' : local ? 'local' : 'foreign';
    this.handshake = { peer: target, set, groups: ids, phase: 'asked', deadlineMs: this.out.nowMs + 10_000 };
    this.out.emit('standby', 'info', `asking ${target} (Heartbeat) to take [${set}]`, { node: target });
    this.out.send(askResourcesFields(set, 'me'));
  }

  private isLocal(id: GroupId): boolean {
    const g = this.groups.get(id);
    return g !== undefined && this.groups.inSet(g, 'local');
  }

  // ------------------------------------------------------------------------------------------
  // Every step

  advance(): void {
    this.advanceHandshake();
    this.answerIpRequests();
    this.advancePeerStandby();
  }

  private advanceHandshake(): void {
    const hs = this.handshake;
    if (hs === undefined) return;
    if (hs.phase === 'asked' && this.out.nowMs >= hs.deadlineMs) {
      this.out.emit(
        'note',
        'warn',
        `No reply to standby request from ${hs.peer}. Standby request cancelled.`,
        {
          node: hs.peer,
        },
      );
      this.handshake = undefined;
      this.handshakeRetryAtMs = this.out.nowMs + 10_000;
    } else if (
      hs.phase === 'releasing' &&
      hs.groups.every((id) => {
        const g = this.groups.get(id);
        return g !== undefined && g.pending === undefined && g.state !== 'running';
      })
    ) {
      this.sender.sendResourceReport('standby');
      this.out.send(askResourcesFields(hs.set, 'done'));
      this.handshake = undefined;
    } else if (!this.peers.isAlive(hs.peer)) {
      this.handshake = undefined;
    }
  }

  private answerIpRequests(): void {
    for (const [gid, requester] of this.ipRequests) {
      const g = this.groups.get(gid);
      if (!g || g.pending !== undefined || this.groups.holdsHere(g)) continue;
      this.ipRequests.delete(gid);
      this.out.send(ipRequestRespFields(gid), requester);
    }
  }

  private advancePeerStandby(): void {
    const ps = this.peerStandby;
    if (ps === undefined) return;
    const settled = ps.groups.every((id) => {
      const g = this.groups.get(id);
      return g !== undefined && g.pending === undefined && (g.state === 'running' || g.state === 'failed');
    });
    if ((settled && ps.peerDone) || !this.peers.isAlive(ps.peer)) {
      if (settled && ps.peerDone) {
        this.out.send(askResourcesFields(ps.set, 'done'));
        this.sender.sendResourceReport(undefined);
      }
      this.peerStandby = undefined;
    }
  }

  /**
   * A real Heartbeat peer only accepts standby requests (and completes its own start-up
   * negotiation) once it has seen `isstable=1` from us. When our last report said we were in
   * transition (e.g. its `starting` arrived while a group was starting here), report again as
   * soon as the transition is over, as Heartbeat itself does.
   */
  reportStableWhenSettled(): void {
    if (this.sender.reportedStable || !this.sender.isResourceStable()) return;
    if (this.handshake !== undefined || this.peerStandby !== undefined) return;
    const realPeerAlive = this.peers.names.some(
      (n) => this.peers.get(n)?.implementation === 'heartbeat' && this.peers.isAlive(n),
    );
    if (realPeerAlive) this.sender.sendResourceReport(undefined);
  }
}
