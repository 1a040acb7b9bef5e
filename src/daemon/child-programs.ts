// The programs the daemon runs beside itself, and the start-up line on quorum: the ping node
// watchers (ping-watch.ts), whose replies feed the core from the start, and Heartbeat's respawn
// clients (respawn-clients.ts), started once communication is up, as Heartbeat does.
import type { ClusterStatus } from '../cluster/types.js';
import { describeQuorum } from '../config/describe-config.js';
import type { ClusterConfig } from '../config/types.js';
import type { EventLog } from './event-log.js';
import { PingWatch, pingIntervalMs } from './ping-watch.js';
import { RespawnClients, respawnedClients } from './respawn-clients.js';

export interface ChildPrograms {
  /** Ends every program started (by its own PID). */
  stop(): Promise<void>;
}

/** What the children need of the driver: ping replies go in, comm-up is read from the status. */
export interface ChildProgramDriver {
  pingReply(address: string): void;
  status(): ClusterStatus;
}

/** Logs the quorum line, starts the ping watchers now and the respawn clients after comm-up. */
export function startChildPrograms(
  config: ClusterConfig,
  self: string,
  log: EventLog,
  driver: () => ChildProgramDriver | undefined,
): ChildPrograms {
  if (config.nodes.length >= 2)
    log.log(config.quorum === true ? 'warn' : 'info', `quorum ${describeQuorum(config)}`);
  const pings =
    config.pingTargets.length === 0
      ? undefined
      : PingWatch.start({
          targets: config.pingTargets,
          intervalMs: pingIntervalMs(config.keepaliveMs, process.getuid?.() === 0),
          onReply: (address) => driver()?.pingReply(address),
          log: (level, text, fields) => log.log(level, text, fields ?? {}),
        });
  let respawned: RespawnClients | undefined;
  let stopped = false;
  const waitForCommUp =
    respawnedClients(config).length === 0
      ? undefined
      : setInterval(
          () => {
            const phase = driver()?.status().phase;
            if (phase === undefined || phase === 'starting' || stopped) return;
            clearInterval(waitForCommUp);
            respawned = RespawnClients.start({
              config,
              self,
              log: (level, text, fields) => log.log(level, text, fields ?? {}),
            });
          },
          Math.min(config.keepaliveMs, 500),
        );
  waitForCommUp?.unref();
  return {
    stop: async () => {
      stopped = true;
      if (waitForCommUp !== undefined) clearInterval(waitForCommUp);
      await Promise.all([pings?.stop(), respawned?.stop()]);
    },
  };
}
