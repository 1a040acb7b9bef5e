// hbts fence: run the fence method(s) configured for a node by hand, exactly as the daemon would
// (fence lines, then stonith devices usable from this node, each confirmed), and print the outcome;
// or, with --confirm-off, tell the running daemon that a node is off (Heartbeat's meatware: the way
// out when fencing keeps failing and an operator has checked the machine by hand).
import { join } from 'node:path';
import { formatIssue } from '../../config/config-issues.js';
import { loadClusterConfig } from '../../config/load.js';
import type { NodeName } from '../../config/types.js';
import { DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import { createFenceRunner, type FenceAction, type FenceOutcome } from '../../fencing/fence-runner.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'fence',
  summary: 'fence a node by hand with its configured method, or --confirm-off a node for the daemon',
  synopsis: [
    'fence <node> [--action off|reboot|on|status] [--config-dir DIR] [--node-name NAME]',
    'fence --confirm-off <node> [--run-dir DIR]',
  ],
  description: [
    "Runs the node's configured fence methods (fence, stonith, stonith_host, sbd) in order, as the daemon would, and prints each outcome. --confirm-off is Heartbeat's meatware: the operator has checked by hand that the node is off, and the running daemon counts it as fenced (logged at crit).",
  ],
  options: [
    { flag: '--action ACTION', text: 'off (default, what the daemon does), reboot, on, or status' },
    { flag: '--config-dir DIR', text: `directory holding ha.cf and hbts.cf (default ${DEFAULT_CONFIG_DIR})` },
    {
      flag: '--node-name NAME',
      text: "this node's name, for stonith_host lines (default: DIR/nodeinfo, else uname -n)",
    },
    {
      flag: '--confirm-off NODE',
      text: 'tell the running daemon NODE is off (checked by hand): it counts as fenced',
    },
    { flag: '--run-dir DIR', text: `the daemon's run directory (default ${DEFAULT_RUN_DIR})` },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: [
        '0 done (off/reboot confirmed, on done, status read), 1 the fence failed, 2 bad usage or configuration, 3 (--confirm-off) no daemon answered',
      ],
    },
  ],
};
export const summary = help.summary;

const USAGE = formatHelp(help);

const ACTIONS: readonly FenceAction[] = ['off', 'reboot', 'on', 'status'];

export async function run(args: readonly string[]): Promise<number> {
  const parsed = parseArgs(args, {
    values: ['action', 'config-dir', 'node-name', 'run-dir', 'confirm-off'],
    flags: ['help'],
  });
  if (typeof parsed !== 'string' && parsed.flags.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const bad = (message: string): number => {
    process.stderr.write(`hbts fence: ${message}\n${USAGE}`);
    return 2;
  };
  if (typeof parsed === 'string') return bad(parsed);
  const confirm = parsed.values.get('confirm-off');
  if (confirm !== undefined) {
    if (parsed.positional.length > 0 || parsed.values.has('action'))
      return bad('--confirm-off takes the node itself and no other node or --action');
    return confirmOff(confirm, parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR);
  }
  const [node, ...extra] = parsed.positional;
  if (node === undefined || extra.length > 0) return bad('name exactly one node to fence');
  const action = parsed.values.get('action') ?? 'off';
  if (!(ACTIONS as readonly string[]).includes(action))
    return bad(`--action takes ${ACTIONS.join(', ')}, got '${action}'`);
  return fenceByHand(
    node.toLowerCase() as NodeName,
    action as FenceAction,
    parsed.values.get('config-dir') ?? DEFAULT_CONFIG_DIR,
    parsed.values.get('node-name'),
  );
}

async function fenceByHand(
  node: NodeName,
  action: FenceAction,
  configDir: string,
  nodeName: string | undefined,
): Promise<number> {
  const loaded = await loadClusterConfig(configDir, nodeName, { hostFacts: 'skip' });
  if (loaded.config === undefined) {
    for (const i of loaded.issues.filter((x) => x.severity === 'error'))
      process.stderr.write(`${formatIssue(i)}\n`);
    process.stderr.write(`hbts fence: ${configDir} is not a valid configuration (hbts check says more)\n`);
    return 2;
  }
  const config = loaded.config;
  const self = loaded.nodeName.toLowerCase() as NodeName;
  if (!config.nodes.includes(node)) {
    process.stderr.write(
      `hbts fence: '${node}' is not a node of this cluster (${config.nodes.join(', ')})\n`,
    );
    return 2;
  }
  if (node === self && (action === 'off' || action === 'reboot')) {
    process.stderr.write(`hbts fence: '${node}' is this node; fence it from another node\n`);
    return 2;
  }
  const runner = createFenceRunner({
    config,
    self,
    log: (line, level) =>
      process.stderr.write(`hbts fence: ${level === 'info' ? '' : `${level ?? 'info'}: `}${line}\n`),
  });
  const out = await runner.fence(node, action);
  if (!out.ok) {
    process.stderr.write(`hbts fence: ${node} ${action} FAILED: ${out.detail}\n`);
    return 1;
  }
  process.stdout.write(`${outcomeLine(node, action, out)}\n`);
  if (action === 'off' || action === 'reboot') {
    process.stdout.write(
      `(a running daemon waiting to fence ${node} does not learn of this: tell it with \`hbts fence --confirm-off ${node}\`)\n`,
    );
  }
  return 0;
}

function outcomeLine(node: NodeName, action: FenceAction, out: FenceOutcome): string {
  switch (action) {
    case 'status':
      return `${node}: power ${out.power ?? 'unknown'} (${out.detail})`;
    case 'off':
      return `${node} is off (${out.detail})`;
    case 'reboot':
      return `${node} was rebooted (${out.detail})`;
    case 'on':
      return `${node} was switched on (${out.detail})`;
  }
}

async function confirmOff(node: string, runDir: string): Promise<number> {
  const sock = join(runDir, CONTROL_SOCKET_NAME);
  try {
    const reply = await controlRequest(sock, { cmd: 'fence-confirmed', node });
    if (reply['ok'] !== true) {
      process.stderr.write(`hbts fence: ${String(reply['error'])}\n`);
      return 2;
    }
    process.stdout.write(`${String(reply['message'])}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`hbts fence: ${(err as Error).message}\n`);
    return 3;
  }
}
