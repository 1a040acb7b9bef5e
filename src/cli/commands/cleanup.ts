// hbts cleanup <group>: forget a group's health-check failures (fail counts, restarts, the nodes
// it may no longer run on), here and on every hbts peer, so placement may choose them again.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'cleanup',
  summary: "forget a resource group's health-check failures (fail counts, bans) on every node",
  synopsis: ['cleanup <group> [--run-dir DIR]'],
  description: [
    "<group> is the group's first resource as in haresources, or any resource of it. The daemon forgets the group's fail counts, restarts and the nodes it gave the group up on, here and on every hbts peer, so placement may choose them again (Pacemaker's crm_resource --cleanup).",
  ],
  options: [{ flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` }],
  sections: [
    { title: 'exit status', paragraphs: ['0 done, 1 the daemon refused, 2 bad usage, 3 no daemon answered'] },
  ],
};
export const summary = help.summary;

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['help'] });
  const usage = formatHelp(help);
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length !== 1) {
    process.stdout.write(usage);
    return typeof parsed !== 'string' && parsed.flags.has('help') ? 0 : 2;
  }
  const group = parsed.positional[0] ?? '';
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: 'cleanup', group });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts cleanup: ${String(reply['error'])}\n`);
      return 1;
    }
    process.stdout.write(`${String(reply['message'])}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`hbts cleanup: ${(err as Error).message}\n`);
    return 3;
  }
}
