#!/usr/bin/env node
// hbts: the command-line entry point. Each sub-command lives in its own module under src/cli/.
const usage = `usage: hbts <command> [options]

commands:
  check     validate /etc/ha.d (ha.cf, authkeys, haresources) and print the resolved configuration
  --help    this text
`;

function main(argv: readonly string[]): number {
  const [cmd] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  process.stderr.write(`hbts: unknown command '${cmd}'\n${usage}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
