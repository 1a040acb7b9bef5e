// Prometheus metrics with prom-client, imported only when a listener serves them (its registry and
// default collectors cost memory a node without metrics should not pay). Every value is read from
// the daemon's one status at scrape time, or counted from the daemon's event feed as events happen.
import type * as PromClientModule from 'prom-client';
import type { Gauge, Registry } from 'prom-client';
import type { RecordedEvent } from '../daemon/event-history.js';
import type { ApiContext, ApiEvents } from './api-routes.js';
import type { MetricsSource } from './api-server.js';

type PromClient = typeof PromClientModule;

/** What `acquiring group X (failover from node1)` / `releasing group X (standby: ...)` give as reason. */
const REASONS = [
  'placement',
  'failover',
  'takeover',
  'failback',
  'standby',
  'shutdown',
  'self-fence',
] as const;

export function reasonLabel(text: string): string {
  const m = /\(([a-z-]+)/.exec(text);
  const word = m?.[1];
  return word !== undefined && (REASONS as readonly string[]).includes(word) ? word : 'other';
}

/**
 * The metrics counted from events, kept from the start without prom-client (which loads at the
 * first scrape: about 8 MB a node whose metrics nobody reads should not carry).
 */
export class EventCounts {
  readonly late = new Map<string, number>();
  readonly takeovers = new Map<string, number>();
  readonly releases = new Map<string, number>();
  readonly stop: () => void;
  constructor(events: ApiEvents) {
    const add = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);
    this.stop = events.subscribe((e: RecordedEvent) => {
      if (e.kind === 'peer-late' && e.node !== undefined) add(this.late, e.node);
      else if (e.kind === 'takeover') add(this.takeovers, reasonLabel(e.text));
      else if (e.kind === 'release') add(this.releases, reasonLabel(e.text));
    });
  }
}

/** Creates the prom-client registry at the first scrape. */
export class LazyMetrics implements MetricsSource {
  private metrics: Promise<Metrics> | undefined;
  constructor(
    private readonly ctx: ApiContext,
    private readonly events: EventCounts,
  ) {}
  async render(): Promise<{ contentType: string; body: string }> {
    this.metrics ??= Metrics.create(this.ctx, this.events);
    return (await this.metrics).render();
  }
  async close(): Promise<void> {
    this.events.stop();
    if (this.metrics !== undefined) (await this.metrics).close();
  }
}

export class Metrics implements MetricsSource {
  private readonly registry: Registry;

  private constructor(client: PromClient, ctx: ApiContext, events: EventCounts) {
    const registry = new client.Registry();
    this.registry = registry;
    // process (RSS, CPU, fds) and Node (heap, GC, event-loop lag: nodejs_eventloop_lag_seconds)
    client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    const status = ctx.status.bind(ctx);

    const gauge = (name: string, help: string, labelNames: string[], read: (g: Gauge) => void): void => {
      new client.Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          this.reset();
          read(this);
        },
      });
    };
    /** A counter mirroring a total kept elsewhere: it only ever adds the growth since the last scrape. */
    const mirrored = (
      name: string,
      help: string,
      labelNames: string[],
      read: () => readonly [Record<string, string>, number][],
    ): void => {
      const last = new Map<string, number>();
      new client.Counter({
        name,
        help,
        labelNames,
        registers: [registry],
        collect() {
          for (const [labels, total] of read()) {
            const key = JSON.stringify(labels);
            const grown = total - (last.get(key) ?? 0);
            last.set(key, total);
            if (grown > 0) this.inc(labels, grown);
            else this.inc(labels, 0);
          }
        },
      });
    };

    gauge('hbts_node_up', '1 if the node is up or active as this node sees it, else 0', ['node'], (g) => {
      for (const n of status().cluster.nodes)
        g.set({ node: n.name }, n.status === 'up' || n.status === 'active' ? 1 : 0);
    });
    gauge(
      'hbts_link_up',
      "1 if the peer's heartbeats arrive on this medium, else 0",
      ['node', 'medium'],
      (g) => {
        for (const n of status().cluster.nodes)
          for (const l of n.links) g.set({ node: n.name, medium: l.medium }, l.status === 'up' ? 1 : 0);
      },
    );
    gauge('hbts_group_held', '1 if the group runs (or starts/stops) on this node, else 0', ['group'], (g) => {
      const s = status();
      const self = s.cluster.nodes.find((n) => n.self);
      for (const grp of s.cluster.groups)
        g.set({ group: grp.id }, self?.holds.includes(grp.id) === true ? 1 : 0);
    });
    gauge(
      'hbts_last_heartbeat_age_seconds',
      "Seconds since the node's last status heartbeat (this node: since it sent one)",
      ['node'],
      (g) => {
        const c = status().cluster;
        for (const n of c.nodes)
          if (n.lastHeardMs !== undefined)
            g.set({ node: n.name }, Math.max(0, c.nowMs - n.lastHeardMs) / 1000);
      },
    );
    mirrored('hbts_heartbeats_sent_total', 'Status heartbeats sent', [], () => [
      [{}, status().cluster.counters.heartbeatsOut],
    ]);
    mirrored('hbts_heartbeats_received_total', 'Status heartbeats accepted from peers', [], () => [
      [{}, status().cluster.counters.heartbeatsIn],
    ]);
    mirrored(
      'hbts_heartbeats_lost_total',
      "Peers' packets never received (sequence gaps retransmission did not fill)",
      [],
      () => [[{}, status().endpoint.lostPackets]],
    );
    mirrored('hbts_packets_rejected_total', 'Packets refused, by reason', ['reason'], () =>
      Object.entries(status().endpoint.rejected).map(([reason, n]) => [{ reason }, n] as const),
    );
    mirrored(
      'hbts_rexmit_requests_total',
      'Retransmit requests sent, and those of peers answered',
      ['direction'],
      () => {
        const e = status().endpoint;
        return [
          [{ direction: 'sent' }, e.rexmitRequestsSent],
          [{ direction: 'answered' }, e.rexmitRequestsAnswered],
        ];
      },
    );
    mirrored('hbts_peer_deaths_total', 'Peers declared dead', [], () => [
      [{}, status().cluster.counters.peerDeaths],
    ]);
    mirrored('hbts_fence_total', 'Fence calls, by outcome', ['outcome'], () => {
      const c = status().cluster.counters;
      return [
        [{ outcome: 'ok' }, c.fences],
        [{ outcome: 'failed' }, c.fenceFailures],
      ];
    });

    // Service-level health (groups with a `monitor` line; docs/health-checks.md).
    gauge(
      'hbts_group_fail_count',
      "A group's failed health checks per node since its last cleanup",
      ['group', 'node'],
      (g) => {
        for (const grp of status().cluster.groups)
          for (const f of grp.health?.failCounts ?? []) g.set({ group: grp.id, node: f.node }, f.count);
      },
    );
    gauge(
      'hbts_resource_healthy',
      "1 if the resource's last health check here passed, 0 if it failed (absent: paused or pending)",
      ['group', 'resource'],
      (g) => {
        for (const grp of status().cluster.groups)
          for (const r of grp.health?.resources ?? [])
            if (r.state === 'ok' || r.state === 'failed')
              g.set({ group: grp.id, resource: r.resource }, r.state === 'ok' ? 1 : 0);
      },
    );
    gauge(
      'hbts_group_down',
      '1 if the group failed on every node that may run it (until cleanup)',
      ['group'],
      (g) => {
        for (const grp of status().cluster.groups)
          if (grp.health !== undefined) g.set({ group: grp.id }, grp.health.down ? 1 : 0);
      },
    );
    mirrored('hbts_monitor_failures_total', 'Health checks that failed on this node', [], () => [
      [{}, status().cluster.counters.monitorFailures ?? 0],
    ]);
    mirrored('hbts_restarts_total', 'Restarts in place after a failed health check', [], () => [
      [{}, status().cluster.counters.restarts ?? 0],
    ]);

    const fromEvents = (name: string, help: string, label: string, counts: Map<string, number>): void =>
      mirrored(name, help, [label], () => [...counts].map(([v, n]) => [{ [label]: v }, n] as const));
    fromEvents(
      'hbts_heartbeats_late_total',
      "A peer's heartbeat later than warntime (counted when noticed and when it arrives)",
      'node',
      events.late,
    );
    fromEvents(
      'hbts_takeovers_total',
      'Groups this node started acquiring, by reason',
      'reason',
      events.takeovers,
    );
    fromEvents(
      'hbts_releases_total',
      'Groups this node started releasing, by reason',
      'reason',
      events.releases,
    );
  }

  static async create(ctx: ApiContext, events: EventCounts): Promise<Metrics> {
    const mod = (await import('prom-client')) as PromClient & { default?: PromClient };
    return new Metrics(mod.default ?? mod, ctx, events);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.registry.clear();
  }
}
