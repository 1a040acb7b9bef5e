// Bad packets never stop the daemon; they are counted by the endpoint and summarised here every
// 10 s, and forged/misconfigured signatures are logged at most once per 10 s per reason (the
// gate's suppressed count goes into the summary). Sequence tracking that moved to another stream
// of a peer (confirmed jump/restart, resync back) too.
import type { ProtocolEndpoint } from '../protocol/endpoint.js';
import type { EventLog } from './event-log.js';
import type { KeyedGate } from './log-limits.js';

export const SUMMARY_INTERVAL_MS = 10_000;

/** Starts the summary timer (unref'd); the caller clears it. */
export function startBadPacketSummary(
  endpoint: ProtocolEndpoint,
  authLogGate: KeyedGate,
  log: EventLog,
): NodeJS.Timeout {
  let lastRejected = endpoint.counters().rejected;
  let lastResyncs = endpoint.counters().resyncs;
  const timer = setInterval(() => {
    const counters = endpoint.counters();
    const now = counters.rejected;
    const delta = Object.entries(now)
      .map(([k, n]) => [k, n - (lastRejected[k as keyof typeof now] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    lastRejected = now;
    const suppressed = authLogGate.takeSuppressed();
    if (delta.length > 0) {
      log.log('warn', 'packets rejected in the last 10 s', {
        ...Object.fromEntries(delta),
        ...(suppressed > 0 ? { 'auth-lines-suppressed': suppressed } : {}),
      });
    }
    if (counters.resyncs > lastResyncs) {
      log.log(
        'warn',
        'sequence tracking resynchronised (a peer jumped, restarted, or a stray packet was outvoted)',
        { count: counters.resyncs - lastResyncs },
      );
    }
    lastResyncs = counters.resyncs;
  }, SUMMARY_INTERVAL_MS);
  timer.unref();
  return timer;
}
