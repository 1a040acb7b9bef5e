// hbts standby: give resource groups away to the peer (Heartbeat's hb_standby).
import { runAdminCommand } from '../../daemon/admin-command.js';

export const summary = 'give resource groups to the peer: all (default), local or foreign';

export function run(args: readonly string[]): Promise<number> {
  return runAdminCommand('standby', args);
}
