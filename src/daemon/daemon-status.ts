// What `hbts status` (and the API, cl_status, hbts why) reads of a running daemon: the core's
// status view plus what only the shell knows (media errors, held groups, actions in flight, log
// limits, disk lock, arbiter lease, event-loop lag, packet echo). daemon.ts hands over its parts.
import { performance } from 'node:perf_hooks';
import type { ClusterStatus } from '../cluster/types.js';
import type { MediumId } from '../config/types.js';
import type { EndpointCounters, ProtocolEndpoint } from '../protocol/endpoint.js';
import type { ArbiterRef, ArbiterStatus } from './arbiter-wiring.js';
import type { DiskLock } from './disk-lock.js';
import { describeAction, type CoreLike, type Driver } from './driver.js';
import type { EchoControl, EchoSnapshot } from './echo-sink.js';
import type { EventFeed, EventFeedStatus } from './event-feed.js';
import type { EventLog } from './event-log.js';
import type { LiveMedia } from './live-media.js';
import type { KeyedGate } from './log-limits.js';
import type { MediaErrors } from './media-errors.js';
import type { HeldGroups } from './state-dir.js';
import type { TimerLag, TimerLagSnapshot } from './timer-lag.js';

export interface DaemonStatus {
  readonly pid: number;
  readonly node: string;
  readonly generation: number;
  readonly configDir: string;
  readonly media: readonly { id: MediumId; description: string; sendErrors: number; lastError?: string }[];
  readonly cluster: ClusterStatus;
  readonly endpoint: EndpointCounters;
  readonly held: { groups: readonly string[]; failed: readonly string[] };
  readonly actionsInFlight: readonly string[];
  /** Log limits at work: lines dropped by the rate limit, keys held by the rejection gate. */
  readonly log: { readonly droppedLines: number; readonly gateKeys: number };
  /** `disk_lock`: our slot and whether the disk is reachable. */
  readonly diskLock?: ReturnType<DiskLock['state']>;
  /** The event history's last seq and the notify hooks' counters. */
  readonly events?: EventFeedStatus;
  /** `arbiter etcd`: our lease, its time left, the key holder of each group. */
  readonly arbiter?: ArbiterStatus;
  /** Event-loop lag of the heartbeat path (how late the core's timer fired), and the scheduling. */
  readonly eventLoop: TimerLagSnapshot;
  /** Second copies of packets at fast timings (echo-sink.ts): on, idle or off, and copies dropped. */
  readonly echo: EchoSnapshot;
}

/** The daemon's parts a status is read from, as they are at the moment of asking. */
export interface StatusSources {
  readonly self: string;
  readonly generation: number;
  readonly configDir: string;
  readonly media: LiveMedia;
  readonly mediaErrors: MediaErrors;
  readonly core: CoreLike;
  readonly endpoint: ProtocolEndpoint;
  readonly held: HeldGroups;
  readonly driver: Driver | undefined;
  readonly log: EventLog;
  readonly authLogGate: KeyedGate;
  readonly diskLock: DiskLock | undefined;
  readonly feed: EventFeed;
  readonly arbiterRef: ArbiterRef;
  readonly timerLag: TimerLag;
  readonly echo: EchoControl;
}

export function daemonStatus(s: StatusSources): DaemonStatus {
  return {
    pid: process.pid,
    node: s.self,
    generation: s.generation,
    configDir: s.configDir,
    media: s.media.list.map((t) => ({ id: t.id, description: t.description, ...s.mediaErrors.of(t.id) })),
    cluster: s.core.status(),
    endpoint: s.endpoint.counters(),
    held: s.held.snapshot(),
    actionsInFlight: [...(s.driver?.inFlight.values() ?? [])].map(describeAction),
    log: { droppedLines: s.log.droppedLines, gateKeys: s.authLogGate.size },
    ...(s.diskLock !== undefined ? { diskLock: s.diskLock.state() } : {}),
    events: s.feed.status(),
    ...(s.arbiterRef.arbiter !== undefined ? { arbiter: s.arbiterRef.arbiter.status() } : {}),
    eventLoop: s.timerLag.snapshot(performance.now()),
    echo: s.echo.snapshot(),
  };
}
