// "Heartbeat software failure": the daemon on the active node is SIGKILLed while its links stay up
// (2 nodes, keepalive 200ms, deadtime 1s, VIP group on node1, real namespaces). The supervisor
// restarts it before deadtime, so nothing moves; once its restart budget is spent it stops the
// group itself, VIP first, before node2's deadtime ends, and node2 takes over. VIP presence is
// watched on every node continuously (ip monitor, sampled every 10 ms) and a client probes the VIP
// every 10 ms. Last, the supervisor is killed too (a daemon crash that takes its supervisor with
// it): without fencing nothing can stop the VIP on node1, and the test shows what happens then.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProbeClient } from './lab.js';
import { cleanupLab, Lab, labSkipReason, sleep, waitUntil } from './lab.js';
import { haCf } from './lab-config.js';
import { VipWatch } from './vip-watch.js';

const skip = labSkipReason();
const VIP = '198.18.16.201';
const RUNS = 10;
/** Enough restarts for every kill of the first test (the default allows 5 a minute). */
const SUPERVISOR_ARGS = ['--restart-limit', `${RUNS}/600`];

/** A resource.d script that journals every start and stop with the time (epoch ms). */
const journalScript = `#!/bin/sh
f="@DIR@/svc.running"
case "$1" in
  start) mkdir -p "@DIR@"; touch "$f"; echo "start $(date +%s%3N)" >> "@DIR@/svc.journal"; exit 0 ;;
  stop) rm -f "$f"; echo "stop $(date +%s%3N)" >> "@DIR@/svc.journal"; exit 0 ;;
  status) if [ -e "$f" ]; then echo running; else echo stopped; fi; exit 0 ;;
esac
exit 0
`;

interface RunResult {
  readonly run: number;
  readonly outageMs: number;
  readonly restartMs: number | undefined;
  readonly moved: boolean;
}

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const stats = (xs: readonly number[]): string =>
  `min ${Math.min(...xs)}, median ${median(xs)}, max ${Math.max(...xs)}`;

void describe(
  'daemon SIGKILLed on the active node, links intact (supervisor)',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let client: ProbeClient;
    let watch: VipWatch;
    const results: RunResult[] = [];
    let safeFrom = 0;

    before(async () => {
      lab = Lab.create({ nodes: 2, tag: 'dk' });
      lab.writeConfig({
        haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on' }),
        haresources: `node1 IPaddr2::${VIP}/24/eth0 svc\n`,
        scripts: { 'resource.d/svc': journalScript },
      });
      watch = await VipWatch.start(lab, VIP);
      for (const n of lab.nodes) {
        lab.startHttp(n);
        lab.startDaemon(n, SUPERVISOR_ARGS);
      }
      client = lab.startClient(VIP);
      await client.waitFor('node1', 20000);
      await waitUntil('the VIP on node1 only', () => watch.holdersAt(Date.now()).join() === 'node1', 10000);
      safeFrom = Date.now();
    });
    after(() => cleanupLab(lab));

    /** start/stop, in order, of the svc resource on a node. */
    const journal = (node: string): string[] => {
      try {
        return readFileSync(join(lab.dir, node, 'svc.journal'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' ')[0] ?? '');
      } catch {
        return [];
      }
    };

    void it(`${RUNS} SIGKILLs of the daemon (not the supervisor): restarted each time, never two holders`, async () => {
      const n1 = lab.node('node1');
      const restarted = (): RegExpMatchArray[] => [
        ...lab.log(n1).matchAll(/daemon restarted pid=\d+ restart_ms=(\d+)/g),
      ];
      for (let run = 1; run <= RUNS; run++) {
        await sleep(800);
        const pid = lab.daemonChildPid(n1);
        assert.ok(pid !== undefined, `run ${run}: node1's daemon runs under its supervisor`);
        const before = restarted().length;
        const t0 = Date.now();
        process.kill(pid, 'SIGKILL');
        // back, or given up (the supervisor then exits)
        await waitUntil(
          `run ${run}: the supervisor to restart the daemon`,
          () => restarted().length > before || n1.daemon?.exitCode !== null,
          5000,
        );
        // long enough for node2 to have taken over had node1 stayed silent for deadtime
        await sleep(2000);
        const outageMs = await client.settledOutageMs(t0);
        const moved = watch.changesOf('node2', t0).some((c) => c.present);
        const m = restarted()[before];
        results.push({ run, outageMs, restartMs: m ? Number(m[1]) : undefined, moved });
        assert.equal(watch.holdersAt(Date.now()).length, 1, `run ${run}: one holder at the end`);
        if (n1.daemon?.exitCode !== null) {
          // the restart was late and the supervisor gave the group up (safely): start node1 again
          assert.match(lab.log(n1), /not back in time|failed to start/);
          lab.startDaemon(n1, SUPERVISOR_ARGS);
          await client.waitFor('node1', 20000);
        }
      }
      const to = Date.now();
      const s = watch.sample(safeFrom, to);
      const overlap = watch.overlapMs(safeFrom, to);
      for (const r of results)
        process.stdout.write(
          `# run ${r.run}: daemon restarted in ${r.restartMs ?? '-'} ms; client outage ${r.outageMs} ms; group ${r.moved ? 'MOVED to node2' : 'stayed on node1'}\n`,
        );
      const restarts = results.flatMap((r) => (r.restartMs === undefined ? [] : [r.restartMs]));
      process.stdout.write(
        `# ${RUNS} kills: client outage ms ${stats(results.map((r) => r.outageMs))}; restart ms ${stats(restarts)}; ` +
          `moved ${results.filter((r) => r.moved).length}/${RUNS}; VIP samples (10 ms, every node) ${s.samples}, two holders at ${s.dual.length}; exact overlap ${overlap} ms\n`,
      );
      assert.equal(s.dual.length, 0, 'never two holders at any sample');
      assert.equal(overlap, 0);
      // a restart the supervisor reports as in time is one node2 waited for: nothing moved then
      for (const r of results) assert.equal(r.moved, r.restartMs === undefined, `run ${r.run}`);
      const moves = results.filter((r) => r.moved).length;
      if (moves === 0) {
        assert.deepEqual(journal('node1'), ['start'], 'svc was never stopped or started again on node1');
        assert.doesNotMatch(lab.log(lab.node('node2')), /peer-dead node=node1/);
      }
    });

    void it('restart budget spent: the supervisor stops the group (VIP first) before node2 takes over', async () => {
      const n1 = lab.node('node1');
      // a supervisor that may not restart at all (--restart-limit 0/60): stop node1 (SIGTERM, the
      // group is handed over), start it so, and let the group fail back
      lab.kill(n1.daemon, 'SIGTERM');
      assert.equal(await lab.waitExit(n1.daemon, 15000), 0);
      lab.startDaemon(n1, ['--restart-limit', '0/60']);
      await client.waitFor('node1', 20000);
      await sleep(800);
      const pid = lab.daemonChildPid(n1);
      assert.ok(pid !== undefined);
      const t0 = Date.now();
      process.kill(pid, 'SIGKILL');
      const code = await lab.waitExit(n1.daemon, 10000);
      await client.waitFor('node2', 10000);
      await sleep(500);
      const outage = await client.settledOutageMs(t0);
      const to = Date.now();
      const gone = watch.changesOf('node1', t0).find((c) => !c.present)?.t;
      const taken = watch.changesOf('node2', t0).find((c) => c.present)?.t;
      assert.ok(gone !== undefined && taken !== undefined, 'node1 removed the VIP and node2 added it');
      process.stdout.write(
        `# budget spent: VIP removed from node1 ${Math.round(gone - t0)} ms after the kill, added on node2 ${Math.round(taken - t0)} ms after it; client outage ${outage} ms\n`,
      );
      assert.equal(code, 1, 'the supervisor exits 1 after stopping the groups itself');
      assert.ok(gone < taken, 'node1 let go before node2 took over');
      assert.ok(gone - t0 < 800, 'the VIP was gone before deadtime minus one keepalive');
      assert.equal(watch.sample(safeFrom, to).dual.length, 0);
      assert.equal(watch.overlapMs(safeFrom, to), 0);
      const log = lab.log(n1);
      assert.match(
        log,
        /crit: supervisor: cannot keep the daemon running; stopping the groups held here reason="restart budget spent \(0 in 60 s\)"/,
      );
      assert.match(log, /crit: supervisor: every group held here is stopped; exiting/);
      assert.ok(!existsSync(join(lab.dir, 'node1', 'svc.running')), 'svc stopped on node1');
      assert.match(lab.log(lab.node('node2')), /peer-dead node=node1/);
    });

    void it('supervisor and daemon SIGKILLed together: without fencing node1 keeps the VIP while node2 takes it', async () => {
      const [n1, n2] = lab.nodes;
      assert.ok(n1 && n2);
      lab.startDaemon(n1, SUPERVISOR_ARGS);
      await client.waitFor('node1', 20000); // auto_failback on
      await waitUntil('the VIP on node1 only', () => watch.holdersAt(Date.now()).join() === 'node1', 10000);
      await sleep(800);
      const t0 = Date.now();
      lab.kill(n1.daemon, 'SIGKILL'); // the supervisor first, then its daemon (netns-lab.ts)
      await waitUntil(
        'node2 to add the VIP',
        () => watch.changesOf('node2', t0).some((c) => c.present),
        5000,
      );
      await sleep(1000);
      const taken = watch.changesOf('node2', t0).find((c) => c.present)?.t ?? NaN;
      const dualSoFar = watch.overlapMs(t0, Date.now());
      // nobody is left on node1 to remove its VIP: two holders until a daemon runs there again
      assert.ok(watch.holds('node1', Date.now()), 'node1 still holds the VIP');
      assert.equal(watch.changesOf('node1', t0).length, 0, 'nothing touched the VIP on node1');
      assert.ok(taken - t0 >= 700, `node2 waited for deadtime (${Math.round(taken - t0)} ms)`);
      assert.ok(dualSoFar > 0);
      // the operator (or systemd) starts hbts again: it finds the VIP, and the split brain is resolved
      const tRestart = Date.now();
      lab.startDaemon(n1, SUPERVISOR_ARGS);
      await waitUntil('one holder again', () => watch.holdersAt(Date.now()).length === 1, 20000);
      const resolved = Date.now();
      process.stdout.write(
        `# supervisor killed too: node2 added the VIP ${Math.round(taken - t0)} ms after the kill while node1 kept it; ` +
          `two holders for ${Math.round(watch.overlapMs(t0, resolved))} ms, ended ${resolved - tRestart} ms after node1's daemon was started again\n`,
      );
      await sleep(1500);
      assert.equal(watch.holdersAt(Date.now()).length, 1);
    });
  },
);
