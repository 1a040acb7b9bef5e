// One event ring for the whole daemon: the HTTP API reads the daemon's EventFeed, so an event has
// the same seq in the `events` control request (`hbts events`), in GET /api/v1/events (a real
// listener on 127.0.0.1, port 0), in the control socket's `api` command and in a group's last
// transition. The API leaves debug events out; their numbers are simply not shown.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { ApiHost } from '../../../src/api/api-host.js';
import type { ClusterEvent, GroupStatusEntry } from '../../../src/cluster/types.js';
import { EventFeed } from '../../../src/daemon/event-feed.js';
import { EventHistory, type RecordedEvent } from '../../../src/daemon/event-history.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';

const TOKEN = 'one-ring-test-token-0123456789abcdef';

const ev = (kind: ClusterEvent['kind'], text: string, extra: Partial<ClusterEvent> = {}): ClusterEvent =>
  ({ kind, level: 'info', atMs: 0, text, ...extra }) as ClusterEvent;

void test("the ring's newest(): the newest events after a seq, oldest first, only those shown", () => {
  const h = new EventHistory(3);
  const wall = Date.UTC(2026, 10, 29, 12, 0, 0);
  h.record(ev('note', 'debug', { level: 'debug' }), wall);
  for (let i = 1; i <= 5; i++) h.record(ev('note', `n${i}`), wall + i * 1000);
  // six recorded, three kept
  assert.deepEqual(
    h.newest(100).map((e) => [e.seq, e.text, e.time]),
    [
      [4, 'n3', '2026-11-29T12:00:03.000Z'],
      [5, 'n4', '2026-11-29T12:00:04.000Z'],
      [6, 'n5', '2026-11-29T12:00:05.000Z'],
    ],
  );
  assert.deepEqual(
    h.newest(1).map((e) => e.seq),
    [6],
  );
  assert.deepEqual(
    h.newest(10, 5).map((e) => e.seq),
    [6],
  );
  assert.deepEqual(
    h.newest(2, 0, (e) => e.text !== 'n5').map((e) => e.seq),
    [4, 5],
  );
  // since() pages forward from the oldest: the same records
  assert.deepEqual(h.since(0, 2), h.newest(100).slice(0, 2));
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}` }, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

void describe('the API reads the daemon event feed (ApiHost, api_listen on 127.0.0.1:0)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-api-events-'));
  const log = new EventLog('node1', { stderr: false, debug: false });
  const feed = new EventFeed(
    simClusterConfig({ nodes: 2, keepaliveMs: 1000, deadtimeMs: 10_000 }),
    'node1',
    log,
  );
  let owners: string[] = [];
  const group = (): GroupStatusEntry =>
    ({ id: 'web', homeNode: 'node1', owners, failures: 0, failedOn: [] }) as unknown as GroupStatusEntry;
  const host = new ApiHost(feed, () => [group()]);
  let port = 0;
  const recorded: RecordedEvent[] = [];

  before(async () => {
    host.bind(
      () => {
        throw new Error('this test reads no status');
      },
      () => Promise.resolve({ ok: false, error: 'no commands in this test' }),
    );
    const tokenFile = join(dir, 'api.token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const at = { file: 'hbts.cf', line: 1 };
    await host.listen(
      {
        listen: { host: '127.0.0.1', port: 0, at },
        tokenFile,
        cert: undefined,
        key: undefined,
        metricsListen: undefined,
      },
      (_level, what, fields) => {
        const m = /:(\d+)$/.exec(String(fields?.['address']));
        if (what === 'api_listen open' && m?.[1] !== undefined) port = Number(m[1]);
      },
    );
    assert.ok(port > 0, 'the listener said where it is');
    // As the daemon does: the core's events go to the feed, and nowhere else. The API looks at the
    // groups once the core's step is over (setImmediate): one step per line here.
    const step = (): Promise<unknown> => new Promise((r) => setImmediate(r));
    recorded.push(feed.record(ev('peer-up', 'node node2: is up', { node: 'node2' as never })));
    await step();
    recorded.push(
      feed.record(ev('link-dead', 'node2 on bcast quiet', { level: 'debug', node: 'node2' as never })),
    );
    owners = ['node1'];
    recorded.push(feed.record(ev('takeover', 'acquiring group web (placement)', { group: 'web' as never })));
    await step();
    recorded.push(feed.record(ev('acquired', 'group web is running here', { group: 'web' as never })));
    await step();
  });
  after(async () => {
    await host.close();
    await feed.close();
    log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('the same event has the same seq in the `events` control request and GET /api/v1/events', async () => {
    const viaFeed = (await feed.reply({ since: 0, limit: 100, waitMs: 0 }))['events'] as RecordedEvent[];
    assert.deepEqual(
      viaFeed.map((e) => [e.seq, e.kind]),
      [
        [1, 'peer-up'],
        [2, 'link-dead'],
        [3, 'takeover'],
        [4, 'acquired'],
      ],
    );
    const r = await get(port, '/api/v1/events');
    assert.equal(r.status, 200, r.body);
    const viaApi = JSON.parse(r.body) as RecordedEvent[];
    // the very same records (seq, time, text...), the debug one left out
    assert.deepEqual(
      viaApi,
      viaFeed.filter((e) => e.level !== 'debug'),
    );
    assert.deepEqual(
      viaApi.map((e) => e.seq),
      [1, 3, 4],
    );
    const after = JSON.parse((await get(port, '/api/v1/events?after=3')).body) as RecordedEvent[];
    assert.deepEqual(after, [recorded[3]]);
    const newest = JSON.parse((await get(port, '/api/v1/events?limit=2')).body) as RecordedEvent[];
    assert.deepEqual(
      newest.map((e) => e.seq),
      [3, 4],
    );
    // the control socket's `api` command answers from the same ring
    const viaSocket = await host.control({ method: 'GET', path: '/api/v1/events?after=1' });
    assert.deepEqual(viaSocket['body'], viaApi.slice(1));
    assert.equal(feed.status().lastSeq, 4);
  });

  void it("a group's last transition names the feed's seq of the event that explains it", () => {
    const t = host.transitions.transition('web');
    assert.equal(t?.from, 'nowhere');
    assert.equal(t?.to, 'node1');
    assert.equal(t?.reason, 'acquiring group web (placement)');
    assert.equal(t?.eventSeq, recorded[2]?.seq);
    assert.equal(t?.eventSeq, 3);
  });
});
