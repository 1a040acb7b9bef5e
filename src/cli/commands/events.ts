// hbts events: the running daemon's recorded cluster events (the ones the log and the notify hooks
// get), oldest first; --follow keeps printing new ones as they happen (a long poll: the daemon
// answers when the next event is recorded), --json prints one JSON object a line.
import { join } from 'node:path';
import { DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { fetchEvents, formatEvent } from '../../daemon/event-client.js';
import type { RecordedEvent } from '../../daemon/event-history.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'events',
  summary: 'print the cluster events the daemon recorded (--follow, --json)',
  synopsis: ['events [--follow] [--json] [--since SEQ] [--run-dir DIR]'],
  description: [
    'Prints the events the running daemon recorded since it started (the last 5000), oldest first, one a line: number, time, level, kind and text. The same events feed the notify hooks and hbts why.',
  ],
  options: [
    { flag: '--follow', text: 'keep printing new events as they happen (Ctrl-C stops)' },
    { flag: '--json', text: 'one JSON object per event instead of text' },
    { flag: '--since SEQ', text: 'only events numbered after SEQ' },
    { flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: ['0 printed, 1 the daemon answered with an error, 2 bad usage, 3 no daemon answered'],
    },
  ],
};
export const summary = help.summary;

/** One long poll: the daemon answers as soon as an event is recorded, else after this. */
const FOLLOW_WAIT_MS = 25_000;
const USAGE = formatHelp(help);

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['run-dir', 'since'], flags: ['json', 'follow', 'help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    if (typeof parsed === 'string') process.stderr.write(`hbts events: ${parsed}\n`);
    process.stdout.write(USAGE);
    return typeof parsed === 'string' || parsed.positional.length > 0 ? 2 : 0;
  }
  const sinceText = parsed.values.get('since') ?? '0';
  if (!/^\d{1,15}$/.test(sinceText)) {
    process.stderr.write(`hbts events: --since takes an event number (0 or more), got '${sinceText}'\n`);
    return 2;
  }
  const sock = join(parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR, CONTROL_SOCKET_NAME);
  const print = (e: RecordedEvent): void => {
    process.stdout.write((parsed.flags.has('json') ? JSON.stringify(e) : formatEvent(e)) + '\n');
  };
  let since = Number(sinceText);
  try {
    const first = await fetchEvents(sock, since);
    first.events.forEach(print);
    since = first.last;
    if (!parsed.flags.has('follow')) return 0;
    for (;;) {
      let page;
      try {
        page = await fetchEvents(sock, since, FOLLOW_WAIT_MS);
      } catch (err) {
        // the daemon restarts (supervisor, reload by restart): keep waiting for it
        process.stderr.write(`hbts events: ${(err as Error).message}; retrying\n`);
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      // A new daemon numbers from 1 again: print its events from the start.
      if (page.last < since) page = await fetchEvents(sock, 0);
      page.events.forEach(print);
      since = page.last;
    }
  } catch (err) {
    process.stderr.write(`hbts events: ${(err as Error).message}\n`);
    return 3;
  }
}
