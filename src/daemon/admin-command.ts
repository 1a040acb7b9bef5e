// Shared body of `hbts standby` and `hbts takeover` (Heartbeat's hb_standby / hb_takeover).
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from './cli-args.js';
import { CONTROL_SOCKET_NAME } from './control-protocol.js';
import { controlRequest } from './control-server.js';

const SETS = ['all', 'local', 'foreign'] as const;

/** `usage` is the command's --help text, printed on --help and after a usage error. */
export async function runAdminCommand(
  cmd: 'standby' | 'takeover',
  args: readonly string[],
  usage: string,
): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 1) {
    process.stdout.write(usage);
    return typeof parsed === 'string' || parsed.positional.length > 1 ? 2 : 0;
  }
  const set = parsed.positional[0] ?? 'all';
  if (!(SETS as readonly string[]).includes(set)) {
    process.stderr.write(`hbts ${cmd}: ${set} is not one of all, local, foreign\n${usage}`);
    return 2;
  }
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd, set: set as (typeof SETS)[number] });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts ${cmd}: ${String(reply['error'])}\n`);
      return 1;
    }
    process.stdout.write(`${String(reply['message'])}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`hbts ${cmd}: ${(err as Error).message}\n`);
    return 3;
  }
}
