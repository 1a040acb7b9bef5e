// The benchmark's report: JSON (everything, per run) and Markdown (min/median/max per row, the
// ratio of our median to each peer's median at the same detection window, idle footprint, and
// the issue's targets checked against this run's numbers). Pure.
import type { ProfileResult, RunResult } from './run.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';

export interface Report {
  readonly date: string;
  readonly machine: {
    readonly host: string;
    readonly cpus: number;
    readonly kernel: string;
    readonly load: string;
  };
  readonly options: Record<string, unknown>;
  readonly profiles: readonly ProfileResult[];
}

export type Metric =
  'outageMs' | 'maxGapMs' | 'detectMs' | 'vipMs' | 'detectToVipMs' | 'startupMs' | 'splitBrainMs';

export function metricOf(runs: readonly RunResult[], m: Metric): Summary | undefined {
  return summarize(runs.filter((r) => r.ok).flatMap((r) => (r[m] === undefined ? [] : [r[m]])));
}

const fmt = (s: Summary | undefined): string =>
  s === undefined ? '-' : `${Math.round(s.min)} / ${Math.round(s.median)} / ${Math.round(s.max)}`;

/** One table row per implementation, window and scenario, as the Markdown prints it. */
export interface Row {
  readonly impl: string;
  readonly window: string;
  readonly label: string;
  readonly scenario: string;
  readonly runsOk: number;
  readonly runs: number;
  readonly outage: Summary | undefined;
  readonly maxGap: Summary | undefined;
  readonly detect: Summary | undefined;
  readonly detectToVip: Summary | undefined;
  readonly startup: Summary | undefined;
  readonly splitBrain: Summary | undefined;
  /** Our median outage / this row's median outage (peers only, same window and scenario). */
  readonly ratio: number | undefined;
}

export function rows(report: Report): Row[] {
  const out: Row[] = [];
  const ours = (window: string, scenario: string): number | undefined => {
    const p = report.profiles.find((x) => x.impl === 'ours' && x.window === window);
    const runs = p?.scenarios[scenario];
    return runs === undefined ? undefined : metricOf(runs, 'outageMs')?.median;
  };
  const scenarios = [...new Set(report.profiles.flatMap((p) => Object.keys(p.scenarios)))].filter(
    (s) => s !== 'stress',
  );
  const windows = [...new Set(report.profiles.map((p) => p.window))];
  for (const scenario of scenarios) {
    for (const window of windows) {
      for (const p of report.profiles.filter((x) => x.window === window)) {
        const runs = p.scenarios[scenario];
        if (runs === undefined) continue;
        const outage = metricOf(runs, 'outageMs');
        const o = ours(window, scenario);
        out.push({
          impl: p.impl,
          window,
          label: p.label,
          scenario,
          runsOk: runs.filter((r) => r.ok).length,
          runs: runs.length,
          outage,
          maxGap: metricOf(runs, 'maxGapMs'),
          detect: metricOf(runs, 'detectMs'),
          detectToVip: metricOf(runs, 'detectToVipMs'),
          startup: metricOf(runs, 'startupMs'),
          splitBrain: metricOf(runs, 'splitBrainMs'),
          ratio:
            p.impl !== 'ours' && o !== undefined && outage !== undefined && outage.median > 0
              ? Math.round((o / outage.median) * 100) / 100
              : undefined,
        });
      }
    }
  }
  return out;
}

export interface Target {
  readonly what: string;
  readonly value: string;
  readonly met: boolean | undefined;
}

/** The issue's targets, judged on this run (undefined: not measured in this run). */
export function targets(report: Report): Target[] {
  const rs = rows(report);
  const find = (impl: string, window: string, scenario: string): Row | undefined =>
    rs.find((r) => r.impl === impl && r.window === window && r.scenario === scenario);
  const t: Target[] = [];
  const crash30 = find('ours', 'w30ms', 'crash')?.outage;
  t.push({
    what: 'crash outage median at 10ms/30ms <= 40 ms',
    value: crash30 === undefined ? '-' : `${Math.round(crash30.median)} ms`,
    met: crash30 === undefined ? undefined : crash30.median <= 40,
  });
  const ka = rs.filter((r) => r.impl === 'keepalived' && r.scenario === 'crash' && r.ratio !== undefined);
  t.push({
    what: 'crash outage no worse than keepalived at every equal window (ratio <= 1)',
    value: ka.map((r) => `${r.window} ${r.ratio}`).join(', ') || '-',
    met: ka.length === 0 ? undefined : ka.every((r) => (r.ratio ?? Infinity) <= 1),
  });
  const graceful = rs.filter((r) => r.impl === 'ours' && r.scenario === 'graceful' && r.outage !== undefined);
  t.push({
    what: 'graceful stop outage median <= 10 ms',
    value: graceful.map((r) => `${r.window} ${Math.round(r.outage?.median ?? NaN)} ms`).join(', ') || '-',
    met: graceful.length === 0 ? undefined : graceful.every((r) => (r.outage?.median ?? Infinity) <= 10),
  });
  const d2v = rs.filter((r) => r.impl === 'ours' && r.scenario === 'crash' && r.detectToVip !== undefined);
  t.push({
    what: 'crash: detection -> VIP added <= 5 ms (median)',
    value: d2v.map((r) => `${r.window} ${Math.round(r.detectToVip?.median ?? NaN)} ms`).join(', ') || '-',
    met: d2v.length === 0 ? undefined : d2v.every((r) => (r.detectToVip?.median ?? Infinity) <= 5),
  });
  const start = rs.filter((r) => r.impl === 'ours' && r.startup !== undefined && r.window !== 'w10s');
  t.push({
    what: 'start-up (daemons started -> VIP on node1) < 1 s, fast windows',
    value:
      start.map((r) => `${r.window}/${r.scenario} ${Math.round(r.startup?.median ?? NaN)} ms`).join(', ') ||
      '-',
    met: start.length === 0 ? undefined : start.every((r) => (r.startup?.median ?? Infinity) < 1000),
  });
  const idle = report.profiles
    .filter((p) => p.impl === 'ours' && p.window === 'w30ms')
    .flatMap((p) => p.idle);
  t.push({
    what: 'idle at 10 ms heartbeats: <= 50 MB RSS and <= 1% of one core per node',
    value:
      idle
        .map(
          (s) =>
            `${s.node} ${Math.round(s.rssKb / 1024)} MB RSS${s.distinctKb === undefined ? '' : ` (${Math.round(s.distinctKb / 1024)} MB distinct)`} ${s.cpuPct}%`,
        )
        .join(', ') || '-',
    met: idle.length === 0 ? undefined : idle.every((s) => s.rssKb <= 50 * 1024 && s.cpuPct <= 1),
  });
  const stressOurs = report.profiles
    .filter((p) => p.impl === 'ours')
    .flatMap((p) => (p.scenarios['stress'] ?? []).map((r) => ({ window: p.window, r })));
  t.push({
    what: 'zero false deaths under stress (4 busy loops, 5 % loss), 50ms/250ms and 10ms/40ms',
    value: stressOurs.map((x) => `${x.window} ${x.r.ok ? x.r.falseDeaths : 'failed'}`).join(', ') || '-',
    met: stressOurs.length === 0 ? undefined : stressOurs.every((x) => x.r.ok && x.r.falseDeaths === 0),
  });
  return t;
}

export function markdown(report: Report): string {
  const m = report.machine;
  const lines = [
    `Run ${report.date} on ${m.host} (${m.cpus} CPUs, kernel ${m.kernel}, load average at start ${m.load}).`,
    '',
    'Times in ms, min / median / max over the runs. outage: fault -> first answer from the new node',
    '(partition: longest client gap after the heal); detect: fault -> "peer dead" log line on the',
    'new node (stamped on arrival; Heartbeat logs in whole seconds: -); detect->VIP: that line ->',
    'VIP added (ip monitor); start-up: managers started -> VIP on node1; ratio: our median outage /',
    "this row's, same window and scenario.",
    '',
    '| scenario | window | impl | timing | runs ok | outage | max client gap | detect | detect->VIP | start-up | split brain | ratio ours/this |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows(report)) {
    lines.push(
      `| ${r.scenario} | ${r.window} | ${r.impl} | ${r.label} | ${r.runsOk}/${r.runs} | ${fmt(r.outage)} | ${fmt(r.maxGap)} | ${fmt(r.detect)} | ${fmt(r.detectToVip)} | ${fmt(r.startup)} | ${fmt(r.splitBrain)} | ${r.ratio ?? '-'} |`,
    );
  }
  const skipped = report.profiles.filter((p) => p.skipped !== undefined);
  for (const p of skipped) lines.push('', `${p.impl} ${p.label}: skipped (${p.skipped})`);
  lines.push(
    '',
    '| impl | window | timing | node | processes | RSS MB (sum) | distinct MB | CPU % of one core | over s | from s after start |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const p of report.profiles)
    for (const s of p.idle)
      lines.push(
        `| ${p.impl} | ${p.window} | ${p.label} | ${s.node} (${s.role}) | ${s.processes} | ${(s.rssKb / 1024).toFixed(1)} | ${s.distinctKb === undefined ? '-' : (s.distinctKb / 1024).toFixed(1)} | ${s.cpuPct} | ${s.windowS} | ${s.afterS} |`,
      );
  const stressed = report.profiles.filter((p) => p.scenarios['stress'] !== undefined);
  if (stressed.length > 0) {
    const o = report.options;
    lines.push(
      '',
      `Stress: ${String(o['hogs'])} busy loops in the nodes, ${String(o['lossPct'])} % of what arrives on the heartbeat link dropped (nftables numgen), ${Math.round(Number(o['stressMs']) / 1000)} s; every detection, VIP move and failed probe is false.`,
      '',
      '| impl | window | timing | run | false deaths | VIP moves | failed probes | max client gap | heartbeat-link packets dropped / seen |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const p of stressed)
      (p.scenarios['stress'] ?? []).forEach((r, i) =>
        lines.push(
          r.ok
            ? `| ${p.impl} | ${p.window} | ${p.label} | ${i + 1} | ${r.falseDeaths ?? '-'} | ${r.vipMoves ?? '-'} | ${r.failedProbes ?? '-'} | ${r.maxGapMs ?? '-'} | ${r.lossDropped ?? '-'} / ${r.lossSeen ?? '-'} |`
            : `| ${p.impl} | ${p.window} | ${p.label} | ${i + 1} | failed: ${r.error ?? '?'} | | | | |`,
        ),
      );
  }
  lines.push('', '| target | this run | met |', '|---|---|---|');
  for (const t of targets(report))
    lines.push(`| ${t.what} | ${t.value} | ${t.met === undefined ? 'not measured' : t.met ? 'yes' : 'no'} |`);
  return `${lines.join('\n')}\n`;
}
