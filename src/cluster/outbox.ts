// The outbox of one step: everything a part of the core asks the shell to do (packets, resource
// actions, events) is collected here, with the step's time and the two step-wide flags (placement
// must run again; our advertised facts changed). One long-lived instance, reset at each step and
// passed to every part, so no part needs another part to talk to the shell.
import type { GroupId, MediumId, NodeName } from '../config/types.js';
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import type { Field } from '../protocol/message.js';
import { ClusterInvariantError } from './errors.js';
import type {
  Action,
  ActionId,
  ClusterCounters,
  ClusterEvent,
  ClusterEventKind,
  EventLevel,
  InvariantMode,
  MonoMs,
  OutboundPacket,
  Output,
  SplitBrainReport,
} from './types.js';

export type MutableCounters = { -readonly [K in keyof ClusterCounters]: ClusterCounters[K] };

export interface EventFacts {
  readonly node?: NodeName;
  readonly medium?: MediumId;
  readonly group?: GroupId;
  readonly splitBrain?: SplitBrainReport;
}

export class Outbox {
  nowMs: MonoMs;
  /** Something placement depends on may have changed during this step: reconcile runs again. */
  factsChanged = true;
  /** What we advertise changed: a status heartbeat goes out at the end of this step. */
  advertDirty = false;
  readonly counters: MutableCounters = {
    packetsIn: 0,
    packetsOut: 0,
    heartbeatsIn: 0,
    heartbeatsOut: 0,
    rejected: 0,
    malformed: 0,
    peerDeaths: 0,
    takeovers: 0,
    releases: 0,
    acquireFailures: 0,
    pauses: 0,
    conflicts: 0,
    fences: 0,
    fenceFailures: 0,
    invariantsBroken: 0,
  };
  private lastActionId = 0;
  private packets: OutboundPacket[] = [];
  private actions: Action[] = [];
  private events: ClusterEvent[] = [];

  constructor(
    private readonly endpoint: ProtocolEndpoint,
    private readonly wallClockOffsetMs: number,
    private readonly invariantMode: InvariantMode,
    nowMs: MonoMs,
  ) {
    this.nowMs = nowMs;
  }

  begin(nowMs: MonoMs, factsChanged: boolean): void {
    this.nowMs = nowMs;
    this.factsChanged = factsChanged;
    this.packets = [];
    this.actions = [];
    this.events = [];
  }

  finish(wakeAtMs: MonoMs, stopped: boolean): Output {
    return { packets: this.packets, actions: this.actions, events: this.events, wakeAtMs, stopped };
  }

  /** A fact for the log, status API and trace. It does not re-run placement: facts do that. */
  emit(kind: ClusterEventKind, level: EventLevel, text: string, at: EventFacts = {}): void {
    this.events.push({ kind, level, atMs: this.nowMs, text, ...at });
  }

  /** Encode, sign and queue a message (to every node, or to `dest` only). */
  send(fields: readonly Field[], dest?: NodeName): void {
    const wallMs = this.nowMs + this.wallClockOffsetMs;
    this.sendRaw(this.endpoint.send(fields, this.nowMs, dest !== undefined ? { dest, wallMs } : { wallMs }));
  }

  sendRaw(bytes: Uint8Array): void {
    this.counters.packetsOut++;
    this.packets.push({ bytes });
  }

  /** Ids for actions whose results come back (one sequence for every part). */
  newActionId(): ActionId {
    return ++this.lastActionId;
  }

  act(action: Action): void {
    this.actions.push(action);
  }

  /**
   * A broken internal invariant: throws in tests and the simulator ('throw'); the daemon ('log')
   * gets a crit event and the offending transition is skipped. Returns whether it holds.
   */
  invariant(holds: boolean, what: string, at: EventFacts = {}): boolean {
    if (holds) return true;
    this.counters.invariantsBroken++;
    if (this.invariantMode === 'throw') throw new ClusterInvariantError(what);
    this.emit('invariant-broken', 'crit', `internal invariant broken: ${what}; transition skipped`, at);
    return false;
  }
}
