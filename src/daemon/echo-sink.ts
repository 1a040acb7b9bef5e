// Redundancy in time for fast heartbeats: every packet is sent a second time half a keepalive
// later, when fewer than five keepalives fit into the deadtime (10ms/40ms, 10ms/30ms). With 5 %
// random loss a peer is then declared dead only if both copies of every heartbeat in the deadtime
// are lost (p^8 for four intervals instead of p^4: from about one false death per ten minutes to
// none in a lifetime). The copy carries the same sequence number: a receiver that got the first
// counts the second as a duplicate (the endpoint's `duplicates` counter; real Heartbeat does the
// same with packets arriving on two media), one that lost the first takes the second. Slower
// timings, where a single loss cannot come near the deadtime, send each packet once.
import type { PacketSink } from './driver.js';

/** The delay of the copy (ms), or undefined when one copy is enough. */
export function echoDelayMs(keepaliveMs: number, deadtimeMs: number): number | undefined {
  if (keepaliveMs <= 0 || deadtimeMs >= 5 * keepaliveMs) return undefined;
  return Math.max(1, Math.round(keepaliveMs / 2));
}

/** A sink that sends every packet now and again after `delayMs()` (undefined: only now). */
export function withEcho(
  sink: PacketSink,
  delayMs: () => number | undefined,
): PacketSink & { close(): void } {
  const pending = new Set<NodeJS.Timeout>();
  let closed = false;
  return {
    send(medium, bytes) {
      sink.send(medium, bytes);
      const d = delayMs();
      if (d === undefined || closed) return;
      const t = setTimeout(() => {
        pending.delete(t);
        if (closed) return;
        try {
          sink.send(medium, bytes);
        } catch {
          // the daemon is stopping and its sockets are closed: the first copy went out
        }
      }, d);
      // a copy still pending never keeps a stopping daemon alive
      t.unref();
      pending.add(t);
    },
    close() {
      closed = true;
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}
