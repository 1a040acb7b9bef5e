// hbts version: print the version from package.json.
import { readFileSync } from 'node:fs';

export const summary = 'print the heartbeat-ts version';

export function run(): Promise<number> {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  process.stdout.write(`heartbeat-ts ${pkg.version}\n`);
  return Promise.resolve(0);
}
