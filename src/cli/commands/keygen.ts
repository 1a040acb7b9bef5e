// hbts keygen: write a fresh authkeys file (mode 600) with a random sha1 key, the method every
// Heartbeat 3 node can check. Never overwrites an existing file unless --force; the same file must
// then be copied to every node (it is the cluster's shared secret).
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from '../../daemon/cli-args.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'keygen',
  summary: 'write a fresh authkeys file with a random key (mode 600)',
  synopsis: ['keygen [--output FILE] [--method sha1|md5|sha256|sha512] [--force]'],
  description: [
    'Writes an authkeys file with one key (index 1, active) whose secret is 32 random bytes in hex, created with mode 600. Copy the same file to every node. sha256 and sha512 are heartbeat-ts extensions: real Heartbeat nodes cannot check them.',
  ],
  options: [
    { flag: '--output FILE', text: 'where to write it (default /etc/ha.d/authkeys)' },
    { flag: '--method METHOD', text: 'sha1 (default), md5, sha256 or sha512' },
    { flag: '--force', text: 'replace an existing file' },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: ['0 written, 1 the file exists (without --force) or cannot be written, 2 bad usage'],
    },
  ],
};
export const summary = help.summary;

const METHODS = ['sha1', 'md5', 'sha256', 'sha512'];
const USAGE = formatHelp(help);

/** The file's text: one key, index 1, active; the secret is 32 random bytes in hex. */
export function authkeysText(method: string, secret: string): string {
  return `# written by hbts keygen; copy this file to every node (mode 600)\nauth 1\n1 ${method} ${secret}\n`;
}

export function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, { values: ['output', 'method'], flags: ['force', 'help'] });
  if (typeof parsed === 'string' || parsed.flags.has('help') || parsed.positional.length > 0) {
    if (typeof parsed === 'string') process.stderr.write(`hbts keygen: ${parsed}\n`);
    process.stdout.write(USAGE);
    return Promise.resolve(typeof parsed === 'string' || parsed.positional.length > 0 ? 2 : 0);
  }
  const method = parsed.values.get('method') ?? 'sha1';
  if (!METHODS.includes(method)) {
    process.stderr.write(`hbts keygen: --method must be one of ${METHODS.join(', ')}, got '${method}'\n`);
    return Promise.resolve(2);
  }
  const output = parsed.values.get('output') ?? '/etc/ha.d/authkeys';
  const text = authkeysText(method, randomBytes(32).toString('hex'));
  // Written under a new name with mode 600 from the start (never readable by others, not even
  // for a moment), synced, then renamed into place: link() refuses an existing target, rename
  // replaces it (--force).
  const tmp = join(dirname(output), `.authkeys.${process.pid}.tmp`);
  const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = constants;
  try {
    const fd = openSync(tmp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY, 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (parsed.flags.has('force')) renameSync(tmp, output);
    else {
      try {
        linkSync(tmp, output);
        rmSync(tmp);
      } catch (err) {
        rmSync(tmp, { force: true });
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
          process.stderr.write(
            `hbts keygen: ${output} exists; --force replaces it (then copy it to every node)\n`,
          );
          return Promise.resolve(1);
        }
        throw err;
      }
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    process.stderr.write(`hbts keygen: cannot write ${output}: ${(err as Error).message}\n`);
    return Promise.resolve(1);
  }
  process.stdout.write(`wrote ${output} (${method}, mode 600): copy it to every node of the cluster\n`);
  return Promise.resolve(0);
}
