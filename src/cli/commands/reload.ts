// hbts reload: apply a changed configuration without a restart (as SIGHUP does), and say what
// happened: the changes applied, or why the new configuration was refused (its file:line errors,
// or what the running node cannot do now) while the old one keeps running. See docs/reload.md.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'reload',
  summary: 'apply a changed configuration without a restart (like SIGHUP); prints the outcome',
  synopsis: ['reload [--run-dir DIR]'],
  description: [
    'Asks the running daemon to read its configuration again and apply what changed: timings, media, nodes (add or remove one), auth keys (the previous keys stay accepted for a while) and resource groups; a group whose definition did not change is not touched. Prints the changes applied, or why the new configuration was refused (its file:line errors, or what the running node cannot do now) while the old one keeps running. See docs/reload.md.',
  ],
  options: [{ flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` }],
  sections: [
    {
      title: 'exit status',
      paragraphs: [
        '0 applied, 1 refused (the old configuration keeps running), 2 bad usage, 3 no daemon answered',
      ],
    },
  ],
};
export const summary = help.summary;

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir'], flags: ['help'] });
  const usage = formatHelp(help);
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    process.stdout.write(usage);
    return typeof parsed !== 'string' && parsed.flags.has('help') && parsed.positional.length === 0 ? 0 : 2;
  }
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: 'reload' });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts reload: ${String(reply['error'])}\n`);
      return 1;
    }
    process.stdout.write(`${String(reply['message'])}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`hbts reload: ${(err as Error).message}\n`);
    return 3;
  }
}
