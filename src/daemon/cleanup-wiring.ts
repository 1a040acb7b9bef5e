// The control socket's `cleanup` (hbts cleanup <group>): the group found by its id or any of its
// resources as written, logged, handed to the core, which tells every hbts peer too.
import type { AdminCommand } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { EventLog } from './event-log.js';

export interface CleanupContext {
  readonly config: ClusterConfig;
  readonly log: EventLog;
  readonly admin: (command: AdminCommand) => void;
}

export function requestCleanup(name: string, ctx: CleanupContext): Record<string, unknown> {
  const groups = ctx.config.resourceGroups;
  const group = groups.find((g) => g.id === name || g.resources.some((r) => r.raw === name));
  if (group === undefined)
    return {
      ok: false,
      error: `no resource group ${name} (groups: ${groups.map((g) => g.id).join(', ') || 'none'})`,
    };
  ctx.log.log('info', 'cleanup requested', { group: group.id });
  ctx.admin({ kind: 'cleanup', group: group.id });
  return { ok: true, message: `cleanup of ${group.id} requested (this node and every hbts peer)` };
}
