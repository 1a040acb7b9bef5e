// hbts version: print the version from package.json.
import { readFileSync } from 'node:fs';

import { formatHelp, type CommandHelp, wantsHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'version',
  summary: 'print the heartbeat-ts version',
  synopsis: ['version'],
};
export const summary = help.summary;

export function run(args: readonly string[] = []): Promise<number> {
  if (wantsHelp(args)) {
    process.stdout.write(formatHelp(help));
    return Promise.resolve(0);
  }
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  process.stdout.write(`heartbeat-ts ${pkg.version}\n`);
  return Promise.resolve(0);
}
