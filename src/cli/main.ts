#!/usr/bin/env node
// hbts: the command-line entry point. Each sub-command is a module src/cli/commands/<name>.ts
// exporting `summary` (one line for --help) and `run(args): Promise<number>` (the exit code).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

interface CommandModule {
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<CommandModule> {
  return (await import(join(commandsDir, `${name}.js`))) as CommandModule;
}

async function usage(): Promise<string> {
  const lines = [
    'usage: hbts <command> [options]   (hbts <command> --help for its options)',
    '',
    'commands:',
  ];
  for (const name of commandNames()) lines.push(`  ${name.padEnd(10)} ${(await load(name)).summary}`);
  return lines.join('\n') + '\n';
}

async function main(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(await usage());
    return 0;
  }
  if (cmd === '--version' || cmd === '-V') return (await load('version')).run([]);
  if (!/^[a-z][a-z0-9-]*$/.test(cmd) || !commandNames().includes(cmd)) {
    process.stderr.write(`hbts: unknown command '${cmd}'\n${await usage()}`);
    return 2;
  }
  return (await load(cmd)).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `hbts: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
