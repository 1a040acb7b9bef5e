// The simulated network: each medium's conditions (loss, delay, duplication) and which directions
// are blocked, plus the connectivity bookkeeping the safety invariant needs: when each pair of nodes
// could last start hearing each other, and which live peers a node wrongly believes dead (a false
// death from loss is a partition for the cluster, whatever the wires say).
import type { MonoMs } from '../cluster/types.js';
import type { MediumId } from '../config/types.js';
import type { Prng } from './prng.js';

export interface MediumConditions {
  /** Probability that one copy is lost. */
  loss: number;
  delayMinMs: number;
  delayMaxMs: number;
  /** Probability that a copy is delivered twice (the second copy later). */
  duplicate: number;
}

/** A medium nobody configured: a clean 1-2 ms network. */
const cleanMedium: MediumConditions = { loss: 0, delayMinMs: 1, delayMaxMs: 2, duplicate: 0 };

export class SimNetwork {
  readonly mediumIds: readonly MediumId[];
  readonly conditions: MediumConditions[];
  /** Blocked directions: `${medium}|${from}|${to}`. */
  private readonly blocked = new Set<string>();
  /** Last time each unordered pair's connectivity changed (for the safety grace). */
  private readonly pairChangedMs = new Map<string, MonoMs>();
  /** `${a}|${b}`: node a currently believes live node b dead (a false death, from loss). */
  private readonly deadViews = new Set<string>();

  /** `media`: per medium, in config order; missing entries are clean. */
  constructor(mediumIds: readonly MediumId[], media: readonly MediumConditions[] | undefined) {
    this.mediumIds = mediumIds;
    this.conditions = mediumIds.map((_, i) => media?.[i] ?? { ...cleanMedium });
  }

  setConditions(medium: number, c: MediumConditions): void {
    this.conditions[medium] = c;
  }

  block(from: number, to: number, media: readonly MediumId[], nowMs: MonoMs): void {
    for (const m of media) this.blocked.add(`${m}|${from}|${to}`);
    this.pairChanged(from, to, nowMs);
  }

  unblock(from: number, to: number, media: readonly MediumId[], nowMs: MonoMs): void {
    for (const m of media) this.blocked.delete(`${m}|${from}|${to}`);
    this.pairChanged(from, to, nowMs);
  }

  healAll(nowMs: MonoMs): void {
    for (const key of [...this.blocked]) {
      const [, from, to] = key.split('|');
      this.pairChanged(Number(from), Number(to), nowMs);
    }
    this.blocked.clear();
  }

  /**
   * When the copies of one packet from `from` reach `to` on medium `m`, as delays from now: none
   * when the direction is blocked or the copy is lost, two when it is duplicated. Draws from `rng`
   * in a fixed order (loss, duplication, one delay per copy) so that runs replay exactly.
   */
  deliveryDelays(m: MediumId, from: number, to: number, rng: Prng): number[] {
    const c = this.conditions[this.mediumIds.indexOf(m)];
    if (!c) return [];
    if (this.blocked.has(`${m}|${from}|${to}`)) return [];
    if (c.loss > 0 && rng.chance(c.loss)) return [];
    const copies = c.duplicate > 0 && rng.chance(c.duplicate) ? 2 : 1;
    const delays: number[] = [];
    for (let k = 0; k < copies; k++) delays.push(c.delayMinMs + rng.next() * (c.delayMaxMs - c.delayMinMs));
    return delays;
  }

  /** Both directions open on at least one medium. */
  connected(a: number, b: number): boolean {
    return this.mediumIds.some(
      (m, i) =>
        (this.conditions[i]?.loss ?? 0) < 1 &&
        !this.blocked.has(`${m}|${a}|${b}`) &&
        !this.blocked.has(`${m}|${b}|${a}`),
    );
  }

  /**
   * Time since the pair could last start hearing each other (Infinity if never changed), or -1
   * while the network separates them or one of them wrongly believes the other dead.
   */
  connectedForMs(a: number, b: number, nowMs: MonoMs): number {
    if (!this.connected(a, b)) return -1;
    if (this.deadViews.has(`${a}|${b}`) || this.deadViews.has(`${b}|${a}`)) return -1;
    const changed = this.pairChangedMs.get(pairKey(a, b));
    return changed === undefined ? Infinity : nowMs - changed;
  }

  /** Node `a` declared the live, reachable node `b` dead. */
  falseDeath(a: number, b: number): void {
    this.deadViews.add(`${a}|${b}`);
  }

  /** Node `a` hears `b` again: if it had wrongly believed it dead, the post-heal grace starts now. */
  peerUp(a: number, b: number, nowMs: MonoMs): void {
    if (this.deadViews.delete(`${a}|${b}`)) this.pairChanged(a, b, nowMs);
  }

  /** A node went down: nobody's belief about it (or its beliefs) is a false death any more. */
  forget(index: number): void {
    for (const key of [...this.deadViews]) {
      const [x, y] = key.split('|');
      if (Number(x) === index || Number(y) === index) this.deadViews.delete(key);
    }
  }

  private pairChanged(a: number, b: number, nowMs: MonoMs): void {
    this.pairChangedMs.set(pairKey(a, b), nowMs);
  }
}

function pairKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
