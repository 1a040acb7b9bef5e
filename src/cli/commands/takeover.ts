// hbts takeover: ask the peer to hand resource groups to this node (Heartbeat's hb_takeover).
import { runAdminCommand } from '../../daemon/admin-command.js';

export const summary = 'take resource groups from the peer: all (default), local or foreign';

export function run(args: readonly string[]): Promise<number> {
  return runAdminCommand('takeover', args);
}
