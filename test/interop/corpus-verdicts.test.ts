// The real-world corpus against real Heartbeat 3.0.6: every case (test/fixtures/real-world) is given
// to the real daemon and to `hbts check --as-daemon`, each in a lab namespace with the same host
// (corpus-heartbeat.ts), several cases at a time. A case fails when real Heartbeat's verdict is not
// the one recorded in its about.txt, when ours is not, or when the two differ and the case is not
// listed with its reason under "Differences from Heartbeat" in docs/real-world-configs.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Lab, labSkipReason, type LabNode } from '../lab/lab.js';
import { realHeartbeatSkipReason } from '../lab/real-heartbeat.js';
import { documentedDifferences, loadCorpus, type CorpusCase } from './corpus.js';
import { heartbeatVerdict, hbtsVerdict, type CaseRun } from './corpus-heartbeat.js';

/** Namespaces run at once: each holds one case at a time (Heartbeat ~3.5 s, check ~1 s). */
const SLOTS = 5;

function skipReason(): string | undefined {
  const lab = labSkipReason() ?? realHeartbeatSkipReason();
  if (lab !== undefined) return lab;
  if (spawnSync('sh', ['-c', 'command -v socat && command -v bridge']).status !== 0)
    return 'the corpus test needs socat (serial cases) and bridge (iproute2)';
  return undefined;
}

const cases = loadCorpus();
const results = new Map<string, { real: CaseRun; ours: CaseRun }>();
const skip = skipReason();

void describe('real-world corpus: real Heartbeat 3.0.6 and hbts give the same verdict', { skip }, () => {
  let lab: Lab | undefined;

  before(async () => {
    const made = Lab.create({ nodes: SLOTS, net: 40, secondNet: true, tag: 'rw' });
    lab = made;
    // Each slot on its own: bridge ports isolated, so no case hears another case's heartbeats.
    for (const n of made.nodes) {
      for (const dev of [`n${n.index}e0`, `n${n.index}e1`]) {
        spawnSync('bridge', ['-n', made.sw, 'link', 'set', 'dev', dev, 'isolated', 'on']);
      }
    }
    const queue = [...cases];
    const worker = async (slot: LabNode): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const work = join(made.dir, c.name);
        const real = await heartbeatVerdict(made, slot, c, `${work}-real`);
        const ours = await hbtsVerdict(made, slot, c, `${work}-hbts`);
        results.set(c.name, { real, ours });
      }
    };
    await Promise.all(made.nodes.map(worker));
    const rows = cases.map((c) => {
      const r = results.get(c.name);
      return `${c.name.padEnd(40)} heartbeat ${r?.real.verdict ?? '?'}  hbts ${r?.ours.verdict ?? '?'}`;
    });
    process.stdout.write(`real-world corpus verdicts (${cases.length} cases):\n${rows.join('\n')}\n`);
  });

  after(async () => {
    await lab?.cleanup();
  });

  const documented = documentedDifferences();

  for (const c of cases) {
    void test(`${c.name}: ${c.about.get('pattern') ?? ''}`.slice(0, 160), () => {
      const r = results.get(c.name);
      assert.ok(r !== undefined, `${c.name} was not run`);
      const why = (run: CaseRun): string => `\n--- output:\n${run.detail}`;
      assert.equal(
        r.real.verdict,
        c.heartbeat,
        `real Heartbeat ${r.real.verdict} ${c.name}, about.txt says ${c.heartbeat}${why(r.real)}`,
      );
      assert.equal(
        r.ours.verdict,
        c.hbts,
        `hbts check --as-daemon ${r.ours.verdict} ${c.name}, about.txt says ${c.hbts}${why(r.ours)}`,
      );
      if (r.real.verdict !== r.ours.verdict) {
        assert.ok(
          documented.has(c.name),
          `${c.name}: Heartbeat ${r.real.verdict}, hbts ${r.ours.verdict}, and docs/real-world-configs.md does not list it under "Differences from Heartbeat"`,
        );
      }
    });
  }

  void test('the corpus has at least 25 cases, each with its pattern and where it was seen', () => {
    assert.ok(cases.length >= 25, `${cases.length} cases`);
    for (const c of cases as CorpusCase[]) {
      for (const key of ['pattern', 'seen in', 'adapted']) {
        assert.ok((c.about.get(key) ?? '') !== '', `${c.name}/about.txt has no '${key}' line`);
      }
    }
  });
});
