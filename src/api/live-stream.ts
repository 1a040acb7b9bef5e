// The live stream at /api/v1/stream (server-sent events, what the dashboard's EventSource reads):
// a `snapshot` (cluster, nodes, links, groups, the last 50 events) at once, after every change
// (debounced) and every STREAM_REFRESH_MS; an `event` for each event of the daemon's feed, with
// the feed's seq. Readers that stop reading are dropped instead of growing our memory.
import type { ApiContext } from './api-routes.js';
import { clusterView, groupsView, linksView, nodesView } from './api-views.js';
import type { RecordedEvent } from '../daemon/event-history.js';
import { SECURITY_HEADERS, send, type Req, type Res } from './http-io.js';

export const MAX_STREAMS = 16;
/** A live stream sends a fresh snapshot at least this often (heartbeat ages move on). */
export const STREAM_REFRESH_MS = 2000;
/** Changes within this window go out as one snapshot. */
const STREAM_DEBOUNCE_MS = 100;
/** Unread data at which a reader is dropped. */
const MAX_UNREAD_BYTES = 1024 * 1024;

export class LiveStream {
  private readonly streams = new Set<Res>();
  private readonly unsubscribe: () => void;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private readonly refreshTimer: NodeJS.Timeout;

  constructor(private readonly ctx: ApiContext) {
    this.unsubscribe = ctx.events.subscribe((e) => this.onEvent(e));
    this.refreshTimer = setInterval(() => {
      if (this.streams.size > 0) this.pushSnapshot();
    }, STREAM_REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** GET /api/v1/stream, already authorised: 503 beyond MAX_STREAMS, else the stream opens. */
  open(req: Req, res: Res): void {
    req.resume();
    if (this.streams.size >= MAX_STREAMS)
      return send(res, 503, { error: `at most ${MAX_STREAMS} live streams` });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
    });
    res.socket?.setTimeout(0);
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    res.write(`retry: 1000\nevent: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
  }

  private snapshot(): Record<string, unknown> {
    const s = this.ctx.status();
    this.ctx.transitions.observeGroups(s.cluster.groups);
    return {
      cluster: clusterView(s),
      nodes: nodesView(s),
      links: linksView(s),
      groups: groupsView(s, this.ctx.transitions),
      events: this.ctx.events.recent(50),
    };
  }

  private onEvent(e: RecordedEvent): void {
    if (this.streams.size === 0) return;
    const frame = `event: event\ndata: ${JSON.stringify(e)}\n\n`;
    for (const r of this.streams) r.write(frame);
    if (this.snapshotTimer === undefined) {
      this.snapshotTimer = setTimeout(() => {
        this.snapshotTimer = undefined;
        this.pushSnapshot();
      }, STREAM_DEBOUNCE_MS);
    }
  }

  private pushSnapshot(): void {
    const frame = `event: snapshot\ndata: ${JSON.stringify(this.snapshot())}\n\n`;
    for (const r of this.streams) {
      if (r.writableLength > MAX_UNREAD_BYTES) r.destroy();
      else r.write(frame);
    }
  }

  /** No more events or snapshots; every open stream is cut. */
  close(): void {
    this.unsubscribe();
    clearInterval(this.refreshTimer);
    if (this.snapshotTimer !== undefined) clearTimeout(this.snapshotTimer);
    for (const r of this.streams) r.destroy();
  }
}
