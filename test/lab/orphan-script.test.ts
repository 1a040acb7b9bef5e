// A daemon SIGKILLed while a start script runs, restarted at once (2 nodes, real namespaces). The
// script outlives the daemon (own process group); before the fix the restarted daemon probed, saw
// "stopped", and the group was started again while the orphan was still starting. Every script
// appends its entry and exit, with nanosecond timestamps, to one file shared by both nodes, so the
// test sees every start that ever ran anywhere and checks that no two were running at once.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Lab, labSkipReason, sleep, waitUntil, cleanupLab } from './lab.js';
import { haCf } from './lab-config.js';

const skip = labSkipReason();

/**
 * A 3 s start; TERM is logged (so a killed start has an end too); stop always exits 0. The start
 * writes nothing to its stdout/stderr: those are pipes to the daemon, and once it is killed the
 * first write (even dash's "Terminated" for the killed sleep) would kill the script by SIGPIPE.
 */
const slowScript = `#!/bin/sh
log="@DIR@/../ops.log"
f="@DIR@/slow.running"
now() { date +%s%N; }
case "$1" in
  start)
    exec >/dev/null 2>&1
    echo "$(now) @NODE@ start begin $$" >> "$log"
    trap 'echo "$(now) @NODE@ start killed $$" >> "$log"; exit 143' TERM
    sleep 3 & wait $!
    touch "$f"
    echo "$(now) @NODE@ start end $$" >> "$log"
    exit 0 ;;
  stop)
    echo "$(now) @NODE@ stop begin $$" >> "$log"
    rm -f "$f"
    echo "$(now) @NODE@ stop end $$" >> "$log"
    exit 0 ;;
  status) if [ -e "$f" ]; then echo running; else echo stopped; fi; exit 0 ;;
esac
exit 0
`;

interface Run {
  readonly node: string;
  readonly op: string;
  readonly pid: string;
  readonly beginMs: number;
  endMs: number | undefined;
  how: string | undefined;
}

function readRuns(file: string): Run[] {
  const runs = new Map<string, Run>();
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [ns, node, op, what, pid] = line.split(' ');
    if (ns === undefined || node === undefined || op === undefined || pid === undefined) continue;
    const ms = Number(ns) / 1e6;
    const key = `${node}/${op}/${pid}`;
    if (what === 'begin') runs.set(key, { node, op, pid, beginMs: ms, endMs: undefined, how: undefined });
    else {
      const r = runs.get(key);
      if (r) {
        r.endMs = ms;
        r.how = what;
      }
    }
  }
  return [...runs.values()].sort((a, b) => a.beginMs - b.beginMs);
}

void describe('a start script left running by a SIGKILLed daemon (2 nodes)', { skip: skip ?? false }, () => {
  let lab: Lab;
  const ops = (): string => join(lab.dir, 'ops.log');
  const marker = (node: string): string => join(lab.dir, node, 'slow.running');

  before(() => {
    lab = Lab.create({ nodes: 2, tag: 'or' });
    lab.writeConfig({
      // deadtime 3 s: longer than what is left of the orphan's 3 s start when its daemon is killed,
      // so however slowly the daemon restarts on a loaded machine, node2 cannot declare node1 dead
      // (and start the group) while the orphan still runs: only the restart itself can race it
      haCf: haCf(lab, { media: ['bcast eth0'], autoFailback: 'on', deadtime: '3', initdead: '6' }),
      haresources: 'node1 slow\n',
      scripts: { 'resource.d/slow': slowScript },
    });
    for (const n of lab.nodes) lab.startDaemon(n);
  });
  after(() => cleanupLab(lab));

  void it('never runs two starts at once, and the group ends up running on one node', async () => {
    const [n1, n2] = lab.nodes;
    assert.ok(n1 && n2);
    await waitUntil('node1 starting the group', () => readRuns(ops()).some((r) => r.node === 'node1'), 20000);
    await sleep(400); // well inside the 3 s start
    const killedAt = Date.now();
    lab.kill(n1.daemon, 'SIGKILL');
    await lab.waitExit(n1.daemon, 5000);
    lab.startDaemon(n1);

    // Settled: every script that began has ended, exactly one node runs the group, and nothing
    // has happened for 2 s (a hand-over from node2 back to node1 passes through "settled" briefly).
    const settled = (): boolean => {
      const runs = readRuns(ops());
      const last = Math.max(...runs.map((r) => r.endMs ?? Infinity));
      return (
        runs.every((r) => r.endMs !== undefined) &&
        existsSync(marker('node1')) !== existsSync(marker('node2')) &&
        Date.now() - last > 2000
      );
    };
    await waitUntil('the group running on exactly one node, for 2 s', settled, 40000, 100);

    const runs = readRuns(ops());
    const t0 = runs[0]?.beginMs ?? 0;
    for (const r of runs)
      process.stdout.write(
        `# ${r.node} ${r.op} pid ${r.pid}: ${Math.round(r.beginMs - t0)} -> ${
          r.endMs === undefined ? 'still running' : Math.round(r.endMs - t0)
        } ms (${r.how ?? '?'})\n`,
      );
    process.stdout.write(`# daemon on node1 SIGKILLed at ${Math.round(killedAt - t0)} ms\n`);
    const orphan = runs[0];
    const lastStart = runs.filter((r) => r.op === 'start').at(-1);
    if (orphan?.endMs !== undefined && lastStart?.endMs !== undefined)
      process.stdout.write(
        `# orphan start ${orphan.how ?? '?'} ${Math.round(orphan.endMs - killedAt)} ms after its daemon was killed; ` +
          `${runs.filter((r) => r.op === 'start').length} starts in all, the last done ${Math.round(lastStart.endMs - killedAt)} ms after the kill\n`,
      );
    const starts = runs.filter((r) => r.op === 'start');
    for (const [i, a] of starts.entries())
      for (const b of starts.slice(i + 1)) {
        const overlap = Math.min(a.endMs ?? Infinity, b.endMs ?? Infinity) - Math.max(a.beginMs, b.beginMs);
        assert.ok(
          overlap <= 0,
          `start ${a.node}/${a.pid} and start ${b.node}/${b.pid} ran at the same time for ${Math.round(overlap)} ms`,
        );
      }
    const status = JSON.parse(lab.hbts(n2, ['status', '--json'])) as {
      cluster: { groups: { id: string; owners: string[] }[] };
    };
    assert.equal(status.cluster.groups[0]?.owners.length, 1, JSON.stringify(status.cluster.groups));
    const owner = status.cluster.groups[0]?.owners[0] ?? '';
    assert.ok(existsSync(marker(owner)), `the group's owner ${owner} runs it`);
  });
});
