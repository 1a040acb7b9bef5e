// Gratuitous ARP after a takeover, timed like OCF IPaddr2's send_arp (reference section 13): `count`
// pairs of (ARP request, ARP reply) from the VIP, `intervalMs` between pairs and half that between
// the two frames of a pair (defaults 5 and 200 ms: ~0.9 s in all).
// iputils arping only takes whole seconds for -i, so each frame is its own `arping -c 1` (`-U` sends
// the request, `-A` the reply), started on schedule. All in the background: takeover is not delayed,
// and stop cancels what is still pending.
import { spawn, type ChildProcess } from 'node:child_process';
import { errorText, quote } from './run-command.js';
import type { ArpOptions, ResourceLog } from './types.js';

/** arping -c 1 waits about a second after its frame before exiting; kill it if it takes far longer. */
const ARPING_LIMIT_MS = 5000;

interface Announcement {
  readonly timers: NodeJS.Timeout[];
  readonly children: Set<ChildProcess>;
}

export class GratuitousArp {
  private readonly running = new Map<string, Announcement>();

  /** Starts announcing `ip` on `iface`, replacing an announcement of the same address still under way. */
  announce(
    ip: string,
    iface: string,
    arp: ArpOptions,
    env: Readonly<Record<string, string>>,
    log: ResourceLog,
  ): void {
    this.cancel(ip);
    if (arp.count <= 0) return;
    const job: Announcement = { timers: [], children: new Set() };
    this.running.set(ip, job);
    log(
      `resource arp ip=${ip} iface=${iface} frames=${arp.count * 2} interval_ms=${arp.intervalMs} cmd=${quote(arp.command)}`,
      'debug',
    );
    let failures = 0;
    const frames = arp.count * 2;
    let pending = frames;
    const done = (): void => {
      pending--;
      if (pending === 0 && this.running.get(ip) === job) this.running.delete(ip);
    };
    for (let k = 0; k < frames; k++) {
      const mode = k % 2 === 0 ? '-U' : '-A';
      const fire = (): void => {
        const args = [mode, '-c', '1', '-I', iface, ip];
        let child: ChildProcess;
        try {
          child = spawn(arp.command, args, { env: { ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
        } catch (err) {
          log(`resource arp ip=${ip} iface=${iface} error=${quote(errorText(err))}`, 'warn');
          done();
          return;
        }
        job.children.add(child);
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => {
          stderr = (stderr + c.toString('utf8')).slice(-300);
        });
        const limit = setTimeout(() => child.kill('SIGKILL'), ARPING_LIMIT_MS);
        limit.unref();
        let reported = false;
        let finished = false;
        const report = (what: string): void => {
          // One warning per announcement is enough: a missing arping fails every frame.
          if (!reported && failures++ === 0)
            log(`resource arp ip=${ip} iface=${iface} mode=${mode} ${what}`, 'warn');
          reported = true;
        };
        child.on('error', (err) => {
          if (finished) return;
          finished = true;
          clearTimeout(limit);
          job.children.delete(child);
          report(`error=${quote(errorText(err))}`);
          done();
        });
        child.on('exit', (code, signal) => {
          if (finished) return;
          finished = true;
          clearTimeout(limit);
          job.children.delete(child);
          if (code !== 0 && signal !== 'SIGTERM')
            report(`rc=${code ?? signal ?? '?'} stderr=${quote(stderr.trim())}`);
          done();
        });
      };
      const atMs = (k * arp.intervalMs) / 2;
      if (atMs === 0) fire();
      else {
        const timer = setTimeout(fire, atMs);
        job.timers.push(timer);
      }
    }
  }

  /** Stops the announcement of `ip`: pending frames are not sent, running arpings get SIGTERM. */
  cancel(ip: string): void {
    const job = this.running.get(ip);
    if (!job) return;
    this.running.delete(ip);
    for (const t of job.timers) clearTimeout(t);
    for (const child of job.children) child.kill('SIGTERM');
  }

  cancelAll(): void {
    for (const ip of [...this.running.keys()]) this.cancel(ip);
  }

  /** Whether frames for `ip` are still pending or being sent. */
  active(ip: string): boolean {
    return this.running.has(ip);
  }
}
