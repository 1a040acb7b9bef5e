// The daemon's answer to each control request (`hbts status|standby|takeover|shutdown|reload|
// events|fence|cleanup|api`), from the control socket, the read-only status socket and the API.
// daemon.ts hands over what the answers act on.
import type { AdminCommand, ResourceSet } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { ApiHost } from '../api/api-host.js';
import { requestCleanup } from './cleanup-wiring.js';
import type { ControlRequest } from './control-protocol.js';
import type { DaemonStatus } from './daemon-status.js';
import type { EventFeed } from './event-feed.js';
import type { EventLog } from './event-log.js';
import { confirmFenced } from './fence-wiring.js';

export interface ControlContext {
  readonly self: string;
  readonly log: EventLog;
  readonly feed: EventFeed;
  readonly api: ApiHost;
  /** The running configuration (a reload replaces it). */
  config(): ClusterConfig;
  status(): DaemonStatus;
  /** Hands a command to the core (dropped before the core exists). */
  admin(command: AdminCommand): void;
  shutdown(): void;
  reload(): Promise<{ ok: boolean; message: string }>;
}

export async function handleControlRequest(
  ctx: ControlContext,
  req: ControlRequest,
): Promise<Record<string, unknown>> {
  switch (req.cmd) {
    case 'status':
      return { ok: true, status: ctx.status() };
    case 'standby':
    case 'takeover':
      ctx.admin({ kind: req.cmd, set: req.set as ResourceSet });
      return { ok: true, message: `${req.cmd} ${req.set} requested` };
    case 'shutdown':
      ctx.shutdown();
      return { ok: true, message: 'shutdown started' };
    case 'reload': {
      const r = await ctx.reload();
      return r.ok ? { ok: true, message: r.message } : { ok: false, error: r.message };
    }
    case 'events':
      return await ctx.feed.reply(req);
    case 'fence-confirmed':
      return confirmFenced(req.node, {
        nodes: ctx.config().nodes,
        self: ctx.self,
        log: ctx.log,
        admin: ctx.admin,
      });
    case 'cleanup':
      return requestCleanup(req.group, { config: ctx.config(), log: ctx.log, admin: ctx.admin });
    case 'api':
      return ctx.api.control(req);
  }
}
