// Trace hashes of a fixed matrix of simulator runs (every scenario x 2-5 nodes x N seeds): the
// behaviour pin of the cluster core. A refactor that keeps behaviour keeps every hash; a change
// that alters behaviour on purpose re-records them in the same commit and says why.
import { runScenario, scenarioNames } from './scenarios.js';
import type { ScenarioName } from './scenarios.js';

export const traceHashNodeCounts = [2, 3, 4, 5] as const;

/** scenario -> node count -> one 16-hex-digit hash per seed (seed 1 first). */
export type TraceHashTable = Record<string, Record<string, string[]>>;

export function traceHashes(
  seeds: number,
  scenarios: readonly ScenarioName[] = scenarioNames,
): TraceHashTable {
  const table: TraceHashTable = {};
  for (const scenario of scenarios) {
    const byNodes: Record<string, string[]> = {};
    for (const nodes of traceHashNodeCounts) {
      const hashes: string[] = [];
      for (let seed = 1; seed <= seeds; seed++) {
        const r = runScenario(scenario, seed, { nodes, traceHash: true });
        hashes.push((r.traceHash ?? '').slice(0, 16));
      }
      byNodes[String(nodes)] = hashes;
    }
    table[scenario] = byNodes;
  }
  return table;
}

/** Lines naming each (scenario, nodes, seed) whose hash differs; empty when all match. */
export function compareTraceHashes(expected: TraceHashTable, actual: TraceHashTable): string[] {
  const out: string[] = [];
  for (const [scenario, byNodes] of Object.entries(actual)) {
    for (const [nodes, hashes] of Object.entries(byNodes)) {
      const want = expected[scenario]?.[nodes];
      if (want === undefined) {
        out.push(`${scenario} --nodes ${nodes}: no recorded hashes`);
        continue;
      }
      hashes.forEach((h, i) => {
        if (want[i] !== undefined && want[i] !== h) {
          out.push(`${scenario} --nodes ${nodes} --seed ${i + 1}: ${h} (recorded ${want[i]})`);
        }
      });
    }
  }
  return out;
}
