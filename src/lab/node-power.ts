// Power for a lab node, as a BMC (ipmi-bmc.ts) or a test switches it: "off" is what pulling the
// plug does to a real machine. Every process running in the node's network namespace is SIGKILLed
// by PID at once (the lab created that namespace, so everything in it was started by the lab or by
// something the lab started: the daemon, its HTTP server, resource scripts the daemon left
// detached), the node's links go dark (their veth ends in the switch), and the addresses it had
// acquired (VIPs) are gone; its own lab addresses stay, as a machine's configured addresses come
// back with it. "On" brings the links up again; starting the daemon again is the test's business,
// as booting is. Nothing is ever killed by name.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { LabError } from './errors.js';
import { nsId, pidAlive, pidsInNamespace } from './netns-pids.js';

export { pidAlive, pidsInNamespace };
import type { LabNode } from './lab-topology.js';
import type { Lab } from './netns-lab.js';

/** Everything power-off/on needs to know about a node; JSON-serialisable (the BMC's helper reads it). */
export interface NodePowerSpec {
  readonly node: string;
  /** The node's network namespace. */
  readonly ns: string;
  /** The switch namespace holding the veth ends. */
  readonly sw: string;
  readonly links: readonly { readonly dev: string; readonly switchEnd: string; readonly addr: string }[];
  /** PIDs the lab started in the node, one a line. */
  readonly pidFile: string;
  /** `on` or `off`: the power state a BMC reports. */
  readonly stateFile: string;
}

export type PowerState = 'on' | 'off';

export function nodePowerSpec(lab: Lab, n: LabNode, stateFile: string): NodePowerSpec {
  return { node: n.name, ns: n.ns, sw: lab.sw, links: lab.linksOf(n), pidFile: n.pidFile, stateFile };
}

/** Parse a spec read from a file; a clear error for anything that is not one. */
export function parseNodePowerSpec(text: string, from: string): NodePowerSpec {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new LabError(`${from}: not JSON`, { cause: err });
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const str = (k: string): string => {
    const x = o[k];
    if (typeof x !== 'string' || x === '') throw new LabError(`${from}: "${k}" must be a non-empty string`);
    return x;
  };
  const links = o['links'];
  if (!Array.isArray(links)) throw new LabError(`${from}: "links" must be an array`);
  return {
    node: str('node'),
    ns: str('ns'),
    sw: str('sw'),
    pidFile: str('pidFile'),
    stateFile: str('stateFile'),
    links: links.map((l: unknown, i) => {
      const r = (typeof l === 'object' && l !== null ? l : {}) as Record<string, unknown>;
      const { dev, switchEnd, addr } = r;
      if (typeof dev !== 'string' || typeof switchEnd !== 'string' || typeof addr !== 'string')
        throw new LabError(`${from}: links[${i}] needs dev, switchEnd and addr strings`);
      return { dev, switchEnd, addr };
    }),
  };
}

function ip(args: readonly string[]): string {
  const r = spawnSync('ip', [...args], { encoding: 'utf8', timeout: 10000 });
  if (r.status !== 0) {
    const cause = r.error !== undefined ? { cause: r.error } : undefined;
    throw new LabError(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr}`, cause);
  }
  return r.stdout;
}

/** dev:ino of a network namespace handle (/run/netns/NAME or /proc/PID/ns/net), or undefined. */
/** PIDs the lab recorded for the node (its pid file; absent = none). */
export function labPidsOf(spec: NodePowerSpec): number[] {
  let text: string;
  try {
    text = readFileSync(spec.pidFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

export function readPowerState(spec: NodePowerSpec): PowerState {
  try {
    return readFileSync(spec.stateFile, 'utf8').trim() === 'off' ? 'off' : 'on';
  } catch {
    return 'on'; // a node starts powered on
  }
}

/**
 * Kill every process of the node: the PIDs the lab recorded (only while they are still in the
 * node's namespace, so a reused PID is never hit) and whatever else runs in the namespace,
 * SIGKILL, repeated until nothing is left (a dying script may have forked meanwhile).
 * Returns the PIDs killed.
 */
export function killNodeProcesses(spec: NodePowerSpec, timeoutMs = 5000): number[] {
  const target = nsId(`/run/netns/${spec.ns}`);
  if (target === undefined) throw new LabError(`no network namespace ${spec.ns}`);
  const killed = new Set<number>();
  const end = Date.now() + timeoutMs;
  for (;;) {
    const recorded = labPidsOf(spec).filter((p) => nsId(`/proc/${p}/ns/net`) === target && pidAlive(p));
    const victims = [...new Set([...recorded, ...pidsInNamespace(spec.ns)])];
    if (victims.length === 0) return [...killed];
    if (Date.now() > end)
      throw new LabError(`${spec.node}: processes still alive after SIGKILL: ${victims.join(' ')}`);
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // exited in between
      }
    }
    // SIGKILL is delivered asynchronously: give the kernel a moment before looking again
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

/** Addresses on a device inside the node other than `keep` (as `addr/prefixlen`). */
function extraAddresses(spec: NodePowerSpec, dev: string, keep: string): string[] {
  const j = JSON.parse(ip(['-n', spec.ns, '-j', 'addr', 'show', 'dev', dev]) || '[]') as {
    addr_info?: { local?: string; prefixlen?: number; family?: string }[];
  }[];
  return (j[0]?.addr_info ?? [])
    .filter((a) => a.local !== undefined && a.local !== keep && a.family === 'inet')
    .map((a) => `${a.local}/${a.prefixlen ?? 32}`);
}

/** Pull the plug: processes killed, links down, acquired addresses gone; state `off`. */
export function powerOff(spec: NodePowerSpec): { killed: number[] } {
  // links first: from this instant the node is silent, whatever its processes still try to send
  for (const l of spec.links) ip(['-n', spec.sw, 'link', 'set', l.switchEnd, 'down']);
  const killed = killNodeProcesses(spec);
  for (const l of spec.links)
    for (const a of extraAddresses(spec, l.dev, l.addr)) ip(['-n', spec.ns, 'addr', 'del', a, 'dev', l.dev]);
  writeFileSync(spec.stateFile, 'off\n');
  return { killed };
}

/** Power back on: links up, state `on` (the test starts the daemon again, as a boot would). */
export function powerOn(spec: NodePowerSpec): void {
  for (const l of spec.links) ip(['-n', spec.sw, 'link', 'set', l.switchEnd, 'up']);
  writeFileSync(spec.stateFile, 'on\n');
}

/** Is the switch end of a node's link up (what power-off takes down)? */
export function switchLinkUp(spec: NodePowerSpec, switchEnd: string): boolean {
  const j = JSON.parse(ip(['-n', spec.sw, '-j', 'link', 'show', 'dev', switchEnd]) || '[]') as {
    flags?: string[];
  }[];
  return j[0]?.flags?.includes('UP') ?? false;
}
