// hbts why [GROUP]: why each group (or one) is where it is, in plain words, from the running
// daemon's status and its recorded events (daemon/why-explain.ts reasons; this fetches).
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import type { DaemonStatus } from '../../daemon/daemon-status.js';
import { fetchEvents } from '../../daemon/event-client.js';
import { explainWhy } from '../../daemon/why-explain.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'why',
  summary: 'explain why a resource group is where it is (home, failback, deaths, fencing)',
  synopsis: ['why [GROUP] [--run-dir DIR]'],
  description: [
    "In plain words, from the running daemon's status and recorded events: where each group (or GROUP) runs, its home node and the failback policy, where placement wants it, failed starts and health checks, who was declared dead when and after which late heartbeats and lost media, and the fence and gate outcomes.",
  ],
  options: [{ flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` }],
  sections: [
    {
      title: 'exit status',
      paragraphs: [
        '0 explained, 1 no such group or the daemon answered with an error, 2 bad usage, 3 no daemon answered',
      ],
    },
  ],
};
export const summary = help.summary;

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 1) {
    if (typeof parsed === 'string') process.stderr.write(`hbts why: ${parsed}\n`);
    process.stdout.write(formatHelp(help));
    return typeof parsed === 'string' || parsed.positional.length > 1 ? 2 : 0;
  }
  const group = parsed.positional[0];
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: 'status' });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts why: ${String(reply['error'])}\n`);
      return 1;
    }
    const status = reply['status'] as DaemonStatus;
    const { events } = await fetchEvents(sock, 0);
    const text = explainWhy(status.cluster, events, group);
    if (text === undefined) {
      const known = status.cluster.groups.map((g) => g.id).join(', ') || 'none';
      process.stderr.write(`hbts why: no resource group '${group ?? ''}' (groups: ${known})\n`);
      return 1;
    }
    process.stdout.write(text);
    return 0;
  } catch (err) {
    process.stderr.write(`hbts why: ${(err as Error).message}\n`);
    return 3;
  }
}
