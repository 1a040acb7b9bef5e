// Failover benchmark: ours, real Heartbeat 3.0.6 and keepalived 2.2.7 side by side in a namespace
// lab (needs root; Heartbeat and keepalived from Debian). Prints a Markdown table (stdout) and
// writes everything as JSON. A benchmark, not a test: nothing is asserted; the targets of issue 13
// are printed with "met" or not. See docs/performance.md.
//
//   node dist/bench/failover.js [--runs N] [--impls ours,heartbeat,keepalived]
//        [--windows w10s,w250ms,w30ms(,w40ms)] [--scenarios crash,graceful,partition]
//        [--partition-ms 5000] [--heal-window-ms 10000] [--idle-ms 30000]
//        [--scenarios stress --stress-ms 600000 --hogs 4 --loss 5]
//        [--json FILE] [--md FILE] [--net 40] [--quiet]
import { writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release } from 'node:os';
import { labSkipReason } from '../src/lab/lab-shell.js';
import { implementation } from './failover/impls.js';
import { defaultWindows, implNames, profileOf, windowNames } from './failover/profiles.js';
import type { ImplName, WindowName } from './failover/profiles.js';
import { markdown } from './failover/report.js';
import type { Report } from './failover/report.js';
import { defaultScenarios, runProfile, scenarioNames } from './failover/run.js';
import type { ProfileResult, ScenarioName } from './failover/run.js';

class UsageError extends Error {}

interface Args {
  runs: number;
  impls: ImplName[];
  windows: WindowName[];
  scenarios: ScenarioName[];
  partitionMs: number;
  healWindowMs: number;
  idleMs: number;
  stressMs: number;
  hogs: number;
  lossPct: number;
  json: string | undefined;
  md: string | undefined;
  net: number;
  quiet: boolean;
}

function listOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').filter((x) => x !== '');
  for (const x of items)
    if (!(allowed as readonly string[]).includes(x))
      throw new UsageError(`${flag}: unknown "${x}" (one of ${allowed.join(', ')})`);
  return items as T[];
}

function intOf(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw new UsageError(`${flag}: expected an integer >= ${min}, got "${text}"`);
  return v;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    runs: 5,
    impls: [...implNames],
    windows: [...defaultWindows],
    scenarios: [...defaultScenarios],
    partitionMs: 5000,
    healWindowMs: 10_000,
    idleMs: 30_000,
    stressMs: 600_000,
    hogs: 4,
    lossPct: 5,
    json: undefined,
    md: undefined,
    net: 40,
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--quiet') {
      a.quiet = true;
      continue;
    }
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`${flag}: needs a value`);
    i++;
    if (flag === '--runs') a.runs = intOf(flag, v, 1);
    else if (flag === '--impls') a.impls = listOf(flag, v, implNames);
    else if (flag === '--windows') a.windows = listOf(flag, v, windowNames);
    else if (flag === '--scenarios') a.scenarios = listOf(flag, v, scenarioNames);
    else if (flag === '--partition-ms') a.partitionMs = intOf(flag, v, 0);
    else if (flag === '--heal-window-ms') a.healWindowMs = intOf(flag, v, 500);
    else if (flag === '--idle-ms') a.idleMs = intOf(flag, v, 0);
    else if (flag === '--stress-ms') a.stressMs = intOf(flag, v, 1000);
    else if (flag === '--hogs') a.hogs = intOf(flag, v, 0);
    else if (flag === '--loss') a.lossPct = intOf(flag, v, 0);
    else if (flag === '--json') a.json = v;
    else if (flag === '--md') a.md = v;
    else if (flag === '--net') a.net = intOf(flag, v, 0);
    else throw new UsageError(`unknown option ${flag}`);
  }
  if (a.net > 250 || a.net % 2 !== 0)
    throw new UsageError('--net: an even number up to 250 (198.18.NET.0/24 and NET+1)');
  return a;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench/failover: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const skip = labSkipReason();
  if (skip !== undefined) {
    process.stderr.write(`bench/failover: ${skip}\n`);
    return 3;
  }
  const log = (line: string): void => {
    if (!args.quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const startedLoad = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const profiles: ProfileResult[] = [];
  for (const window of args.windows) {
    for (const impl of args.impls) {
      const profile = profileOf(impl, window);
      if (profile === undefined) continue;
      log(`${impl} at ${profile.label} (${window})`);
      profiles.push(
        await runProfile(implementation(impl), profile, {
          runs: args.runs,
          scenarios: args.scenarios,
          partitionMs: args.partitionMs,
          healWindowMs: args.healWindowMs,
          idleMs: args.idleMs,
          stressMs: args.stressMs,
          hogs: args.hogs,
          lossPct: args.lossPct,
          net: args.net,
          log,
        }),
      );
    }
  }
  const report: Report = {
    date: new Date().toISOString(),
    machine: { host: hostname(), cpus: cpus().length, kernel: release(), load: startedLoad },
    options: { ...args },
    profiles,
  };
  const md = markdown(report);
  process.stdout.write(md);
  if (args.md !== undefined) writeFileSync(args.md, md);
  if (args.json !== undefined) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench/failover: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
