// Rate limiting for repeated log lines (bad auth from one source, say), on the monotonic clock.
import { performance } from 'node:perf_hooks';

/** Lets one log line per key through per interval. */
export class RateGate {
  private readonly last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}
  allow(key: string): boolean {
    const now = performance.now();
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.intervalMs) return false;
    this.last.set(key, now);
    return true;
  }
}
