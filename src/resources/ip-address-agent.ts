// The built-in IPaddr/IPaddr2 agent: adds the virtual IP with `ip addr add ... label IFACE:N`,
// announces it with gratuitous ARP (iputils arping, in the background so takeover is not held up),
// reports it running while the address is on the interface, and removes it with `ip addr del`.
// Start and stop are idempotent.
import { GratuitousArp } from './gratuitous-arp.js';
import {
  chooseInterface,
  freeLabel,
  parseIpAddrShow,
  type InterfaceAddress,
  type IpSpec,
} from './ip-spec.js';
import type { IpBatch } from './ip-batch.js';
import { describeOutcome, runCommand } from './run-command.js';
import type { ArpOptions, ResourceLog, ResourceState } from './types.js';

export interface IpAgentContext {
  readonly ipCommand: string;
  readonly arp: ArpOptions;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly killGraceMs: number;
  readonly log: ResourceLog;
  /** The daemon's long-running `ip -batch` (no process started per command), when it has one. */
  readonly ipBatch?: IpBatch;
}

export interface IpAgentResult {
  readonly ok: boolean;
  readonly detail: string;
}

export interface IpAgentStatus {
  readonly state: ResourceState;
  readonly detail: string;
}

/** Keeps track of the gratuitous-ARP senders it started, so stop (and close) can end them. */
export class IpAddressAgent {
  private readonly arp = new GratuitousArp();
  /**
   * Address changes run one at a time: two groups taking over at once (active/active) would
   * otherwise both pick the same free `IFACE:N` label from the same listing.
   */
  private changes: Promise<unknown> = Promise.resolve();
  /** Where this agent put (or found) each address it started: stop deletes it without a listing. */
  private readonly added = new Map<string, { readonly iface: string; readonly prefixBits: number }>();

  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const next = this.changes.then(body, body);
    this.changes = next.catch(() => undefined);
    return next;
  }

  async status(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentStatus> {
    const listed = await this.list(ctx);
    if (!listed.ok) return { state: 'unknown', detail: listed.detail };
    const here = matching(spec, listed.addresses);
    if (here.length > 0)
      return { state: 'running', detail: `${spec.ip} is on ${here.map((a) => a.iface).join(',')}` };
    return { state: 'stopped', detail: `${spec.ip} is not on ${spec.iface ?? 'any interface'}` };
  }

  start(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentResult> {
    return this.exclusive(() => this.startNow(spec, ctx));
  }

  /** Gratuitous ARP again for an address that is (still) on an interface here; nothing else changes. */
  async reannounce(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentResult> {
    const listed = await this.list(ctx);
    if (!listed.ok) return { ok: false, detail: listed.detail };
    const present = matching(spec, listed.addresses)[0];
    if (!present)
      return { ok: false, detail: `${spec.ip} is not on ${spec.iface ?? 'any interface'}: not announced` };
    this.announce(spec.ip, present.iface, ctx);
    return { ok: true, detail: `gratuitous ARP for ${spec.ip} on ${present.iface}` };
  }

  stop(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentResult> {
    return this.exclusive(() => this.stopNow(spec, ctx));
  }

  private async startNow(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentResult> {
    const listed = await this.list(ctx);
    if (!listed.ok) return { ok: false, detail: listed.detail };
    const present = matching(spec, listed.addresses)[0];
    if (present) {
      this.added.set(spec.ip, { iface: present.iface, prefixBits: present.prefixBits });
      this.announce(spec.ip, present.iface, ctx);
      return { ok: true, detail: `${spec.ip} already on ${present.iface}; gratuitous ARP sent again` };
    }
    const where = chooseInterface(spec, listed.addresses);
    if (!where.ok) return { ok: false, detail: where.error };
    const { iface, prefixBits } = where.value;
    const label = spec.label ?? freeLabel(iface, listed.addresses);
    const args = [
      '-4',
      'addr',
      'add',
      `${spec.ip}/${prefixBits}`,
      'brd',
      spec.broadcast ?? '+',
      'dev',
      iface,
    ];
    if (label !== undefined) args.push('label', label);
    const added = await runIp(args, ctx);
    if (!added.ok) return added;
    this.added.set(spec.ip, { iface, prefixBits });
    this.announce(spec.ip, iface, ctx);
    return {
      ok: true,
      detail: `added ${spec.ip}/${prefixBits} on ${iface}${label ? ` label ${label}` : ''}`,
    };
  }

  private async stopNow(spec: IpSpec, ctx: IpAgentContext): Promise<IpAgentResult> {
    this.arp.cancel(spec.ip);
    const ours = this.added.get(spec.ip);
    this.added.delete(spec.ip);
    if (ours !== undefined && spec.iface !== undefined && ours.iface === spec.iface) {
      // We added it (or found it) here: delete it straight away, without listing first (one
      // `ip` round trip less on the hand-over path). An address changed behind our back makes
      // the delete fail, and the listing below finds what there is.
      const args = ['-4', 'addr', 'del', `${spec.ip}/${ours.prefixBits}`, 'dev', ours.iface];
      const deleted = await runIp(args, ctx);
      if (deleted.ok) return { ok: true, detail: `removed ${spec.ip} from ${ours.iface}` };
    }
    const listed = await this.list(ctx);
    if (!listed.ok) return { ok: false, detail: listed.detail };
    const present = matching(spec, listed.addresses);
    if (present.length === 0) return { ok: true, detail: `${spec.ip} was not configured` };
    const removed: string[] = [];
    for (const addr of present) {
      const args = ['-4', 'addr', 'del', `${addr.ip}/${addr.prefixBits}`, 'dev', addr.iface];
      const deleted = await runIp(args, ctx);
      if (!deleted.ok) return deleted;
      removed.push(addr.iface);
    }
    return { ok: true, detail: `removed ${spec.ip} from ${removed.join(',')}` };
  }

  /** Ends every gratuitous-ARP announcement still under way. */
  close(): void {
    this.arp.cancelAll();
  }

  private async list(
    ctx: IpAgentContext,
  ): Promise<{ ok: true; addresses: InterfaceAddress[] } | { ok: false; detail: string }> {
    const shown = await runIp(['-o', '-4', 'addr', 'show'], ctx);
    if (!shown.ok) return shown;
    return { ok: true, addresses: parseIpAddrShow(shown.stdout) };
  }

  private announce(ip: string, iface: string, ctx: IpAgentContext): void {
    this.arp.announce(ip, iface, ctx.arp, ctx.env, ctx.log);
  }
}

/** Runs `ip ARGS`: its output, or the command line and how it failed (non-zero exit, signal, timeout). */
async function runIp(
  args: readonly string[],
  ctx: IpAgentContext,
): Promise<{ ok: true; stdout: string } | { ok: false; detail: string }> {
  if (ctx.ipBatch !== undefined) return ctx.ipBatch.run(args, ctx.timeoutMs);
  const outcome = await runCommand({
    file: ctx.ipCommand,
    args,
    env: ctx.env,
    timeoutMs: ctx.timeoutMs,
    killGraceMs: ctx.killGraceMs,
  });
  if (outcome.kind !== 'exited' || outcome.code !== 0)
    return { ok: false, detail: `${ctx.ipCommand} ${args.join(' ')}: ${describeOutcome(outcome)}` };
  return { ok: true, stdout: outcome.stdout };
}

function matching(spec: IpSpec, addresses: readonly InterfaceAddress[]): InterfaceAddress[] {
  return addresses.filter((a) => a.ip === spec.ip && (spec.iface === undefined || a.iface === spec.iface));
}
