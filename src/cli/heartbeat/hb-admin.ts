// Shared body of `hb_standby` and `hb_takeover` as Heartbeat ships them (/usr/share/heartbeat):
// one optional argument all|local|foreign|failback, the same messages and exit codes; the request
// goes to our daemon's control socket (root only, like Heartbeat's FIFO). Unlike Heartbeat's
// scripts, a daemon that is not running is an error (exit 1) rather than silence.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import type { ResourceSet } from '../../cluster/types.js';

export async function heartbeatAdmin(
  tool: 'hb_standby' | 'hb_takeover',
  argv: readonly string[],
): Promise<number> {
  const usage = `usage:\n`;
  const usageErr = `${tool} [all|foreign|local|failback]\n`;
  if (argv.length >= 2) {
    process.stdout.write(`${tool}: too many arguments\n${usage}`);
    process.stderr.write(usageErr);
    return 1;
  }
  const word = argv[0] ?? 'all';
  if (word === '--help') {
    process.stdout.write(usage);
    process.stderr.write(usageErr);
    return 1;
  }
  if (!['all', 'foreign', 'local', 'failback'].includes(word)) {
    process.stdout.write(`${tool}: wrong resources(${word}).\n${usage}`);
    process.stderr.write(usageErr);
    return 1;
  }
  // hb_standby failback = foreign. Heartbeat's hb_takeover sends `failback` on, where the peer's
  // rc.d script has no case for it and runs plain hb_standby (= all): so takeover failback = all.
  const set: ResourceSet =
    word === 'failback' ? (tool === 'hb_standby' ? 'foreign' : 'all') : (word as ResourceSet);
  if (tool === 'hb_standby') process.stdout.write(`Going standby [${set}].\n`);
  const sock = join(process.env['HBTS_RUN_DIR'] ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: tool === 'hb_standby' ? 'standby' : 'takeover', set });
    if (reply['ok'] === true) return 0;
    process.stderr.write(`${tool}: ${String(reply['error'])}\n`);
  } catch (err) {
    process.stderr.write(`${tool}: ${(err as Error).message}\n`);
  }
  return 1;
}
