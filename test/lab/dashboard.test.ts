// The HTTP API, the metrics and the live dashboard against a real 2-node cluster in network
// namespaces, checked against the real state (who has the VIP) before and after node1 crashes.
// Debian's Chromium (driven by playwright-core) runs in the lab's client namespace through a
// wrapper that execs it under `ip netns exec`, and watches node2's dashboard: node1 holds the VIP,
// node1 crashes, the page shows node2 without a reload. The screenshot is saved; its path printed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Lab, LabNode, ProbeClient } from './lab.js';
import {
  Lab as LabClass,
  cleanupLab,
  distRoot,
  labSkipReason,
  sleep,
  startAllNodes,
  waitUntil,
} from './lab.js';
import { haCf } from './lab-config.js';
import { CONTROL_SOCKET_NAME } from '../../src/daemon/control-protocol.js';
import { controlRequest } from '../../src/daemon/control-server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip =
  labSkipReason() ??
  (existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not installed (Debian package chromium)`);

const TOKEN = 'lab-api-token-0123456789abcdef';
const API_PORT = 8080;
const METRICS_PORT = 9100;

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request from the client namespace (Node's fetch there), so the test sees what a client sees. */
function request(lab: Lab, url: string, token?: string, method = 'GET', body?: string): HttpAnswer {
  const script = `const [url, token, method, body] = process.argv.slice(1);
const headers = {};
if (token) headers.authorization = 'Bearer ' + token;
if (body) headers['content-type'] = 'application/json';
fetch(url, { method, headers, body: body || undefined, signal: AbortSignal.timeout(4000) })
  .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => process.stdout.write(JSON.stringify({ status: 0, body: String(e) })));`;
  const out = lab.exec(lab.client, process.execPath, ['-e', script, url, token ?? '', method, body ?? '']);
  return JSON.parse(out) as HttpAnswer;
}

function apiJson<T>(lab: Lab, n: LabNode, path: string): T {
  const r = request(lab, `http://${n.addr}:${API_PORT}${path}`, TOKEN);
  assert.equal(r.status, 200, `${path} on ${n.name}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

function metricValue(text: string, name: string, labels: string): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{${labels}} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

interface GroupJson {
  id: string;
  owner: string | null;
  state: string;
  since: string | null;
  lastTransition: { from: string | null; to: string; reason: string } | null;
}
interface NodeJson {
  name: string;
  status: string;
  holds: string[];
}

void describe(
  'HTTP API, metrics and the live dashboard in Chromium: crash failover',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let client: ProbeClient;
    let browser: Browser | undefined;
    let page: Page;
    const vip = '198.18.16.210';
    const group = `IPaddr2::${vip}/24/eth0`;
    const artifacts = join(distRoot, '..', 'test-artifacts');

    before(async () => {
      lab = LabClass.create({ nodes: 2, tag: 'db' });
      lab.writeConfig({
        haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on' }),
        haresources: `node1 ${group}\n`,
      });
      for (const n of lab.nodes) {
        // Our extensions go in hbts.cf, beside ha.cf (a real Heartbeat would refuse them in ha.cf).
        const tokenFile = join(n.configDir, 'api.token');
        writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
        chmodSync(tokenFile, 0o600);
        writeFileSync(
          join(n.configDir, 'hbts.cf'),
          `api_listen ${n.addr}:${API_PORT}\napi_token_file ${tokenFile}\nmetrics_listen ${n.addr}:${METRICS_PORT}\n`,
        );
      }
      startAllNodes(lab);
      client = lab.startClient(vip);
      await client.waitFor('node1', 15000);
      // Chromium in the client namespace: `ip netns exec` execs it in place, keeping the pipes
      // playwright talks over (fds 3 and 4).
      const wrapper = join(lab.dir, 'chromium-in-client-ns');
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.client} ${CHROMIUM} "$@"\n`, {
        mode: 0o755,
      });
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: wrapper, args: ['--no-sandbox'], timeout: 30000 });
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    });
    after(async () => {
      await browser?.close();
      await cleanupLab(lab);
    });

    void it('before the crash: status --json, the API and the metrics agree with where the VIP is', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await waitUntil(
        'the VIP on node1 only',
        () => lab.addressesOf(n1).includes(vip) && !lab.addressesOf(n2).includes(vip),
        10000,
      );
      const status = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
        cluster: { groups: { id: string; owners: string[] }[] };
      };
      assert.deepEqual(
        status.cluster.groups.map((g) => [g.id, g.owners]),
        [[group, ['node1']]],
      );
      for (const n of [n1, n2]) {
        const groups = apiJson<GroupJson[]>(lab, n, '/api/v1/groups');
        assert.equal(groups.length, 1);
        assert.equal(groups[0]?.owner, 'node1', `${n.name} says node1 holds the group`);
        assert.equal(groups[0]?.state, 'running');
        assert.ok(groups[0]?.since !== null && groups[0]?.lastTransition !== null);
        const nodes = apiJson<NodeJson[]>(lab, n, '/api/v1/nodes');
        assert.deepEqual(
          nodes.map((x) => `${x.name}:${x.status}:${x.holds.join(',')}`),
          [`node1:active:${group}`, 'node2:active:'],
        );
      }
      const m1 = request(lab, `http://${n1.addr}:${METRICS_PORT}/metrics`);
      const m2 = request(lab, `http://${n2.addr}:${METRICS_PORT}/metrics`);
      assert.equal(m1.status, 200);
      assert.equal(metricValue(m1.body, 'hbts_group_held', `group="${group}"`), 1);
      assert.equal(metricValue(m2.body, 'hbts_group_held', `group="${group}"`), 0);
      assert.equal(metricValue(m2.body, 'hbts_node_up', 'node="node1"'), 1);
      assert.equal(metricValue(m2.body, 'hbts_link_up', 'node="node1",medium="bcast:eth0"'), 1);
      assert.ok((metricValue(m2.body, 'hbts_heartbeats_received_total', '') ?? 0) > 0);
      assert.ok((metricValue(m2.body, 'hbts_heartbeats_sent_total', '') ?? 0) > 0);
      assert.notEqual(metricValue(m2.body, 'nodejs_eventloop_lag_seconds', ''), undefined);
    });

    void it('everything on api_listen needs the token; /metrics is open only on metrics_listen', async () => {
      const n2 = lab.node('node2');
      const base = `http://${n2.addr}:${API_PORT}`;
      assert.equal(request(lab, `${base}/api/v1/groups`).status, 401);
      assert.equal(request(lab, `${base}/api/v1/groups`, 'wrong-token-wrong-token').status, 401);
      assert.equal(request(lab, `${base}/metrics`).status, 401);
      assert.equal(
        request(lab, `${base}/metrics`, TOKEN).status,
        404,
        'metrics_listen is set: /metrics is there only',
      );
      const doc = apiJson<{ openapi: string; paths: Record<string, unknown> }>(lab, n2, '/openapi.json');
      assert.equal(doc.openapi, '3.1.0');
      assert.ok('/api/v1/groups' in doc.paths && '/api/v1/takeover' in doc.paths);
      // the control socket answers the same routes
      const viaSocket = await controlRequest(join(n2.runDir, CONTROL_SOCKET_NAME), {
        cmd: 'api',
        method: 'GET',
        path: '/api/v1/groups',
      });
      const viaHttp = apiJson<GroupJson[]>(lab, n2, '/api/v1/groups');
      assert.equal(viaSocket['ok'], true);
      assert.deepEqual(
        (viaSocket['body'] as GroupJson[]).map((g) => [g.id, g.owner, g.since]),
        viaHttp.map((g) => [g.id, g.owner, g.since]),
      );
    });

    void it('the dashboard shows node1 holding the VIP, then node2 after node1 crashes, without a reload', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      await page.goto(`http://${n2.addr}:${API_PORT}/`);
      await page.locator('#token').fill(TOKEN);
      await page.locator('#login button[type=submit]').click();
      const owner = page.locator(`#groups tbody tr td.owner`);
      await owner.filter({ hasText: 'node1' }).waitFor({ timeout: 10000 });
      await page.locator('#conn.live').waitFor({ timeout: 5000 });
      let navigations = 0;
      page.on('framenavigated', () => navigations++);

      const t = client.nowT();
      lab.kill(n1.daemon, 'SIGKILL');
      lab.linkDown(n1);
      await client.waitFor('node2', 10000);
      const outage = await client.settledOutageMs(t);
      await owner.filter({ hasText: 'node2' }).waitFor({ timeout: 10000 });
      await page.locator('#nodes tr[data-node="node1"] td.status.dead').waitFor({ timeout: 5000 });
      await page.locator('#events', { hasText: 'peer-dead' }).waitFor({ timeout: 5000 });
      assert.equal(navigations, 0, 'the page was not reloaded');
      mkdirSync(artifacts, { recursive: true });
      const shot = join(artifacts, 'dashboard-after-failover.png');
      await page.screenshot({ path: shot, fullPage: true });
      process.stdout.write(
        `# crash failover seen by the dashboard; client-visible outage ${outage} ms; screenshot ${shot}\n`,
      );
      assert.ok(lab.addressesOf(n2).includes(vip), 'node2 really holds the VIP');
    });

    void it('after the crash: status --json, the API and the metrics agree node2 holds the VIP', async () => {
      const n2 = lab.node('node2');
      await sleep(200);
      const status = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
        cluster: { groups: { owners: string[] }[] };
      };
      assert.deepEqual(status.cluster.groups[0]?.owners, ['node2']);
      const groups = apiJson<GroupJson[]>(lab, n2, '/api/v1/groups');
      assert.equal(groups[0]?.owner, 'node2');
      assert.match(groups[0]?.lastTransition?.reason ?? '', /node1/, 'the transition names the dead node');
      const nodes = apiJson<NodeJson[]>(lab, n2, '/api/v1/nodes');
      assert.deepEqual(
        nodes.map((x) => `${x.name}:${x.status}`),
        ['node1:dead', 'node2:active'],
      );
      const events = apiJson<{ kind: string; node?: string }[]>(lab, n2, '/api/v1/events?limit=50');
      assert.ok(events.some((e) => e.kind === 'peer-dead' && e.node === 'node1'));
      const m = request(lab, `http://${n2.addr}:${METRICS_PORT}/metrics`).body;
      assert.equal(metricValue(m, 'hbts_group_held', `group="${group}"`), 1);
      assert.equal(metricValue(m, 'hbts_node_up', 'node="node1"'), 0);
      assert.equal(metricValue(m, 'hbts_link_up', 'node="node1",medium="bcast:eth0"'), 0);
      assert.equal(metricValue(m, 'hbts_peer_deaths_total', ''), 1);
      assert.equal(metricValue(m, 'hbts_takeovers_total', 'reason="failover"'), 1);
      assert.ok(
        (metricValue(m, 'hbts_last_heartbeat_age_seconds', 'node="node1"') ?? 0) >= 1,
        'node1 silent for at least deadtime',
      );
    });

    void it("commands: a bad set or a cleanup without a group is refused with the parser's words; cleanup of the group and the dashboard's takeover button are answered", async () => {
      const n2 = lab.node('node2');
      const base = `http://${n2.addr}:${API_PORT}/api/v1`;
      const r = request(lab, `${base}/standby`, TOKEN, 'POST', '{"set":"bogus"}');
      assert.equal(r.status, 400);
      assert.match(r.body, /set must be one of all, local, foreign/);
      const noGroup = request(lab, `${base}/cleanup`, TOKEN, 'POST', '{}');
      assert.equal(noGroup.status, 400);
      assert.match(noGroup.body, /cleanup needs/);
      const cleanup = request(lab, `${base}/cleanup`, TOKEN, 'POST', JSON.stringify({ group }));
      assert.equal(cleanup.status, 200, cleanup.body);
      await page.locator('#takeover').click();
      await page.locator('#msg', { hasText: 'takeover all requested' }).waitFor({ timeout: 5000 });
    });
  },
);
