// The daemon's side of arbitration at start-up: one log line on quorum (and how it differs from
// Heartbeat), and the ping node watchers whose replies feed the core.
import { describeQuorum } from '../config/describe-config.js';
import type { ClusterConfig } from '../config/types.js';
import type { EventLog } from './event-log.js';
import { PingWatch, pingIntervalMs } from './ping-watch.js';

/** Logs the quorum line and starts the ping watchers (none configured: undefined). */
export function startArbitration(
  config: ClusterConfig,
  log: EventLog,
  onReply: (address: string) => void,
): PingWatch | undefined {
  if (config.nodes.length >= 2)
    log.log(config.quorum === true ? 'warn' : 'info', `quorum ${describeQuorum(config)}`);
  if (config.pingTargets.length === 0) return undefined;
  return PingWatch.start({
    targets: config.pingTargets,
    intervalMs: pingIntervalMs(config.keepaliveMs, process.getuid?.() === 0),
    onReply,
    log: (level, text, fields) => log.log(level, text, fields ?? {}),
  });
}
