// The lab client's view of the VIP: one probe result per line from probe-client.js, and the
// outage figures the lab tests report (longest gap, answers in order).
import type { ChildProcess } from 'node:child_process';
import { LabTimeoutError } from './errors.js';

export interface Probe {
  /** Wall-clock ms (Date.now()) when the request was sent. */
  readonly t: number;
  /** The body (node name) or undefined on failure. */
  readonly who: string | undefined;
}

/** The VIP client's view: one probe result per line from probe-client.js. */
export class ProbeClient {
  readonly probes: Probe[] = [];
  private buf = '';

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (b: Buffer) => {
      this.buf += b.toString('utf8');
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const [t, who] = line.split(' ');
        if (t !== undefined) this.probes.push({ t: Number(t), who: who === '-' ? undefined : who });
      }
    });
  }

  /** The client's timebase: wall-clock ms (same host, same clock in every namespace). */
  nowT(): number {
    return Date.now();
  }

  lastAnswer(): string | undefined {
    for (let i = this.probes.length - 1; i >= 0; i--) {
      const p = this.probes[i];
      if (p?.who !== undefined) return p.who;
    }
    return undefined;
  }

  async waitFor(who: string, timeoutMs: number): Promise<void> {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      const last = this.probes[this.probes.length - 1];
      if (last?.who === who) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new LabTimeoutError(
      `VIP did not answer as ${who} within ${timeoutMs} ms (last: ${this.lastAnswer()})`,
    );
  }

  /**
   * The longest client-visible gap after `sinceT`: from the last successful answer before a failure
   * run to the next successful answer (ms). 0 if no probe failed.
   */
  outageMs(sinceT: number): number {
    const ps = [...this.probes].sort((a, b) => a.t - b.t);
    // the gap starts at the last answer before sinceT (earlier outages do not count)
    let lastOk: number | undefined;
    for (const p of ps) if (p.t < sinceT && p.who !== undefined) lastOk = p.t;
    let worst = 0;
    let failing = false;
    for (const p of ps) {
      if (p.t < sinceT) continue;
      if (p.who !== undefined) {
        if (failing && lastOk !== undefined) worst = Math.max(worst, p.t - lastOk);
        failing = false;
        lastOk = p.t;
      } else failing = true;
    }
    return worst;
  }

  /**
   * outageMs() once every probe sent so far has finished: a probe lost in the gap only reports
   * its failure when its 250 ms timeout expires, after the answers that followed it.
   */
  async settledOutageMs(sinceT: number): Promise<number> {
    await new Promise((r) => setTimeout(r, 300));
    return this.outageMs(sinceT);
  }

  /** The answers seen after sinceT, in order, without repeats. */
  answersSince(sinceT: number): string[] {
    const out: string[] = [];
    for (const p of [...this.probes].sort((a, b) => a.t - b.t)) {
      if (p.t < sinceT) continue;
      const w = p.who ?? '-';
      if (out[out.length - 1] !== w) out.push(w);
    }
    return out;
  }
}
