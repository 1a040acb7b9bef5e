// hbts demo: a live 3-node cluster with nothing to configure (npm start).
import { parseArgs } from '../../daemon/cli-args.js';
import { runDemo } from '../../lab/demo.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'demo',
  summary: 'live 3-node demo cluster (namespaces as root, else loopback); Ctrl-C to stop',
  synopsis: ['demo [--duration SECONDS] [--crash-after SECONDS] [--netns | --loopback]'],
  description: [
    'As root on Linux: 3 network namespaces on a bridge (198.18.64.0/24), a VIP 198.18.64.200 and an HTTP server per node. Otherwise: 3 daemons on loopback with a demo service on 127.0.0.1. A client asks the service who answers every 10 ms. Kill a node and watch the failover. This is what npm start runs.',
  ],
  options: [
    { flag: '--duration S', text: 'stop after S seconds (non-interactive; prints changes and a summary)' },
    {
      flag: '--crash-after S',
      text: 'crash the node serving the client after S seconds, once the service has answered (SIGKILL; in namespaces its link goes down too)',
    },
    { flag: '--netns', text: 'insist on the namespace demo (root)' },
    { flag: '--loopback', text: 'use the loopback demo even as root' },
  ],
};
export const summary = help.summary;

const HELP = formatHelp(help);

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, {
    values: ['duration', 'crash-after'],
    flags: ['netns', 'loopback', 'help'],
  });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    process.stdout.write(HELP);
    return typeof parsed === 'string' || parsed.positional.length > 0 ? 2 : 0;
  }
  const num = (name: string): number | undefined | string => {
    const v = parsed.values.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isFinite(n) && n > 0 ? n : `--${name} must be a positive number of seconds`;
  };
  const durationS = num('duration');
  const crashAfterS = num('crash-after');
  if (typeof durationS === 'string' || typeof crashAfterS === 'string') {
    process.stderr.write(`hbts demo: ${String(typeof durationS === 'string' ? durationS : crashAfterS)}\n`);
    return 2;
  }
  if (parsed.flags.has('netns') && parsed.flags.has('loopback')) {
    process.stderr.write('hbts demo: --netns and --loopback exclude each other\n');
    return 2;
  }
  return runDemo({
    durationS,
    crashAfterS,
    mode: parsed.flags.has('netns') ? 'netns' : parsed.flags.has('loopback') ? 'loopback' : 'auto',
    out: process.stdout,
  });
}
