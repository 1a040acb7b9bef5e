// The daemon's side of fencing: the core's `fence` action runs the fence runner (`off`, confirmed)
// and its outcome goes back as the action's result; `hbts fence --confirm-off NODE` reaches the
// core as the admin command `fence-confirmed` (the operator has checked the node is off, as with
// Heartbeat's meatware), logged at crit because from then on the node's groups may be taken over
// on a human's word alone.
import type { AdminCommand } from '../cluster/types.js';
import type { NodeName } from '../config/types.js';
import type { FenceRunner } from '../fencing/fence-runner.js';
import type { ActionRunner } from './driver.js';
import type { EventLog } from './event-log.js';

/** The runner the driver uses: the resource runner plus `fence`. */
export function withFencing(runner: ActionRunner, fencer: FenceRunner, log: EventLog): ActionRunner {
  return {
    ...runner,
    fence: async (node, reason) => {
      log.log('warn', 'fencing node', { node, reason });
      const out = await fencer.fence(node as NodeName, 'off');
      if (out.ok) log.log('warn', 'node fenced', { node, method: out.method, detail: out.detail });
      else log.log('error', 'fence failed', { node, method: out.method, detail: out.detail });
      return { ok: out.ok, detail: out.detail };
    },
  };
}

export interface ConfirmContext {
  readonly nodes: readonly NodeName[];
  readonly self: string;
  readonly log: EventLog;
  readonly admin: (command: AdminCommand) => void;
}

/** The control socket's `fence-confirmed`: checked, logged at crit, handed to the core. */
export function confirmFenced(node: string, ctx: ConfirmContext): Record<string, unknown> {
  const name = node.toLowerCase() as NodeName;
  if (!ctx.nodes.includes(name))
    return { ok: false, error: `'${node}' is not a node of this cluster (${ctx.nodes.join(', ')})` };
  if (name === ctx.self) return { ok: false, error: `'${node}' is this node: confirm it from another node` };
  ctx.log.log('crit', 'operator confirms the node is off (hbts fence --confirm-off); it counts as fenced', {
    node: name,
  });
  ctx.admin({ kind: 'fence-confirmed', node: name });
  return { ok: true, message: `${name} recorded as fenced by hand; its groups may now be taken over` };
}
