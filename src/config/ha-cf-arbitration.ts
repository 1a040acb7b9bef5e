// Arbitration, our extensions (in ha.cf or hbts.cf): `quorum on|off` (a partition without a
// majority of the node lines releases its groups and takes none) and `ping_policy off|ipfail`
// (groups go where the most ping nodes answer). Heartbeat's own `respawn <user> .../ipfail` line
// turns ipfail on as well: Debian 12 ships no ipfail binary, so the daemon does its job itself.
import type { ArbitrationSettings } from './arbitration-config.js';
import type { DirectiveHandler, HaCfBuilder } from './ha-cf-builder.js';
import { isIpfailLine } from './ha-cf-directives.js';

export const quorum: DirectiveHandler = (b, value, { name, at }) => {
  const on = b.bool(name, value, at);
  if (on !== undefined) b.quorum = { value: on, at };
};

export const pingPolicy: DirectiveHandler = (b, value, { name, at }) => {
  const policy = b.oneOf(name, value, at, ['off', 'ipfail'] as const);
  if (policy !== undefined) b.pingPolicy = { value: policy, at };
};

/** Defaults (quorum on from 3 nodes; ipfail when a respawn line names it) and their checks. */
export function finishArbitration(b: HaCfBuilder): ArbitrationSettings {
  const nodeCount = b.nodes.length;
  const quorumOn = b.quorum?.value ?? nodeCount >= 3;
  const ipfailLine = b.clients.find((c) => c.kind === 'respawn' && isIpfailLine(`${c.user} ${c.path}`));
  const pingPolicy = b.pingPolicy?.value ?? (ipfailLine !== undefined ? 'ipfail' : 'off');
  if (b.quorum?.value === true && nodeCount === 2 && b.pingTargets.length === 0) {
    b.warn(
      b.quorum.at,
      'quorum on with 2 nodes: a node alone has no majority, so losing either node stops every group; ' +
        'add a ping node as tiebreaker (the node that reaches it may hold the groups), or an arbiter',
    );
  }
  if (pingPolicy === 'ipfail' && b.pingTargets.length === 0) {
    const at = b.pingPolicy?.at ?? ipfailLine?.at;
    if (at !== undefined)
      b.warn(at, 'ipfail has no effect: there is no ping, ping6 or ping_group line to compare nodes by');
  }
  return { quorum: quorumOn, pingPolicy };
}
