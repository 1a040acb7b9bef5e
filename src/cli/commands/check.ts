// hbts check: validate /etc/ha.d (or --config-dir) the way the daemon will read it, print a summary
// of the resolved cluster, or every problem as `file:line: message` and exit 2.
import { loadClusterConfig } from '../../config/load.js';
import { resourceLocator } from '../../resources/index.js';
import { fenceInspector } from '../../fencing/inspect.js';
import { formatIssue } from '../../config/config-issues.js';
import { configToJson, describeConfig } from '../../config/describe-config.js';
import { DEFAULT_CONFIG_DIR } from '../../config/resolve-config.js';
import { flagArgs } from '../flag-args.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'check',
  summary: 'validate ha.cf, hbts.cf, authkeys and haresources and summarize the cluster',
  synopsis: ['check [--config-dir DIR] [--node-name NAME] [--json] [--as-daemon]'],
  description: [
    'Reads the configuration the way the daemon will and prints a summary of the resolved cluster, or every problem as file:line: message. Warnings (the configuration is used) include host facts such as missing interfaces and resource scripts.',
  ],
  options: [
    {
      flag: '--config-dir DIR',
      text: `directory holding ha.cf, hbts.cf, authkeys, haresources (default ${DEFAULT_CONFIG_DIR})`,
    },
    {
      flag: '--node-name NAME',
      text: "this node's name (default: first line of DIR/nodeinfo, else uname -n)",
    },
    { flag: '--json', text: 'print the resolved configuration as JSON instead of the summary' },
    {
      flag: '--as-daemon',
      text: 'judge this host as the daemon does: a host fact it needs (an interface, a serial device, a resource script, a respawn user, a ping or ucast host name that resolves) is an error, not a warning',
    },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: ['0 valid (warnings may be printed), 2 invalid configuration or bad usage'],
    },
  ],
};
export const summary = help.summary;

const USAGE = formatHelp(help);

interface CheckArgs {
  readonly configDir: string;
  readonly nodeName: string | undefined;
  readonly json: boolean;
  readonly asDaemon: boolean;
}

type ParsedArgs = { kind: 'ok'; args: CheckArgs } | { kind: 'help' } | { kind: 'bad'; message: string };

export function parseCheckArgs(argv: readonly string[]): ParsedArgs {
  let configDir = DEFAULT_CONFIG_DIR;
  let nodeName: string | undefined;
  let json = false;
  let asDaemon = false;
  for (const { arg, flag, inline, value } of flagArgs(argv)) {
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--json':
        if (inline !== undefined) return { kind: 'bad', message: '--json takes no value' };
        json = true;
        break;
      case '--as-daemon':
        if (inline !== undefined) return { kind: 'bad', message: '--as-daemon takes no value' };
        asDaemon = true;
        break;
      case '--config-dir': {
        const v = value();
        if (v === undefined || v === '') return { kind: 'bad', message: '--config-dir needs a directory' };
        configDir = v;
        break;
      }
      case '--node-name': {
        const v = value();
        if (v === undefined || v === '') return { kind: 'bad', message: '--node-name needs a name' };
        nodeName = v;
        break;
      }
      default:
        return { kind: 'bad', message: `unknown argument '${arg}'` };
    }
  }
  return { kind: 'ok', args: { configDir, nodeName, json, asDaemon } };
}

export async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseCheckArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'bad') {
    process.stderr.write(`hbts check: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  const { configDir, nodeName, json, asDaemon } = parsed.args;
  const loaded = await loadClusterConfig(configDir, nodeName, {
    hostFacts: asDaemon ? 'error' : 'warning',
    locateResource: resourceLocator(),
    inspectFence: fenceInspector(),
  });
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  const warnings = loaded.issues.filter((i) => i.severity === 'warning');
  if (loaded.config === undefined) {
    for (const issue of loaded.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    process.stderr.write(
      `hbts check: ${configDir} is not a valid configuration for node '${loaded.nodeName}': ` +
        `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}\n`,
    );
    return 2;
  }
  if (json) {
    process.stdout.write(`${configToJson(loaded.config)}\n`);
    for (const w of warnings) process.stderr.write(`${formatIssue(w)}\n`);
    return 0;
  }
  const from = { argument: '--node-name', nodeinfo: `${configDir}/nodeinfo`, uname: 'uname -n' }[
    loaded.nodeNameFrom
  ];
  let text = describeConfig(loaded.config);
  text += `node name:      ${loaded.nodeName} (from ${from})\n`;
  if (warnings.length > 0) {
    text += `warnings (${warnings.length}):\n`;
    for (const w of warnings) text += `  ${formatIssue(w)}\n`;
  } else {
    text += 'warnings:       none\n';
  }
  process.stdout.write(text);
  return 0;
}
