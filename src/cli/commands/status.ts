// hbts status: ask the running daemon (control socket in --run-dir) for nodes, links and groups.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import type { DaemonStatus } from '../../daemon/daemon-status.js';
import { formatStatus } from '../../daemon/status-format.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'status',
  summary: 'show nodes, links and who owns which resource group (--json for JSON)',
  synopsis: ['status [--run-dir DIR] [--json]'],
  description: [
    'Asks the running daemon over its control socket for the cluster as it sees it: nodes and their state, every link per medium, each resource group with its owner and state, and fencing.',
  ],
  options: [
    { flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` },
    { flag: '--json', text: 'print the status as JSON' },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: ['0 printed, 1 the daemon answered with an error, 2 bad usage, 3 no daemon answered'],
    },
  ],
};
export const summary = help.summary;

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['json', 'help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    process.stdout.write(formatHelp(help));
    return typeof parsed === 'string' || parsed.positional.length > 0 ? 2 : 0;
  }
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: 'status' });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts status: ${String(reply['error'])}\n`);
      return 1;
    }
    const status = reply['status'] as DaemonStatus;
    process.stdout.write(
      parsed.flags.has('json') ? JSON.stringify(status, null, 2) + '\n' : formatStatus(status),
    );
    return 0;
  } catch (err) {
    process.stderr.write(`hbts status: ${(err as Error).message}\n`);
    return 3;
  }
}
