// hbts status: ask the running daemon (control socket in --run-dir) for nodes, links and groups.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import type { DaemonStatus } from '../../daemon/daemon.js';
import { formatStatus } from '../../daemon/status-format.js';

export const summary = 'show nodes, links and who owns which resource group (--json for JSON)';

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['json', 'help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    process.stdout.write(`usage: hbts status [--run-dir ${DEFAULT_RUN_DIR}] [--json]\n`);
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
