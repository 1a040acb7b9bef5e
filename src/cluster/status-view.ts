// The status projection: what `hbts status`, the API and the simulator read. Derived from the
// parts on demand; it owns no state.
import type { ClusterConfig, NodeName } from '../config/types.js';
import type { Arbiter } from './arbiter.js';
import type { Fencing } from './fencing.js';
import type { Health } from './health.js';
import type { HeartbeatSender } from './heartbeat-sender.js';
import type { LocalGroups } from './local-groups.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { PeerTable } from './peer-table.js';
import type { ClusterStatus, GroupStatusEntry, NodeStatusEntry } from './types.js';

export interface StatusSources {
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly fingerprint: string;
  readonly out: Outbox;
  readonly peers: PeerTable;
  readonly groups: LocalGroups;
  readonly membership: Membership;
  readonly sender: HeartbeatSender;
  readonly fencing: Fencing;
  readonly health?: Health;
  readonly arbiter?: Arbiter;
}

function selfEntry(s: StatusSources): NodeStatusEntry {
  return {
    name: s.self,
    self: true,
    status: s.membership.phase === 'stopped' ? 'dead' : s.sender.ownStatus,
    links: [],
    lastHeardMs: s.sender.lastSentStatusMs,
    generation: undefined,
    deadtimeMs: s.config.deadtimeMs,
    configFingerprint: s.fingerprint,
    configMatches: true,
    implementation: 'hbts',
    holds: s.groups.heldIds(),
    phase: s.membership.phase,
    ...arbitrationFacts(s, s.self),
  };
}

/** What a node says about its ping nodes and quorum (self: first hand), only when configured. */
function arbitrationFacts(s: StatusSources, name: NodeName): Pick<NodeStatusEntry, 'pingNodes' | 'quorum'> {
  const { quorum, pingNodes } = s.membership.arbitration;
  const p = name === s.self ? undefined : s.peers.get(name);
  const ping = name === s.self ? pingNodes.counted() : p?.pingNodes;
  const quorate = name === s.self ? quorum.quorate : p?.quorate;
  return {
    ...(pingNodes.configured ? { pingNodes: ping } : {}),
    ...(quorum.enforced ? { quorum: quorate } : {}),
  };
}

function peerEntry(s: StatusSources, name: NodeName): NodeStatusEntry {
  const p = s.peers.get(name);
  const detector = s.peers.detector;
  const liveness = detector.liveness(name);
  return {
    name,
    self: false,
    status: liveness === 'dead' ? 'dead' : liveness === 'unheard' ? 'init' : (p?.advertised ?? 'init'),
    links: detector
      .links(name)
      .map((l) => ({ medium: l.medium, status: l.up ? 'up' : 'dead', lastHeardMs: l.lastMs })),
    lastHeardMs: detector.lastStatusMs(name),
    generation: p?.generation,
    deadtimeMs: detector.deadtimeMs(name),
    configFingerprint: p?.cfg,
    configMatches: p?.cfg === undefined ? undefined : p.cfg === s.fingerprint,
    implementation: p?.implementation ?? 'unknown',
    holds: p && liveness === 'alive' ? [...p.held] : [],
    phase: p?.phase,
    ...arbitrationFacts(s, name),
  };
}

export function clusterStatus(s: StatusSources): ClusterStatus {
  const view = s.membership.placementView();
  const nodes = s.config.nodes.map((name) => (name === s.self ? selfEntry(s) : peerEntry(s, name)));
  const groups: GroupStatusEntry[] = s.groups.list.map((g) => {
    const health = s.health?.status(g);
    return {
      id: g.group.id,
      homeNode: g.group.homeNode,
      owners: [...view.holders(g.group.id)],
      target: s.membership.phase === 'stable' ? s.membership.target(g, view) : undefined,
      localState: g.state,
      failures: g.failures,
      failedOn: [...view.failedOn(g.group.id)],
      detail: g.detail,
      ...(health !== undefined ? { health } : {}),
    };
  });
  const arbiter = s.arbiter?.status();
  return {
    ...(arbiter !== undefined ? { arbiter } : {}),
    self: s.self,
    nowMs: s.out.nowMs,
    phase: s.membership.phase,
    mode: s.config.autoFailback,
    resourceHold: s.groups.inTransition() ? 'transition' : s.sender.holdWord(),
    configFingerprint: s.fingerprint,
    configMismatch: s.peers.mismatched.size > 0,
    nodes,
    groups,
    fencing: s.fencing.status(),
    selfFenced: s.membership.selfFenced,
    ...(s.membership.arbitration.pingNodes.configured
      ? { pingNodes: s.membership.arbitration.pingNodes.status() }
      : {}),
    quorum: s.membership.arbitration.quorum.status(),
    counters: { ...s.out.counters },
  };
}
