// Service-level health checks in real network namespaces: the HTTP service is a resource of the
// group (resource.d/httpd starts lab/http-server.js), checked by `monitor httpd ... http GET`,
// with a client probing the VIP every 10 ms. The service is killed while its daemon stays up:
// restarted in place; killed again past the restart budget: the group moves; broken on both
// nodes: the group ends down, reported, with no loop of moves. A second lab at keepalive
// 10ms/deadtime 40ms: a check that hangs is killed at its timeout and counted while heartbeats
// keep flowing (no node death). Client-visible outages are printed.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LabNode, ProbeClient } from './lab.js';
import { Lab, cleanupLab, distRoot, labSkipReason, sleep, supervisedDaemonPid, waitUntil } from './lab.js';
import { spawnSync } from 'node:child_process';
import { haCf } from './lab-config.js';

const skip = labSkipReason();
const httpServerJs = join(distRoot, 'src', 'lab', 'http-server.js');

/**
 * The lab's HTTP service as a Heartbeat resource.d script. The server watches the daemon that
 * started it ($PPID) and dies with it. `@DIR@/broken` makes every start of it die at once.
 */
const httpdScript = `#!/bin/sh
pidf="@DIR@/httpd.pid"
alive() { [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
case "$1" in
  start)
    alive && exit 0
    if [ -e "@DIR@/broken" ]; then
      # a broken service: it starts, and dies right away
      ${process.execPath} -e 'process.exit(1)' &
    else
      ${process.execPath} ${httpServerJs} 80 @NODE@ 0.0.0.0 $PPID </dev/null >/dev/null 2>&1 &
    fi
    echo $! > "$pidf"
    # ready once it listens (or gone: a broken one)
    i=0; while [ $i -lt 40 ]; do alive || break; [ -n "$(ss -Hltn 'sport = :80')" ] && exit 0; sleep 0.05; i=$((i+1)); done
    exit 0 ;;
  stop) if alive; then kill "$(cat "$pidf")"; fi; rm -f "$pidf"; exit 0 ;;
  status) if alive; then echo running; else echo stopped; fi; exit 0 ;;
esac
exit 0
`;

interface HealthJson {
  cluster: {
    groups: {
      id: string;
      owners: string[];
      failedOn: string[];
      health?: {
        down: boolean;
        failCounts: { node: string; count: number }[];
        lastFailure?: { node: string; resource: string; detail: string };
        resources: { resource: string; state: string }[];
      };
    }[];
    nodes: { name: string; status: string }[];
  };
}

function statusOf(lab: Lab, n: LabNode): HealthJson {
  return JSON.parse(lab.hbts(n, ['status', '--json'])) as HealthJson;
}

/** Log lines stamped at or after wall-clock ms `t`. */
function linesSince(log: string, t: number): string[] {
  return log.split('\n').filter((l) => {
    const at = Date.parse(l.slice(0, 24));
    return Number.isFinite(at) && at >= t;
  });
}

function count(text: string, re: RegExp): number {
  return (text.match(new RegExp(re.source, 'g')) ?? []).length;
}

/** SIGKILL the node's HTTP service (the daemon stays up). */
function killService(lab: Lab, n: LabNode): void {
  const pid = Number(readFileSync(join(lab.dir, n.name, 'httpd.pid'), 'utf8').trim());
  assert.ok(pid > 1, `httpd pid on ${n.name}`);
  process.kill(pid, 'SIGKILL');
}

void describe(
  'health checks: the service dies, the node stays up (keepalive 200ms, deadtime 1s)',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let client: ProbeClient;
    const vip = '198.18.16.210';
    before(async () => {
      lab = Lab.create({ nodes: 2, tag: 'hc' });
      lab.writeConfig({
        haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'off' }),
        haresources: `node1 IPaddr2::${vip}/24/eth0 httpd\n`,
        scripts: {
          'resource.d/httpd': httpdScript,
          // Our extension in hbts.cf, so ha.cf stays a file real Heartbeat accepts.
          'hbts.cf':
            'monitor httpd interval=200ms timeout=500ms http GET http://127.0.0.1/ expect 200\nmonitor_policy httpd restarts=1 window=60 migration_threshold=3\n',
        },
      });
      for (const n of lab.nodes) lab.startDaemon(n);
      client = lab.startClient(vip);
      await client.waitFor('node1', 20000);
      await sleep(600);
    });
    after(() => cleanupLab(lab));

    void it('kill the service on the active node: restarted in place, the VIP never moves', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      const t = client.nowT();
      killService(lab, n1);
      await waitUntil('node1 restarted httpd', () => /restarted group=/.test(lab.log(n1)), 5000);
      await client.waitFor('node1', 5000);
      await sleep(300);
      const outage = await client.settledOutageMs(t);
      process.stdout.write(
        `# service killed on the active node, restarted in place: client-visible outage ${outage} ms\n`,
      );
      assert.deepEqual(
        client.answersSince(t).filter((w) => w !== '-'),
        ['node1'],
        'only node1 ever answered',
      );
      assert.ok(lab.addressesOf(n1).includes(vip) && !lab.addressesOf(n2).includes(vip));
      assert.equal(count(lab.log(n2), /acquired group=/), 0, 'node2 never started the group');
      const g = statusOf(lab, n2).cluster.groups[0];
      assert.deepEqual(g?.health?.failCounts, [{ node: 'node1', count: 1 }], 'node2 knows node1 failed once');
      assert.ok(outage < 1500, `outage ${outage} ms`);
    });

    void it('kill it again past the restart budget: the group moves to node2', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      const t = client.nowT();
      killService(lab, n1);
      await client.waitFor('node2', 10000);
      await sleep(300);
      const outage = await client.settledOutageMs(t);
      process.stdout.write(
        `# service killed again (restart budget spent): group moved to node2, client-visible outage ${outage} ms\n`,
      );
      assert.match(lab.log(n1), /migrate group=.*giving it up to node2/);
      const g = statusOf(lab, n1).cluster.groups[0];
      assert.deepEqual(g?.owners, ['node2']);
      assert.deepEqual(g?.failedOn, ['node1']);
      assert.deepEqual(g?.health?.failCounts, [{ node: 'node1', count: 2 }]);
      assert.equal(g?.health?.lastFailure?.node, 'node1');
      assert.ok(!lab.addressesOf(n1).includes(vip) && lab.addressesOf(n2).includes(vip));
      assert.ok(outage < 2500, `outage ${outage} ms`);
    });

    void it('broken on both nodes (after hbts cleanup): the group ends down, reported, no loop of moves', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      assert.match(lab.hbts(n2, ['cleanup', 'httpd']), /cleanup of .* requested/);
      await waitUntil(
        'node1 forgot its failures',
        () => /cleanup group=.*asked by node2/.test(lab.log(n1)),
        5000,
      );
      const before1 = count(lab.log(n1), /acquired group=/);
      const before2 = count(lab.log(n2), /acquired group=/);
      for (const n of lab.nodes) writeFileSync(join(lab.dir, n.name, 'broken'), '');
      const t = client.nowT();
      killService(lab, n2);
      await waitUntil(
        'group-down reported on both nodes',
        () => lab.nodes.every((n) => /group-down group=/.test(lab.log(n))),
        15000,
      );
      await sleep(3000); // no more moves afterwards
      for (const n of lab.nodes) {
        const g = statusOf(lab, n).cluster.groups[0];
        assert.equal(g?.health?.down, true, `${n.name} reports the group down`);
        assert.deepEqual(g?.owners, [], `${n.name}: nobody holds it`);
        assert.ok(!lab.addressesOf(n).includes(vip), `the VIP is not on ${n.name}`);
      }
      const text = lab.hbts(n1, ['status']);
      assert.match(text, /DOWN \(failed on every node that may run it/);
      const moves1 = count(lab.log(n1), /acquired group=/) - before1;
      const moves2 = count(lab.log(n2), /acquired group=/) - before2;
      process.stdout.write(
        `# broken on both nodes: starts after the break node1=${moves1} node2=${moves2}; down since ${Math.round((client.nowT() - t) / 100) / 10} s ago, no answer since\n`,
      );
      assert.equal(moves1, 1, 'node1 tried once');
      assert.equal(moves2, 0, 'node2 restarted in place, never started it again');
      const last = client.probes.filter((p) => p.t > client.nowT() - 2500);
      const answered = last.filter((p) => p.who !== undefined).map((p) => `${p.t}:${p.who ?? ''}`);
      assert.ok(last.length > 20, `the client kept probing (${last.length} probes in 2.5 s)`);
      assert.deepEqual(answered, [], 'the VIP stays down');
      // The repair: fixed, cleaned up, it runs again on exactly one node.
      for (const n of lab.nodes) rmSync(join(lab.dir, n.name, 'broken'), { force: true });
      lab.hbts(n1, ['cleanup', 'httpd']);
      await waitUntil(
        'the VIP answers again',
        () => client.lastAnswer() !== undefined && client.probes.at(-1)?.who !== undefined,
        10000,
      );
      assert.ok(
        lab.addressesOf(n1).includes(vip) !== lab.addressesOf(n2).includes(vip),
        'one holder after cleanup',
      );
    });
  },
);

void describe('health checks: a hung check at keepalive 10ms/deadtime 40ms', { skip: skip ?? false }, () => {
  let lab: Lab;
  let client: ProbeClient;
  const vip = '198.18.20.210';
  before(async () => {
    lab = Lab.create({ nodes: 2, tag: 'hh', net: 20 });
    const check = `#!/bin/sh\n[ -e "@DIR@/hang" ] && sleep 30\nexit 0\n`;
    lab.writeConfig({
      haCf: haCf(lab, {
        media: ['bcast eth0'],
        autoFailback: 'off',
        keepalive: '10ms',
        deadtime: '40ms',
        warntime: '20ms',
        initdead: '2',
      }),
      haresources: `node1 IPaddr2::${vip}/24/eth0 httpd\n`,
      scripts: {
        'resource.d/httpd': httpdScript,
        'check-hang': check,
        'hbts.cf': `monitor httpd interval=100ms timeout=300ms exec @DIR@/ha.d/check-hang\nmonitor_policy httpd restarts=5 migration_threshold=10\n`,
      },
    });
    for (const n of lab.nodes) lab.startDaemon(n);
    // Heartbeat runs its daemon realtime (ha.cf `realtime`, default on): give ours SCHED_FIFO too,
    // so the other work on a shared test machine cannot starve 10 ms heartbeats. Checks the daemon
    // spawns inherit it, which makes a hung check a harder test, not an easier one.
    for (const n of lab.nodes) {
      const supervisor = n.daemon?.pid ?? 0;
      await waitUntil(
        `${n.name}'s daemon is up`,
        () => supervisedDaemonPid(supervisor, n.runDir) !== undefined,
        10000,
      );
      for (const pid of [supervisor, supervisedDaemonPid(supervisor, n.runDir) ?? 0])
        spawnSync('chrt', ['-a', '-f', '-p', '10', String(pid)]);
    }
    client = lab.startClient(vip);
    await client.waitFor('node1', 20000);
    await sleep(500);
  });
  after(() => cleanupLab(lab));

  void it('the hung check is killed at its timeout and counted; no node is declared dead', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    const t = client.nowT();
    writeFileSync(join(lab.dir, 'node1', 'hang'), '');
    await waitUntil('a check failed on node1', () => /monitor-failed group=/.test(lab.log(n1)), 5000);
    rmSync(join(lab.dir, 'node1', 'hang'), { force: true });
    await waitUntil('node1 restarted httpd', () => /restarted group=/.test(lab.log(n1)), 5000);
    await sleep(1000);
    const outage = await client.settledOutageMs(t);
    process.stdout.write(
      `# hung check killed at its 300 ms timeout, restart in place: client-visible outage ${outage} ms\n`,
    );
    const late = lab.nodes.flatMap((n) =>
      linesSince(lab.log(n), t).flatMap(
        (l) => /Late heartbeat: .*(?:interval|silent for) (\d+) ms/.exec(l)?.[1] ?? [],
      ),
    );
    process.stdout.write(
      `# while the check hung: ${late.length} late heartbeat(s) (warntime 20 ms), longest ${Math.max(0, ...late.map(Number))} ms, no node death\n`,
    );
    assert.match(lab.log(n1), /killed at its 300 ms timeout/);
    const g = statusOf(lab, n1).cluster.groups[0];
    assert.ok((g?.health?.failCounts.find((f) => f.node === 'node1')?.count ?? 0) >= 1, 'counted');
    assert.deepEqual(g?.owners, ['node1']);
    // From the hang on (the start-up of a loaded machine may have had its own late heartbeats).
    for (const n of lab.nodes) {
      const deaths = linesSince(lab.log(n), t).filter((l) => / peer-dead /.test(l));
      assert.deepEqual(deaths, [], `${n.name}: no node death while the check hung`);
    }
    assert.deepEqual(
      statusOf(lab, n2).cluster.nodes.map((n) => n.status),
      ['active', 'active'],
    );
  });
});
