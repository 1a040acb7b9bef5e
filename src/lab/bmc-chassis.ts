// The `chassis_control` program of a simulated BMC (ipmi-bmc.ts): OpenIPMI's ipmi_sim runs it
// (through popen) as `node bmc-chassis.js <bmc-dir> get|set|check ...` (see chassis-control.ts).
// <bmc-dir> holds node-power.json (the node, see node-power.ts) and chassis.log, where every call
// is recorded with what it did (tests read it). Errors go to stdout, which ipmi_sim logs, and
// exit 1.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseChassisArgs, runChassis } from './chassis-control.js';
import { parseNodePowerSpec } from './node-power.js';

function main(argv: readonly string[]): number {
  const [dir, ...args] = argv;
  if (dir === undefined) {
    process.stdout.write('usage: bmc-chassis.js <bmc-dir> get|set|check ...\n');
    return 1;
  }
  const log = (line: string): void => {
    try {
      appendFileSync(join(dir, 'chassis.log'), `${new Date().toISOString()} ${args.join(' ')} -> ${line}\n`);
    } catch {
      // the lab dir is gone (cleanup raced a call): nothing to record
    }
  };
  try {
    const specFile = join(dir, 'node-power.json');
    const spec = parseNodePowerSpec(readFileSync(specFile, 'utf8'), specFile);
    const result = runChassis(parseChassisArgs(args), spec);
    process.stdout.write(result.stdout);
    log(result.note);
    return 0;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    process.stdout.write(`${msg}\n`);
    log(`error: ${msg}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
