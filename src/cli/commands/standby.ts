// hbts standby: give resource groups to the peer (Heartbeat's hb_standby).
import { DEFAULT_RUN_DIR } from '../../daemon/cli-args.js';
import { runAdminCommand } from '../../daemon/admin-command.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'standby',
  summary: 'give resource groups to the peer: all (default), local or foreign',
  synopsis: ['standby [all|local|foreign] [--run-dir DIR]'],
  description: [
    "Asks the running daemon to hand groups over to the peer, as Heartbeat's hb_standby: all groups, the local ones (whose home is this node) or the foreign ones. The peer starts each group after it is stopped here.",
  ],
  options: [{ flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` }],
  sections: [
    { title: 'exit status', paragraphs: ['0 done, 1 the daemon refused, 2 bad usage, 3 no daemon answered'] },
  ],
};
export const summary = help.summary;

export function run(args: readonly string[]): Promise<number> {
  return runAdminCommand('standby', args, formatHelp(help));
}
