// A `ucast` heartbeat link that died and comes back (a partition heals, a cable or switch port
// returns) is heard again only once the kernel knows the peer's MAC address again. While the peer
// is silent, the kernel's neighbour entry for it sits in INCOMPLETE and asks again only once per
// retrans_time (1 s by default), so after the heal each side may wait up to a second before its
// heartbeats leave; and when only one side's packets get through, that side releases its copy of a
// split-brain group at once while the other does not yet know it must announce the VIP again
// (measured: after a 5 s partition at 10ms/30ms, one side heard the other 0.6-0.75 s after the
// heal in four runs of six, and the client waited as long). So while a ucast link is dead, the
// peer's entry is flushed every `everyMs`: the next heartbeat then creates it afresh and the
// kernel asks at once (one broadcast ARP request per flush, on the heartbeat link only).
// bcast and mcast media need no neighbour entry; a peer given by host name is left alone.
import { isIPv4 } from 'node:net';
import type { Medium, MediumId } from '../config/types.js';

/** Runs `ip ARGS` (the daemon's own `ip -batch`); errors are not ours to report here. */
export type IpRunner = (args: readonly string[]) => Promise<unknown>;

export const NEIGHBOUR_REFRESH_MS = 200;

export class NeighbourRefresh {
  private readonly timers = new Map<MediumId, NodeJS.Timeout>();

  constructor(
    private readonly ip: IpRunner,
    private readonly everyMs = NEIGHBOUR_REFRESH_MS,
  ) {}

  /** The link on `medium` died: refresh its peer's neighbour entry until it is up again. */
  linkDead(medium: Medium | undefined): void {
    if (medium?.kind !== 'ucast' || !isIPv4(medium.peer) || this.timers.has(medium.id)) return;
    const args = ['-4', 'neigh', 'flush', 'to', medium.peer, 'dev', medium.iface];
    const t = setInterval(() => void this.ip(args).catch(() => undefined), this.everyMs);
    t.unref();
    this.timers.set(medium.id, t);
  }

  linkUp(medium: MediumId | undefined): void {
    if (medium === undefined) return;
    const t = this.timers.get(medium);
    if (t === undefined) return;
    clearInterval(t);
    this.timers.delete(medium);
  }

  /** Media being refreshed now (status, tests). */
  refreshing(): MediumId[] {
    return [...this.timers.keys()];
  }

  close(): void {
    for (const t of this.timers.values()) clearInterval(t);
    this.timers.clear();
  }
}
