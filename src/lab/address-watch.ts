// Where an address (a VIP) is, on every lab node, continuously: one `ip -tshort monitor address
// all-nsid` running in the test's own (root) namespace hears every address added or deleted in
// every node namespace (each given an nsid here), stamped and in the kernel's order. A monitor
// inside a node (`ip -n NS monitor`) would not do: a BMC power-off kills every process in the
// node's namespace, the monitor too, before it removes the node's VIP. Watching every change is
// stronger than sampling every 10 ms: two holders at any instant, however short, are seen.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { LabError, LabTimeoutError } from './errors.js';
import { sh } from './lab-shell.js';
import { sleep } from './wait-until.js';
import type { LabNode } from './lab-topology.js';
import type { Lab } from './netns-lab.js';

export interface AddressEvent {
  /** Wall-clock ms when the monitor received it (same clock as Date.now() and the daemon logs). */
  readonly t: number;
  readonly node: string;
  /** Added (true) or deleted (false). */
  readonly present: boolean;
}

/** A stretch of time during which more than one node held the address. */
export interface Overlap {
  readonly fromT: number;
  /** When it ended (undefined: still going). */
  readonly toT: number | undefined;
  readonly holders: readonly string[];
}

// `[2026-11-29T16:36:21.714671] [nsid 701]Deleted 3: ifb1    inet 198.18.16.200/24 scope global eth0`
// (the interface name is the root namespace's name for that index: ignored)
const line = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\] \[nsid (\d+)\](Deleted )?\d+: \S+\s+inet (\S+?)\//;

/** Parse one monitor line: stamp (local time, as ip prints it), nsid, added or deleted, address. */
export function parseMonitorLine(
  text: string,
): { t: number; nsid: number; present: boolean; addr: string } | undefined {
  const m = line.exec(text);
  if (m === null) return undefined;
  const [, stamp = '', nsid = '', deleted, addr = ''] = m;
  // ip prints strftime local time with microseconds; Date parses a zone-less stamp as local time
  const t = new Date(stamp.slice(0, 23)).getTime();
  if (Number.isNaN(t)) return undefined;
  return { t, nsid: Number(nsid), present: deleted === undefined, addr };
}

/** The nodes holding the address after the events (in order) up to `untilT`, sorted. */
export function holdersAfter(events: readonly AddressEvent[], untilT = Infinity): string[] {
  const held = new Set<string>();
  for (const e of events) {
    if (e.t > untilT) break;
    if (e.present) held.add(e.node);
    else held.delete(e.node);
  }
  return [...held].sort();
}

/**
 * Every stretch, in event order, when two or more nodes held the address at once. The order of
 * the events is the kernel's (one netlink socket): a delete and the next add in the same
 * millisecond are not an overlap.
 */
export function overlapsOf(events: readonly AddressEvent[]): Overlap[] {
  const held = new Set<string>();
  const out: Overlap[] = [];
  let open: { fromT: number; holders: Set<string> } | undefined;
  for (const e of events) {
    if (e.present) held.add(e.node);
    else held.delete(e.node);
    if (held.size >= 2) {
      if (open === undefined) open = { fromT: e.t, holders: new Set(held) };
      else for (const h of held) open.holders.add(h);
    } else if (open !== undefined) {
      out.push({ fromT: open.fromT, toT: e.t, holders: [...open.holders].sort() });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ fromT: open.fromT, toT: undefined, holders: [...open.holders].sort() });
  return out;
}

export class AddressWatch {
  readonly events: AddressEvent[] = [];
  private readonly byNsid = new Map<number, string>();
  private buf = '';
  private proc: ChildProcess | undefined;

  private constructor(
    private readonly lab: Lab,
    readonly addr: string,
  ) {}

  /**
   * Start watching `addr` on every node of the lab. Resolves once the monitor is seen to hear
   * every node (a probe address added and removed on each node's loopback). Nodes must not hold
   * the address yet, or must be listed in `initial`.
   */
  static async start(lab: Lab, addr: string, initial: readonly string[] = []): Promise<AddressWatch> {
    const w = new AddressWatch(lab, addr);
    for (const n of initial) w.events.push({ t: Date.now(), node: n, present: true });
    // nsids in the root namespace for the lab's node namespaces; they go with the namespaces
    for (const n of lab.nodes) sh('ip', ['netns', 'set', n.ns, 'auto'], true);
    const ids = JSON.parse(sh('ip', ['-j', 'netns', 'list']) || '[]') as { name?: string; id?: number }[];
    for (const n of lab.nodes) {
      const id = ids.find((x) => x.name === n.ns)?.id;
      if (id === undefined) throw new LabError(`no nsid for ${n.ns} in the root namespace`);
      w.byNsid.set(id, n.name);
    }
    const proc = spawn('ip', ['-tshort', 'monitor', 'address', 'all-nsid'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    lab.track(proc);
    w.proc = proc;
    const probes = new Set<string>();
    proc.stdout.on('data', (b: Buffer) => {
      w.buf += b.toString('utf8');
      let nl: number;
      while ((nl = w.buf.indexOf('\n')) >= 0) {
        const text = w.buf.slice(0, nl);
        w.buf = w.buf.slice(nl + 1);
        const e = parseMonitorLine(text);
        const node = e === undefined ? undefined : w.byNsid.get(e.nsid);
        if (e === undefined || node === undefined) continue;
        if (e.addr === addr) w.events.push({ t: e.t, node, present: e.present });
        else if (e.addr === probeAddr && !e.present) probes.add(node);
      }
    });
    // Readiness: the monitor has subscribed once it reports a change made in each node.
    const probeAddr = '127.0.0.77';
    const end = Date.now() + 5000;
    while (probes.size < lab.nodes.length) {
      if (proc.exitCode !== null) throw new LabError('ip monitor exited at start');
      if (Date.now() > end) throw new LabTimeoutError('ip monitor address all-nsid heard no node in 5 s');
      for (const n of lab.nodes) {
        if (probes.has(n.name)) continue;
        sh('ip', ['-n', n.ns, 'addr', 'add', `${probeAddr}/32`, 'dev', 'lo'], true);
        sh('ip', ['-n', n.ns, 'addr', 'del', `${probeAddr}/32`, 'dev', 'lo'], true);
      }
      await sleep(50);
    }
    return w;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The nodes holding the address after every event so far (or up to `untilT`). */
  holders(untilT = Infinity): string[] {
    return holdersAfter(this.events, untilT);
  }

  /** Every stretch when two or more nodes held the address at once. */
  overlaps(): Overlap[] {
    return overlapsOf(this.events);
  }

  /** The events after `sinceT`, as `+node`/`-node` at ms offsets (for messages). */
  describe(sinceT: number): string {
    return this.events
      .filter((e) => e.t >= sinceT)
      .map((e) => `${e.present ? '+' : '-'}${e.node}@${e.t - sinceT}`)
      .join(' ');
  }

  /** First event for `node` after `sinceT` that added (or deleted) the address. */
  first(node: string, present: boolean, sinceT: number): AddressEvent | undefined {
    return this.events.find((e) => e.t >= sinceT && e.node === node && e.present === present);
  }

  /** What the watch believes equals what the nodes have now (nothing was missed). */
  agreesWithNodes(nodes: readonly LabNode[] = this.lab.nodes): boolean {
    const actual = nodes
      .filter((n) => this.lab.addressesOf(n).includes(this.addr))
      .map((n) => n.name)
      .sort();
    return actual.join(',') === this.holders().join(',');
  }

  stop(): void {
    if (this.running) this.lab.kill(this.proc, 'SIGTERM');
  }
}
