// Heartbeat's `cl_status`, answered from our daemon's status: the same sub-commands, output words,
// -m sentences and exit codes as Heartbeat 3.0.6's (0 ok, 1 "normal failure": node or link dead,
// daemon stopped; 11 parameter error; 13 other error), so scripts written for Heartbeat keep
// working. Lines of `err` starting `cl_status: ERROR: ` are Heartbeat's log lines (cl_log), the bin
// gives them its syslog-style prefix. Pure: cli/heartbeat/cl-status.ts fetches the status (and ha.cf for hbparameter) and prints this.
import type { HaCf } from '../config/types.js';
import type { DaemonStatus } from './daemon-status.js';

export interface ClStatusAnswer {
  readonly out: string;
  readonly err: string;
  readonly code: number;
}

export const OK = 0;
export const NORMAL_FAIL = 1;
export const PARAMETER_ERROR = 11;
export const UNKNOWN_ERROR = 13;

export const CL_STATUS_USAGE = `Usage: cl_status <sub-command> [<options>] [<parameters>]

Sub-commands:
clientstatus <node-name> <client-id> [<timeout>]
	Show the status of heartbeat clients.
hblinkstatus <node-name> <link-name>
	Show the status of a heartbeat link
hbstatus
	Indicate if heartbeat is running on the local system.
	Options:
		-v	verbose: also add "listnodes -v" output
listnodes [<option>]
	List the nodes in the cluster.
	Options:
		-p	list only 'ping' type nodes
		-n	list only 'normal' type nodes
		-v	verbose: also list type and status,
			then add "listhblinks -v" output
listhblinks <node-name>
	List the network interfaces used as hearbeat links.
	Options:
		-v	verbose: list link status as well
nodestatus <node-name>
	List the node status.
nodeweight <node-name>
	List the node weight.
nodesite <node-name>
	List the node site.
nodetype <node-name>
	List the nodes of a given type.
rscstatus
	Show the status of cluster resources.
hbparameter -p <parameter-name>
	Retrieve the value of a cluster parameter.
`;

export const SUB_COMMANDS = [
  'hbstatus',
  'listnodes',
  'nodestatus',
  'nodeweight',
  'nodesite',
  'nodetype',
  'listhblinks',
  'hblinkstatus',
  'clientstatus',
  'rscstatus',
  'hbparameter',
] as const;

/** What cl_status knows: the daemon's status (undefined: not running) and, for hbparameter, ha.cf. */
export interface ClStatusView {
  readonly status: DaemonStatus | undefined;
  /** Why the daemon could not be asked (for the stderr REASON line). */
  readonly unreachable?: string;
  readonly haCf?: HaCf | undefined;
  /** Our version, for `hbstatus -v`. */
  readonly version: string;
}

interface Parsed {
  readonly human: boolean;
  readonly flags: ReadonlySet<string>;
  readonly p: string | undefined;
  readonly args: readonly string[];
}

/** getopt-style: single-letter options (clustered or not) before and between the arguments. */
function parseOptions(words: readonly string[], allowed: string): Parsed | string {
  const flags = new Set<string>();
  const args: string[] = [];
  let p: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (!w.startsWith('-') || w === '-') {
      args.push(w);
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = w[j] ?? '';
      if (!allowed.includes(c)) return `invalid option -- '${c}'`;
      if (c === 'p' && allowed.includes('p:')) {
        p = w.slice(j + 1) || words[++i];
        if (p === undefined) return "option requires an argument -- 'p'";
        break;
      }
      flags.add(c);
    }
  }
  return { human: flags.has('m'), flags, p, args };
}

/** Heartbeat names a link by its interface (serial: the device). */
export function linkName(medium: string): string {
  if (medium.startsWith('serial:')) return medium.slice('serial:'.length);
  return medium.split(':')[1] ?? medium;
}

interface NodeLinks {
  readonly name: string;
  readonly status: string;
  readonly links: readonly { readonly name: string; readonly up: boolean }[];
}

function nodeView(s: DaemonStatus, name: string): NodeLinks | undefined {
  const n = s.cluster.nodes.find((x) => x.name === name.toLowerCase());
  if (n === undefined) return undefined;
  // Our own links are the media we send on; Heartbeat shows them up.
  const raw = n.self
    ? s.media.map((m) => ({ name: linkName(m.id), up: true }))
    : n.links.map((l) => ({ name: linkName(l.medium), up: l.status === 'up' }));
  // Two media on one interface are one link to Heartbeat: up when either is.
  const byName = new Map<string, boolean>();
  for (const l of raw) byName.set(l.name, (byName.get(l.name) ?? false) || l.up);
  return { name: n.name, status: n.status, links: [...byName].map(([name, up]) => ({ name, up })) };
}

function links(n: NodeLinks, verbose: boolean, human: boolean): string {
  let out = human ? '\tthis node has the following heartbeat links:\n' : '';
  for (const l of n.links) out += verbose ? `\t${l.name}\t${l.up ? 'up' : 'dead'}\n` : `\t${l.name}\n`;
  return out;
}

function listNodes(
  s: DaemonStatus,
  normalOnly: boolean,
  pingOnly: boolean,
  verbose: boolean,
  human: boolean,
): string {
  // ping nodes are not tracked by heartbeat-ts (the `ping` directive is parsed, not acted on)
  if (pingOnly && !normalOnly) return human ? 'The nodes are as follow:\n' : '';
  let out = human ? 'The nodes are as follow:\n' : '';
  for (const entry of s.cluster.nodes) {
    const n = nodeView(s, entry.name);
    if (n === undefined) continue;
    out += verbose ? `\n${n.name}\t${n.status}\t(nodetype: normal)\n${links(n, true, human)}` : `${n.name}\n`;
  }
  return out;
}

/** A parameter as Heartbeat's get_parameter returns it: as written in ha.cf, else its default. */
export function parameterValue(h: HaCf, name: string): string | undefined {
  const written = h.directives.get(name);
  if (written !== undefined && written.length > 0) return written.join(' ');
  const ms: Record<string, number> = {
    keepalive: h.keepaliveMs,
    deadtime: h.deadtimeMs,
    warntime: h.warntimeMs,
    initdead: h.initdeadMs,
    deadping: h.deadpingMs,
  };
  const t = ms[name];
  if (t !== undefined) return `${t}ms`;
  const plain: Record<string, string> = {
    udpport: String(h.udpPort),
    baud: String(h.baud),
    msgfmt: h.msgfmt,
    auto_failback: h.autoFailback,
    hopfudge: String(h.hopfudge),
  };
  return plain[name];
}

const err = (text: string, code: number): ClStatusAnswer => ({ out: '', err: text, code });
const ok = (out: string, code = OK): ClStatusAnswer => ({ out, err: '', code });

export function answerClStatus(argv: readonly string[], v: ClStatusView): ClStatusAnswer {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || (argv.length === 1 && cmd === '-h')) return ok(CL_STATUS_USAGE);
  if (!(SUB_COMMANDS as readonly string[]).includes(cmd))
    return err(`cl_status: ERROR: ${cmd}: invalid sub-command.\n`, PARAMETER_ERROR);
  const optstr: Record<string, string> = {
    hbstatus: 'mv',
    listnodes: 'mpnv',
    listhblinks: 'mv',
    hbparameter: 'mp:',
  };
  const o = parseOptions(rest, optstr[cmd] ?? 'm');
  if (typeof o === 'string') return err(`cl_status: ${o}\n`, PARAMETER_ERROR);
  const s = v.status;
  if (s === undefined) {
    if (cmd === 'hbstatus') return ok('Heartbeat is stopped on this machine.\n', NORMAL_FAIL);
    return err(
      `cl_status: ERROR: Cannot signon with heartbeat\ncl_status: ERROR: REASON: ${v.unreachable ?? 'no daemon running'}\n`,
      NORMAL_FAIL,
    );
  }
  // Heartbeat's wording varies by sub-command ("Not enough parameters." / "No enough parameter.").
  const node = (unknown = 'Error. May be due to incorrect node name\n'): NodeLinks | ClStatusAnswer => {
    if (o.args.length < 1) return err('Not enough parameters.\n', PARAMETER_ERROR);
    return nodeView(s, o.args[0] ?? '') ?? err(unknown, PARAMETER_ERROR);
  };
  const isAnswer = (x: NodeLinks | ClStatusAnswer): x is ClStatusAnswer => 'code' in x;
  switch (cmd) {
    case 'hbstatus': {
      if (!o.flags.has('v')) return ok('Heartbeat is running on this machine.\n');
      const head = o.human
        ? `Heartbeat version ${v.version}\nResources controlled by "haresources"\n`
        : `version:\t${v.version}\nmanaged by:\t"haresources"\n`;
      return ok(head + listNodes(s, false, false, true, o.human));
    }
    case 'listnodes':
      return ok(listNodes(s, o.flags.has('n'), o.flags.has('p'), o.flags.has('v'), o.human));
    case 'nodestatus': {
      const n = node();
      if (isAnswer(n)) return n;
      const alive = ['active', 'up', 'ping'].includes(n.status);
      return ok(
        o.human ? `The cluster node ${o.args[0] ?? ''} is ${n.status}\n` : `${n.status}\n`,
        alive ? OK : NORMAL_FAIL,
      );
    }
    case 'nodeweight': {
      const n = node('Error. Maybe due to incorrect node name.\n');
      if (isAnswer(n)) return n;
      return ok(o.human ? `The weight of the cluster node ${o.args[0] ?? ''} is 100\n` : '100\n');
    }
    case 'nodesite': {
      const n = node();
      if (isAnswer(n)) return n;
      return ok(o.human ? `The site of the cluster node ${o.args[0] ?? ''} is \n` : '\n');
    }
    case 'nodetype': {
      if (o.args.length < 1) return err('No enough parameter.\n', PARAMETER_ERROR);
      const n = node();
      if (isAnswer(n)) return n;
      return ok(o.human ? `The node ${o.args[0] ?? ''}'s type: normal\n` : 'normal\n');
    }
    case 'listhblinks': {
      if (o.args.length < 1) return err('No enough parameter.\n', PARAMETER_ERROR);
      const n = nodeView(s, o.args[0] ?? '');
      if (n === undefined)
        return err('cl_status: ERROR: Cannot start heartbeat link interface walk.\n', UNKNOWN_ERROR);
      return ok(links(n, o.flags.has('v'), o.human));
    }
    case 'hblinkstatus': {
      if (o.args.length < 2) return err('No enough parameter.\n', PARAMETER_ERROR);
      const l = nodeView(s, o.args[0] ?? '')?.links.find((x) => x.name === o.args[1]);
      if (l === undefined) return err('cl_status: ERROR: Cannot get heartbeat link status\n', UNKNOWN_ERROR);
      const word = l.up ? 'up' : 'dead';
      return ok(
        o.human
          ? `The node ${o.args[0] ?? ''}'s heartbeat link ${o.args[1] ?? ''} is ${word}\n`
          : `${word}\n`,
        l.up ? OK : NORMAL_FAIL,
      );
    }
    case 'clientstatus': {
      if (o.args.length < 2) return err('No enough parameter.\n', PARAMETER_ERROR);
      // heartbeat-ts has no client API: no client is signed on here, and a peer is not asked
      // (real Heartbeat asking one of our nodes gets no answer either: "No timely response.")
      const n = s.cluster.nodes.find((x) => x.name === (o.args[0] ?? '').toLowerCase());
      if (n?.self === true) return ok('offline\n', NORMAL_FAIL);
      const reason = n === undefined ? 'Unknown node' : 'No timely response.';
      return err(
        `cl_status: ERROR: Cannot get heartbeat client ${o.args[1] ?? ''}'s status\ncl_status: ERROR: REASON: ${reason}\n`,
        UNKNOWN_ERROR,
      );
    }
    case 'rscstatus': {
      const hold = s.cluster.resourceHold;
      return ok(o.human ? `This node is holding ${hold} resources.\n` : `${hold}\n`);
    }
    case 'hbparameter': {
      if (o.p === undefined) return err('cl_status: ERROR: parameter name required\n', PARAMETER_ERROR);
      const value = v.haCf === undefined ? undefined : parameterValue(v.haCf, o.p);
      if (value === undefined)
        return err(
          `cl_status: ERROR: Cannot get parameter ${o.p}'s value\ncl_status: ERROR: REASON: \n`,
          NORMAL_FAIL,
        );
      return ok(o.human ? `Heartbeat parameter ${o.p}'s value: ${value}\n` : `${value}\n`);
    }
  }
  return err(`cl_status: ERROR: ${cmd}: invalid sub-command.\n`, PARAMETER_ERROR);
}
