// The JSON views of the API, each a projection of the daemon's one status (the same object
// `hbts status --json` prints) plus the group transitions: nothing here keeps state of its own.
import type { ClusterStatus, NodeStatusEntry } from '../cluster/types.js';
import type { MediumId } from '../config/types.js';
import type { EndpointCounters } from '../protocol/endpoint.js';
import type { GroupTransition, GroupTransitions } from './group-transitions.js';

/** What the API reads of the daemon's status (DaemonStatus has all of it). */
export interface ApiStatus {
  readonly pid: number;
  readonly node: string;
  readonly generation: number;
  readonly media: readonly { id: MediumId; description: string; sendErrors: number; lastError?: string }[];
  readonly cluster: ClusterStatus;
  readonly endpoint: EndpointCounters;
  readonly held: { readonly groups: readonly string[]; readonly failed: readonly string[] };
  readonly actionsInFlight: readonly string[];
}

const ageMs = (now: number, at: number | undefined): number | null =>
  at === undefined ? null : Math.max(0, Math.round(now - at));

export function clusterView(s: ApiStatus): Record<string, unknown> {
  const c = s.cluster;
  return {
    node: s.node,
    pid: s.pid,
    generation: s.generation,
    phase: c.phase,
    autoFailback: c.mode,
    resourceHold: c.resourceHold,
    configFingerprint: c.configFingerprint,
    configMismatch: c.configMismatch,
    selfFenced: c.selfFenced ?? null,
    fencing: c.fencing,
    nodes: c.nodes.map((n) => ({ name: n.name, status: n.status })),
    heldHere: s.held.groups,
    stopFailedHere: s.held.failed,
    actionsInFlight: s.actionsInFlight,
    counters: c.counters,
    packets: s.endpoint,
  };
}

function nodeView(now: number, n: NodeStatusEntry): Record<string, unknown> {
  return {
    name: n.name,
    self: n.self,
    status: n.status,
    phase: n.phase ?? null,
    generation: n.generation ?? null,
    implementation: n.implementation,
    configMatches: n.configMatches ?? null,
    deadtimeMs: n.deadtimeMs,
    lastHeartbeatAgeMs: ageMs(now, n.lastHeardMs),
    holds: n.holds,
    links: n.links.map((l) => ({
      medium: l.medium,
      status: l.status,
      lastHeardAgeMs: ageMs(now, l.lastHeardMs),
    })),
  };
}

export function nodesView(s: ApiStatus): Record<string, unknown>[] {
  return s.cluster.nodes.map((n) => nodeView(s.cluster.nowMs, n));
}

/** Per medium of this node: how it is sent on, and each peer's link over it. */
export function linksView(s: ApiStatus): Record<string, unknown>[] {
  const now = s.cluster.nowMs;
  return s.media.map((m) => ({
    medium: m.id,
    how: m.description,
    sendErrors: m.sendErrors,
    lastSendError: m.lastError ?? null,
    peers: s.cluster.nodes
      .filter((n) => !n.self)
      .flatMap((n) =>
        n.links
          .filter((l) => l.medium === m.id)
          .map((l) => ({ node: n.name, status: l.status, lastHeardAgeMs: ageMs(now, l.lastHeardMs) })),
      ),
  }));
}

export function groupsView(s: ApiStatus, transitions: GroupTransitions): Record<string, unknown>[] {
  return s.cluster.groups.map((g) => {
    const t: GroupTransition | undefined = transitions.transition(g.id);
    return {
      id: g.id,
      home: g.homeNode,
      owner: g.owners.length === 1 ? g.owners[0] : null,
      owners: g.owners,
      state: g.owners.length === 0 ? 'stopped' : g.owners.length === 1 ? 'running' : 'conflict',
      stateHere: g.localState,
      target: g.target ?? null,
      since: t?.since ?? null,
      lastTransition:
        t === undefined
          ? null
          : { from: t.from ?? null, to: t.to, reason: t.reason, eventSeq: t.eventSeq ?? null },
      failuresHere: g.failures,
      failedOn: g.failedOn,
      detail: g.detail ?? null,
    };
  });
}
