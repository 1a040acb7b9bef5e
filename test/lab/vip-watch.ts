// Where a virtual IP is, on every node, all the time: one long-running `ip -tshort monitor address`
// per node namespace (rtnetlink events, each stamped by ip with microseconds as it receives it),
// parsed for additions and deletions of the address. That is finer than any polling: the holding
// intervals are exact up to the event delivery, and the "samples every 10 ms" of the checks are
// taken from them. The state before the first event comes from one `ip -j addr` per node, read
// once the monitors run.
import type { ChildProcess } from 'node:child_process';
import type { Lab, LabNode } from './lab.js';
import { sleep } from './lab.js';

interface Change {
  readonly t: number;
  readonly present: boolean;
}

/** `[2026-11-29T16:28:56.733712]` (local time, as ip prints it) -> epoch ms. */
export function parseIpTimestamp(text: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, us] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(y, mo - 1, d, h, mi, s).getTime() + us / 1000;
}

export class VipWatch {
  private readonly changes = new Map<string, Change[]>();
  private readonly initial = new Map<string, boolean>();
  private readonly monitors: ChildProcess[] = [];
  /** When the initial state was read (intervals before this are unknown). */
  startedAt = 0;

  private constructor(
    private readonly lab: Lab,
    readonly vip: string,
  ) {}

  static async start(lab: Lab, vip: string): Promise<VipWatch> {
    const w = new VipWatch(lab, vip);
    for (const n of lab.nodes) w.monitor(n);
    // the monitors subscribe as they start; give them time before the baseline is read
    await sleep(500);
    w.startedAt = Date.now();
    for (const n of lab.nodes) w.initial.set(n.name, lab.addressesOf(n).includes(vip));
    return w;
  }

  private monitor(n: LabNode): void {
    const list: Change[] = [];
    this.changes.set(n.name, list);
    const child = this.lab.spawnIn(n.ns, 'ip', ['-tshort', '-4', 'monitor', 'address']);
    this.monitors.push(child);
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^\[([^\]]+)\] (Deleted )?\d+: \S+\s+inet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
        if (!m || m[3] !== this.vip) continue;
        const t = parseIpTimestamp(m[1] ?? '');
        if (t !== undefined) list.push({ t, present: m[2] === undefined });
      }
    });
  }

  /** Whether the node held the VIP at time t (epoch ms). */
  holds(node: string, t: number): boolean {
    let present = this.initial.get(node) ?? false;
    for (const c of this.changes.get(node) ?? []) {
      if (c.t > t) break;
      present = c.present;
    }
    return present;
  }

  holdersAt(t: number): string[] {
    return this.lab.nodes.map((n) => n.name).filter((name) => this.holds(name, t));
  }

  /** Samples every stepMs in [from, to): how many, and at which ones two or more nodes held it. */
  sample(from: number, to: number, stepMs = 10): { samples: number; dual: number[] } {
    const dual: number[] = [];
    let samples = 0;
    for (let t = from; t < to; t += stepMs) {
      samples++;
      if (this.holdersAt(t).length > 1) dual.push(t);
    }
    return { samples, dual };
  }

  /** Exact time (ms) within [from, to) during which two or more nodes held the VIP. */
  overlapMs(from: number, to: number): number {
    const points = [from, to, ...[...this.changes.values()].flat().map((c) => c.t)]
      .filter((t) => t >= from && t <= to)
      .sort((a, b) => a - b);
    let total = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i] ?? 0;
      const b = points[i + 1] ?? 0;
      if (b > a && this.holdersAt((a + b) / 2).length > 1) total += b - a;
    }
    return total;
  }

  /** The changes of one node within [from, to). */
  changesOf(node: string, from: number, to = Infinity): Change[] {
    return (this.changes.get(node) ?? []).filter((c) => c.t >= from && c.t < to);
  }
}
