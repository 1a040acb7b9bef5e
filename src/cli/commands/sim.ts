// hbts sim: run the deterministic cluster simulator headless over many seeds and print a summary;
// a failing seed prints the command that replays it with a trace.
import { predictedFalseDeathPerHeartbeat, runScenario, scenarioNames } from '../../sim/scenarios.js';
import type { ScenarioName, ScenarioResult } from '../../sim/scenarios.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'sim',
  summary: 'run the deterministic cluster simulator (invariants over many seeds)',
  synopsis: ['sim [--scenario NAME|all] [--nodes N] [--seeds N] [--first-seed N] [--seed N --trace]'],
  description: [
    `Runs the pure cluster core on a simulated network with loss, delay, partitions and crashes, and checks the invariants (never two holders, liveness, stability) on every seed. A failing seed prints the command that replays it with a trace. Scenarios: ${scenarioNames.join(', ')}.`,
  ],
  options: [
    { flag: '--scenario NAME', text: 'which scenario (default random; all = every scenario)' },
    { flag: '--nodes N', text: 'node count 2-16 (default: each seed picks one)' },
    { flag: '--seeds N', text: 'how many seeds to run (default 200), starting at --first-seed' },
    { flag: '--first-seed N', text: 'the first seed (default 1)' },
    { flag: '--seed N', text: 'run exactly one seed' },
    { flag: '--trace', text: 'print the full event trace of each run (use with --seed)' },
  ],
  sections: [
    { title: 'exit status', paragraphs: ['0 every seed kept the invariants, 1 a seed failed, 2 bad usage'] },
  ],
};
export const summary = help.summary;

const usage = formatHelp(help).trimEnd();

interface Args {
  scenarios: ScenarioName[];
  nodes: number | undefined;
  seeds: number[];
  trace: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  let scenario = 'random';
  let nodes: number | undefined;
  let count = 200;
  let first = 1;
  let single: number | undefined;
  let trace = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string | undefined => argv[++i];
    const num = (name: string): number | string => {
      const v = value();
      const n = Number(v);
      return v !== undefined && Number.isInteger(n) && n >= 0 ? n : `${name} needs a non-negative integer`;
    };
    switch (a) {
      case '--scenario': {
        const v = value();
        if (v === undefined) return '--scenario needs a name';
        scenario = v;
        break;
      }
      case '--nodes': {
        const n = num('--nodes');
        if (typeof n === 'string') return n;
        if (n < 2 || n > 16) return '--nodes must be between 2 and 16';
        nodes = n;
        break;
      }
      case '--seeds': {
        const n = num('--seeds');
        if (typeof n === 'string') return n;
        count = n;
        break;
      }
      case '--first-seed': {
        const n = num('--first-seed');
        if (typeof n === 'string') return n;
        first = n;
        break;
      }
      case '--seed': {
        const n = num('--seed');
        if (typeof n === 'string') return n;
        single = n;
        break;
      }
      case '--trace':
        trace = true;
        break;
      case '-h':
      case '--help':
        return usage;
      default:
        return `unknown argument ${a ?? ''}\n${usage}`;
    }
  }
  const scenarios =
    scenario === 'all' ? [...scenarioNames] : scenarioNames.filter((s) => s === scenario).map((s) => s);
  if (scenarios.length === 0) return `unknown scenario ${scenario}\n${usage}`;
  const seeds = single !== undefined ? [single] : Array.from({ length: count }, (_, i) => first + i);
  return { scenarios, nodes, seeds, trace };
}

function replayCommand(r: ScenarioResult, nodes: number | undefined): string {
  const n = nodes !== undefined ? ` --nodes ${nodes}` : '';
  return `npm run sim -- --scenario ${r.scenario}${n} --seed ${r.seed} --trace`;
}

export function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    const isHelp = args === usage;
    (isHelp ? process.stdout : process.stderr).write(`${args}\n`);
    return Promise.resolve(isHelp ? 0 : 2);
  }
  let failed = false;
  for (const scenario of args.scenarios) {
    const startedMs = performance.now();
    const cpuStart = process.cpuUsage();
    let violations = 0;
    let falseDeaths = 0;
    let heartbeats = 0;
    let virtualMs = 0;
    let packets = 0;
    const failing: ScenarioResult[] = [];
    for (const seed of args.seeds) {
      const r = runScenario(scenario, seed, {
        ...(args.nodes !== undefined ? { nodes: args.nodes } : {}),
        trace: args.trace,
      });
      if (args.trace) process.stdout.write(`--- ${scenario} seed ${seed} ---\n${r.trace.join('\n')}\n`);
      violations += r.violations.length;
      falseDeaths += r.falseDeaths;
      heartbeats += r.heartbeatsReceived;
      virtualMs += r.virtualMs;
      packets += r.packets;
      if (r.violations.length > 0) failing.push(r);
    }
    const wallMs = performance.now() - startedMs;
    const cpu = process.cpuUsage(cpuStart);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    process.stdout.write(
      `${scenario}: ${args.seeds.length} seeds, ${violations} violations, ${failing.length} failing seeds; ` +
        `${(virtualMs / 1000).toFixed(0)} s simulated, ${packets} packets delivered, ` +
        `${(wallMs / 1000).toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU\n`,
    );
    process.stdout.write(
      `  false deaths: ${falseDeaths} in ${heartbeats} received heartbeats` +
        (heartbeats > 0 ? ` (${((falseDeaths / heartbeats) * 1000).toFixed(3)} per 1000)` : '') +
        '\n',
    );
    if (scenario === 'false-death' || scenario === 'false-death-rexmit') {
      const p = predictedFalseDeathPerHeartbeat(0.3, 3);
      process.stdout.write(
        `  30% loss, one medium, deadtime = 3 x keepalive: measured ${((falseDeaths / Math.max(1, heartbeats)) * 1000).toFixed(2)} per 1000 heartbeats; ` +
          `predicted ${(p.jitterAware * 1000).toFixed(2)} per 1000 (p^2 (p + (1-p)/2), jitter-aware), ` +
          `${(p.naive * 1000).toFixed(2)} per 1000 if only p^3 (three straight losses) killed\n`,
      );
    }
    if (scenario === 'stability') {
      // Two media at 10% loss: a heartbeat is lost on both with q = 0.01; deadtime = 5 x keepalive.
      const q = predictedFalseDeathPerHeartbeat(0.1 * 0.1, 5);
      process.stdout.write(
        `  predicted false deaths for ${heartbeats} heartbeats: ${(q.jitterAware * heartbeats).toExponential(2)} ` +
          `(${q.jitterAware.toExponential(2)} per heartbeat: q^4 (q + (1-q)/2), q = 0.1 x 0.1)\n`,
      );
    }
    for (const r of failing.slice(0, 10)) {
      failed = true;
      process.stdout.write(`  seed ${r.seed} (${r.nodes} nodes): ${r.violations.slice(0, 3).join('; ')}\n`);
      process.stdout.write(`    replay: ${replayCommand(r, args.nodes)}\n`);
    }
    if (failing.length > 10) failed = true;
  }
  return Promise.resolve(failed ? 1 : 0);
}
