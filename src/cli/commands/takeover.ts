// hbts takeover: take resource groups from the peer (Heartbeat's hb_takeover).
import { DEFAULT_RUN_DIR } from '../../daemon/cli-args.js';
import { runAdminCommand } from '../../daemon/admin-command.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'takeover',
  summary: 'take resource groups from the peer: all (default), local or foreign',
  synopsis: ['takeover [all|local|foreign] [--run-dir DIR]'],
  description: [
    "Asks the running daemon to take groups from the peer, as Heartbeat's hb_takeover: all groups, the local ones (whose home is this node) or the foreign ones. The peer stops each group first; with fencing, a disk lock or an arbiter configured the takeover passes the same gates as a failover.",
  ],
  options: [{ flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` }],
  sections: [
    { title: 'exit status', paragraphs: ['0 done, 1 the daemon refused, 2 bad usage, 3 no daemon answered'] },
  ],
};
export const summary = help.summary;

export function run(args: readonly string[]): Promise<number> {
  return runAdminCommand('takeover', args, formatHelp(help));
}
