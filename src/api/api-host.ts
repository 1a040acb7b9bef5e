// How the daemon hosts the API: its view of the daemon's one event feed (the same records and
// numbers as `hbts events`) and the group transitions it notes from it, the route table behind the
// control socket's `api` command (always there, it costs next to nothing), and the HTTP listeners
// and metrics, imported only when ha.cf/hbts.cf configure them.
import { readFileSync } from 'node:fs';
import type { GroupStatusEntry } from '../cluster/types.js';
import type { ApiSettings } from '../config/api-config.js';
import { DaemonStartError } from '../daemon/errors.js';
import type { EventFeed } from '../daemon/event-feed.js';
import type { RecordedEvent } from '../daemon/event-history.js';
import type { ApiContext, ApiEvents, ApiReply } from './api-routes.js';
import { apiRequest } from './api-routes.js';
import type { ApiLog } from './api-server.js';
import { ApiStartError } from './errors.js';
import { GroupTransitions } from './group-transitions.js';

/** Debug events are for the debug log: the API, its stream and its metrics leave them out. */
const shown = (e: RecordedEvent): boolean => e.level !== 'debug';

/** What the API shows of the feed: its records, with its numbers, minus the debug ones. */
export function apiEvents(feed: EventFeed): ApiEvents {
  return {
    recent: (limit, after = 0) => feed.history.newest(limit, after, shown),
    subscribe: (listener) =>
      feed.subscribe((e) => {
        if (shown(e)) listener(e);
      }),
  };
}

export class ApiHost {
  readonly events: ApiEvents;
  readonly transitions = new GroupTransitions();
  private ctx: ApiContext | undefined;
  private closeListeners: (() => Promise<void>) | undefined;
  private observing = false;

  /**
   * `feed`: the daemon's events; `groups`: the core's group status, read after events to note
   * transitions. Listens from here on, for as long as the daemon runs.
   */
  constructor(
    feed: EventFeed,
    private readonly groups: () => readonly GroupStatusEntry[],
  ) {
    this.events = apiEvents(feed);
    this.events.subscribe((e) => this.heard(e));
  }

  /** The daemon's status and control handler, once they exist. */
  bind(status: ApiContext['status'], control: ApiContext['control']): void {
    this.ctx = { status, control, events: this.events, transitions: this.transitions };
  }

  /** Every event of the feed: noted; group transitions are looked at once the core's step is over. */
  private heard(e: RecordedEvent): void {
    this.transitions.heard(e);
    if (this.observing) return;
    this.observing = true;
    setImmediate(() => {
      this.observing = false;
      this.transitions.observeGroups(this.groups());
    });
  }

  /** The control socket's `api` command: one route, answered as `{ok, status, body}`. */
  async control(req: {
    readonly method: string;
    readonly path: string;
    readonly body?: unknown;
  }): Promise<Record<string, unknown>> {
    if (this.ctx === undefined) return { ok: false, error: 'the daemon is still starting' };
    const reply: ApiReply = await apiRequest(this.ctx, req.method, req.path, req.body);
    return reply.status < 400
      ? { ok: true, status: reply.status, body: reply.body }
      : {
          ok: false,
          status: reply.status,
          error: (reply.body as { error?: string }).error ?? `HTTP ${reply.status}`,
        };
  }

  /** Open api_listen / metrics_listen when configured. A listener that cannot open stops the start (exit 6). */
  async listen(settings: ApiSettings | undefined, log: ApiLog): Promise<void> {
    const ctx = this.ctx;
    if (ctx === undefined || settings === undefined) return;
    if (settings.listen === undefined && settings.metricsListen === undefined) return;
    const [{ ApiServers }, { EventCounts, LazyMetrics }] = await Promise.all([
      import('./api-server.js'),
      import('./metrics.js'),
    ]);
    // Events are counted from now on; prom-client itself loads at the first scrape.
    const metrics = new LazyMetrics(ctx, new EventCounts(this.events));
    try {
      const servers = await ApiServers.start({ settings, ctx, metrics, version: packageVersion(), log });
      this.closeListeners = async () => {
        await servers.close();
        await metrics.close();
      };
    } catch (err) {
      await metrics.close();
      if (err instanceof ApiStartError) throw new DaemonStartError(err.message, 6, { cause: err });
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.closeListeners?.();
    this.closeListeners = undefined;
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
