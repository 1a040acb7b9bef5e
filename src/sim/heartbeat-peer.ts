// An EMULATION of a real Heartbeat 3.0.6 node for the simulator (golden scripts, `heartbeat=`): a
// small scripted peer that does on the wire what the captures of real 3.0.6 show
// (test/fixtures/heartbeat/*, reference sections 9.1, 9.4, 11.2-11.5), so that the core's
// Heartbeat compatibility paths run end to end. It is not Heartbeat; it covers auto_failback on/off
// with two nodes. This file is the resource half (hb_resource.c); heartbeat-membership.ts has the
// status heartbeats and comm-up.
//   - a `starting` is answered with `resource rsc_hold=<what I hold> rtype=full isstable=0|1`;
//   - start-up: on a peer report with isstable=1 "remote resource transition completed.", else
//     RQSTDELAY (10 s) then "local resource transition completed."; the local groups are acquired
//     (unless the peer holds them), then `resource ... info=req_our_resources()`;
//   - standby both ways with `ask_resources` me / other / done (ignored while either side is in
//     flux); `hb_takeover X` from the peer runs hb_standby with the complementary set; failback
//     (auto_failback on) of the groups homed on the peer once its report says isstable=1;
//   - node death: `stonith result=n_stnth`, take every group, `resource info=mach_down`;
//   - graceful shutdown: `resource none isstable=0 info=shutdown`, release in reverse, `shutdone`.
// Not emulated: legacy mode (ip-request), STONITH devices, the self-restart after a partition
// heal, the 30 s hb_standby after a failed start, the reboot after a failed stop.
import type {
  ActionId,
  AdminCommand,
  ClusterNodeOptions,
  GroupLocalState,
  MonoMs,
} from '../cluster/types.js';
import type { ResourceGroup } from '../config/resource-config.js';
import type { GroupId, NodeName } from '../config/types.js';
import { getString, str } from '../protocol/message.js';
import type { Message } from '../protocol/message.js';
import { HeartbeatMembership } from './heartbeat-membership.js';
import type { ResourceView } from './heartbeat-membership.js';

type Hold = 'none' | 'local' | 'foreign' | 'all';
const RQSTDELAY_MS = 10_000;
const STANDBY_REPLY_MS = 10_000;

interface Standby {
  /** `me`: we asked to go standby; `peer`: the peer did and we take its set. */
  readonly role: 'me' | 'peer';
  readonly set: Hold;
  readonly groups: readonly GroupId[];
  phase: 'asked' | 'releasing' | 'waiting-done' | 'acquiring';
  readonly deadlineMs: MonoMs;
}

export class HeartbeatPeer extends HeartbeatMembership {
  private rsc: 'init' | 'starting' | 'rscrcvd' | 'stable' | 'shutdown' = 'init';
  private rqstDelayAtMs: MonoMs = Infinity;
  /** The start-up acquisition of our local groups ran (once per process). */
  private requested = false;
  private peerHold: Hold | undefined;
  private peerStable = false;
  /**
   * The peer (re)started its resource manager (`starting`): once both sides are stable, decide
   * once whether to give its groups back (auto_failback on). Not re-armed by later reports.
   */
  private failbackArmed = false;
  /** Groups starting, running or stopping here: Heartbeat's own belief, its rsc_hold. */
  private readonly held = new Set<GroupId>();
  private readonly pending = new Map<ActionId, { kind: 'acquire' | 'release'; group: GroupId }>();
  private nextId = 1;
  /** Reports owed once the running acquisitions finish. */
  private readonly owed = new Set<'req_our_resources' | 'mach_down'>();
  private standby: Standby | undefined;

  constructor(o: ClusterNodeOptions) {
    super(o);
    if (o.config.autoFailback === 'legacy') {
      throw new Error('the Heartbeat emulation covers auto_failback on/off only');
    }
  }

  // ------------------------------------------------------------------------------------------
  // Messages

  private report(info?: string, hold = this.holdOf([...this.held]), stable = this.isStable()): void {
    const f = [
      str('t', 'resource'),
      str('rsc_hold', hold),
      str('rtype', 'full'),
      str('isstable', stable ? '1' : '0'),
    ];
    this.send(info !== undefined ? [...f, str('info', info)] : f);
  }

  private ask(set: Hold, info: 'me' | 'other' | 'done'): void {
    this.send([str('t', 'ask_resources'), str('rsc_hold', set), str('info', info)]);
  }

  protected onCommUp(peerAlive: boolean): void {
    this.rsc = peerAlive ? 'starting' : 'rscrcvd';
    if (peerAlive) this.send([str('t', 'starting')]);
    else this.takeOver('nobody else is up'); // alone: nobody to negotiate with, take everything
  }

  protected onPeerMessage(type: string, msg: Message): void {
    const set = hold(getString(msg, 'rsc_hold')) ?? 'all';
    switch (type) {
      case 'starting':
        this.peerStable = false;
        this.failbackArmed = true;
        return this.report();
      case 'resource':
        return this.onResource(msg);
      case 'ask_resources':
        return this.onAsk(set, getString(msg, 'info'));
      case 'hb_takeover': {
        const mine: Hold = set === 'local' ? 'foreign' : set === 'foreign' ? 'local' : 'all';
        this.emit('admin', 'info', `rc.d/hb_takeover: ${this.peer} takes [${set}], hb_standby ${mine}`, {
          node: this.peer,
        });
        return this.goStandby(mine);
      }
    }
  }

  private onResource(msg: Message): void {
    this.peerHold = hold(getString(msg, 'rsc_hold'));
    this.peerStable = getString(msg, 'isstable') === '1';
    if (this.rsc === 'starting') {
      this.rsc = 'rscrcvd';
      if (!this.peerStable) this.rqstDelayAtMs = this.nowMs + RQSTDELAY_MS;
    }
    if (this.rsc === 'rscrcvd' && this.peerStable && !this.requested) {
      this.emit('stable', 'info', 'remote resource transition completed.');
      this.reqOurResources();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Resources

  private groupsInSet(node: NodeName, set: Hold): GroupId[] {
    const local = (g: ResourceGroup): boolean => g.homeNode === node;
    const inSet = (g: ResourceGroup): boolean =>
      set === 'all' || (set === 'local' && local(g)) || (set === 'foreign' && !local(g));
    return this.config.resourceGroups.filter(inSet).map((g) => g.id);
  }

  private home(g: GroupId): NodeName | undefined {
    return this.config.resourceGroups.find((x) => x.id === g)?.homeNode;
  }

  private holdOf(groups: readonly GroupId[]): Hold {
    const local = groups.some((g) => this.home(g) === this.self);
    const foreign = groups.some((g) => this.home(g) !== this.self);
    return local && foreign ? 'all' : local ? 'local' : foreign ? 'foreign' : 'none';
  }

  private isStable(): boolean {
    return this.rsc === 'stable' && this.pending.size === 0 && this.standby === undefined;
  }

  private reqOurResources(): void {
    this.requested = true;
    this.rqstDelayAtMs = Infinity;
    // The peer's rsc_hold is relative to it: its foreign set is our local one (2 nodes).
    const peerHasOurs = this.alive && (this.peerHold === 'foreign' || this.peerHold === 'all');
    for (const g of this.groupsInSet(this.self, 'local')) {
      if (this.held.has(g) || peerHasOurs) continue;
      // In nice_failback mode it asks itself (captured: ip-request-resp dest=<self> weown=yes).
      const fields = [str('t', 'ip-request-resp'), str('ipaddr', g), str('weown', 'yes'), str('ok', 'OK')];
      this.send(fields, this.self);
      this.acquire(g, 'req_our_resources');
    }
    this.owed.add('req_our_resources');
  }

  private acquire(g: GroupId, why: string): void {
    const id = this.nextId++;
    this.pending.set(id, { kind: 'acquire', group: g });
    this.held.add(g);
    const text = `Acquiring resource group: ${this.home(g) ?? '?'} ${g} (${why})`;
    this.emit('takeover', 'info', text, { group: g });
    this.actions.push({ kind: 'acquire', id, group: g, reason: why });
  }

  private release(g: GroupId, why: string): void {
    const id = this.nextId++;
    this.pending.set(id, { kind: 'release', group: g });
    const text = `Releasing resource group: ${this.home(g) ?? '?'} ${g} (${why})`;
    this.emit('release', 'info', text, { group: g });
    this.actions.push({ kind: 'release', id, group: g, reason: why });
  }

  protected onActionResult(id: ActionId, ok: boolean, detail: string | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const why = detail !== undefined ? `: ${detail}` : '';
    const at = { group: p.group };
    if (p.kind === 'acquire' && ok) this.emit('acquired', 'info', `${p.group} acquisition completed`, at);
    if (p.kind === 'acquire' && !ok) {
      this.held.delete(p.group);
      this.emit('acquire-failed', 'crit', `Giving up resources due to failure of ${p.group}${why}`, at);
    }
    if (p.kind === 'release' && ok) {
      this.held.delete(p.group);
      this.emit('released', 'info', `${p.group} released`, at);
    }
    if (p.kind === 'release' && !ok) {
      this.emit('release-failed', 'crit', `Resource STOP failure${why}. Reboot required! (not emulated)`, at);
    }
  }

  protected progress(): void {
    if (this.pending.size > 0) return;
    if (this.owed.size > 0) {
      if (this.rsc !== 'shutdown') this.rsc = 'stable';
      if (this.owed.delete('req_our_resources')) this.report('req_our_resources()');
      if (this.owed.delete('mach_down')) {
        this.send([str('t', 'resource'), str('rsc_hold', 'foreign'), str('info', 'mach_down')]);
        this.emit('note', 'info', 'mach_down takeover complete.');
      }
    }
    const sb = this.standby;
    if (sb?.role === 'me' && sb.phase === 'releasing') {
      sb.phase = 'waiting-done';
      this.ask(sb.set, 'done');
    } else if (sb?.role === 'peer' && sb.phase === 'acquiring') {
      this.standby = undefined;
      this.ask(sb.set, 'done');
      this.emit('standby', 'info', `Standby resource acquisition done [${sb.set}].`);
      this.report();
    }
    if (this.rsc === 'shutdown') return this.shutdownStep();
    if (!this.failbackArmed || !this.alive || !this.peerStable || !this.isStable()) return;
    this.failbackArmed = false;
    const foreign = [...this.held].some((g) => this.home(g) === this.peer);
    if (this.config.autoFailback === 'on' && foreign) {
      this.emit('note', 'info', `auto_failback: ${this.peer} is back and stable, giving its groups back`);
      this.goStandby('foreign');
    }
  }

  private shutdownStep(): void {
    const last = [...this.held].reverse()[0];
    if (last !== undefined) return this.release(last, 'shutdown');
    this.send([str('t', 'shutdone'), str('st', 'dead')]);
    this.emit('shutdown', 'info', 'every group released, shutdone sent: stopped');
    this.stopped = true;
  }

  // ------------------------------------------------------------------------------------------
  // Standby protocol (reference 11.5)

  private goStandby(set: Hold): void {
    this.emit('standby', 'info', `Going standby [${set}].`);
    if (!this.isStable() || !this.alive) {
      this.emit('note', 'info', `standby [${set}] not sent: local resources in flux or no peer`);
      return;
    }
    const groups = this.groupsInSet(this.self, set).filter((g) => this.held.has(g));
    this.standby = { role: 'me', set, groups, phase: 'asked', deadlineMs: this.nowMs + STANDBY_REPLY_MS };
    this.ask(set, 'me');
  }

  private onAsk(set: Hold, info: string | undefined): void {
    const sb = this.standby;
    if (info === 'me') {
      const flux = !this.isStable()
        ? 'local resources in flux.'
        : !this.peerStable
          ? 'Other side is in flux.'
          : undefined;
      if (flux !== undefined) {
        this.emit('note', 'info', `standby message [me] from ${this.peer} ignored. ${flux}`);
        return;
      }
      this.emit('standby', 'info', `${this.peer} wants to go standby [${set}]`, { node: this.peer });
      const groups = this.groupsInSet(this.peer, set);
      this.standby = { role: 'peer', set, groups, phase: 'waiting-done', deadlineMs: Infinity };
      return this.ask(set, 'other');
    }
    if (info === 'other' && sb?.role === 'me' && sb.phase === 'asked') {
      this.emit('standby', 'info', `give up [${sb.set}] HA resources (standby).`);
      sb.phase = 'releasing';
      // Reported when it starts releasing (captured: rsc_hold=<what stays> isstable=0 info=standby).
      this.report('standby', this.holdOf([...this.held].filter((g) => !sb.groups.includes(g))), false);
      for (const g of sb.groups) this.release(g, 'standby');
      return;
    }
    if (info === 'done' && sb?.role === 'peer' && sb.phase === 'waiting-done') {
      this.emit('standby', 'info', `standby: acquire [${sb.set}] resources from ${this.peer}`);
      sb.phase = 'acquiring';
      for (const g of sb.groups) if (!this.held.has(g)) this.acquire(g, 'standby');
      return;
    }
    if (info === 'done' && sb?.role === 'me' && sb.phase === 'waiting-done') {
      this.standby = undefined;
      this.emit('standby', 'info', `Standby resource release done [${sb.set}].`);
      return this.report();
    }
    this.emit('note', 'info', `Ignored standby message '${info ?? ''}' from ${this.peer}`);
  }

  // ------------------------------------------------------------------------------------------
  // Timers, death, admin

  protected resourceTimers(): void {
    if (this.nowMs >= this.rqstDelayAtMs && this.rsc === 'rscrcvd' && !this.requested) {
      this.emit('stable', 'info', 'local resource transition completed.');
      this.reqOurResources();
    }
    if (this.standby?.phase === 'asked' && this.nowMs >= this.standby.deadlineMs) {
      this.standby = undefined;
      this.emit('note', 'warn', 'No reply to standby request. Standby request cancelled.');
    }
  }

  protected resourceWakeMs(): MonoMs {
    const standby = this.standby?.phase === 'asked' ? this.standby.deadlineMs : Infinity;
    return Math.min(this.rqstDelayAtMs, standby);
  }

  protected forgetPeer(): void {
    this.peerHold = undefined;
    this.peerStable = false;
    this.failbackArmed = false;
  }

  protected onPeerDead(graceful: boolean): void {
    const sb = this.standby;
    if (sb !== undefined && !(sb.role === 'peer' && sb.phase === 'acquiring')) this.standby = undefined;
    if (this.rsc === 'shutdown') return;
    if (!graceful) {
      this.send([str('t', 'stonith'), str('node', this.peer), str('result', 'n_stnth')]);
      this.emit('note', 'warn', 'No STONITH device configured.');
    }
    this.takeOver(`mach_down ${this.peer}`);
  }

  /** Take every group not held here: the dead peer's (mach_down) and our own. */
  private takeOver(why: string): void {
    this.emit('note', 'info', `Resources being acquired from ${this.peer}.`, { node: this.peer });
    this.requested = true;
    this.rqstDelayAtMs = Infinity;
    for (const g of this.config.resourceGroups) if (!this.held.has(g.id)) this.acquire(g.id, why);
    this.owed.add('req_our_resources');
    this.owed.add('mach_down');
  }

  protected onAdmin(c: AdminCommand): void {
    if (c.kind === 'standby') return this.goStandby(c.set);
    if (c.kind === 'takeover') {
      this.emit('admin', 'info', `hb_takeover ${c.set}`);
      return this.send([str('t', 'hb_takeover'), str('rsc_hold', c.set)]);
    }
    if (this.rsc === 'shutdown') return;
    this.emit('shutdown', 'info', 'Heartbeat shutdown in progress.');
    this.rsc = 'shutdown';
    this.standby = undefined;
    this.report('shutdown', 'none', false); // the end state at once (captured)
  }

  protected resourceView(): ResourceView {
    const phase = this.stopped ? 'stopped' : phaseOf[this.rsc];
    const peerHolds =
      this.alive && this.peerHold !== undefined ? this.groupsInSet(this.peer, this.peerHold) : [];
    const busy = this.pending.size > 0 || this.standby !== undefined;
    const state = (g: GroupId): GroupLocalState => {
      const p = [...this.pending.values()].find((x) => x.group === g);
      if (p) return p.kind === 'acquire' ? 'starting' : 'stopping';
      return this.held.has(g) ? 'running' : 'stopped';
    };
    return {
      phase,
      resourceHold: busy ? 'transition' : this.holdOf([...this.held]),
      held: [...this.held],
      peerHolds,
      groups: this.config.resourceGroups.map((g) => ({
        id: g.id,
        homeNode: g.homeNode,
        owners: [
          ...(this.held.has(g.id) ? [this.self] : []),
          ...(peerHolds.includes(g.id) ? [this.peer] : []),
        ],
        target: undefined,
        localState: state(g.id),
        failures: 0,
        failedOn: [],
        detail: undefined,
      })),
    };
  }
}

const phaseOf = {
  init: 'starting',
  starting: 'negotiating',
  rscrcvd: 'negotiating',
  stable: 'stable',
  shutdown: 'shutting-down',
} as const;

function hold(v: string | undefined): Hold | undefined {
  return v === 'none' || v === 'local' || v === 'foreign' || v === 'all' ? v : undefined;
}
