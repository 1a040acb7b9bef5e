// Summaries of the benchmark's samples: min/median/max, and the client-side figures of one run
// taken from the probe list. Pure.
import type { Probe } from '../../src/lab/probe-results.js';

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function summarize(xs: readonly number[]): Summary | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { n: s.length, min: s[0] as number, median, max: s[s.length - 1] as number };
}

/** Time from `fromT` until the first probe sent at or after it that `who` answered (ms). */
export function firstAnswerAfter(probes: readonly Probe[], fromT: number, who: string): number | undefined {
  let best: number | undefined;
  for (const p of probes) if (p.t >= fromT && p.who === who && (best === undefined || p.t < best)) best = p.t;
  return best === undefined ? undefined : best - fromT;
}

/**
 * The longest stretch in [fromT, toT] without a successful answer: from the last answer before
 * (or fromT itself when nothing answered before) to the next answer (ms); a stretch still open at
 * toT counts up to toT.
 */
export function longestGap(probes: readonly Probe[], fromT: number, toT: number): number {
  const ok = probes
    .filter((p) => p.who !== undefined && p.t <= toT)
    .map((p) => p.t)
    .sort((a, b) => a - b);
  let last = fromT;
  for (const t of ok) if (t <= fromT) last = t;
  let worst = 0;
  for (const t of ok) {
    if (t <= fromT) continue;
    worst = Math.max(worst, t - last);
    last = t;
  }
  return Math.max(worst, toT - last);
}

/** Median of the numbers, for ratios; undefined for none. */
export function median(xs: readonly number[]): number | undefined {
  return summarize(xs)?.median;
}
