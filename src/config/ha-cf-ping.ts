// ha.cf ping nodes: `ping`, `ping6` and `ping_group`, watched by the daemon (daemon/ping-watch.ts)
// and judged by the core (cluster/ping-nodes.ts).
import type { DirectiveHandler } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import { isHostName, isIPv4, isIPv6 } from './config-values.js';

export const ping: DirectiveHandler = (b, value, { at }) => {
  if (isIPv6(value)) {
    b.err(at, `'${value}' is an IPv6 address: write \`ping6 ${value}\``);
    return;
  }
  if (!isIPv4(value) && !isHostName(value)) {
    b.err(at, `ping takes IPv4 addresses or host names, got '${value}'`);
    return;
  }
  b.addPing({ kind: 'ping', name: value.toLowerCase(), addresses: [value], at });
};

export const ping6: DirectiveHandler = (b, value, { at }) => {
  if (!isIPv6(value)) {
    b.err(at, `ping6 takes IPv6 addresses, got '${value}'`);
    return;
  }
  b.addPing({ kind: 'ping6', name: value.toLowerCase(), addresses: [value], at });
};

export const pingGroup: DirectiveHandler = (b, value, { at }) => {
  const [groupName, ...members] = splitWords(value);
  if (groupName === undefined || members.length === 0) {
    b.err(
      at,
      'ping_group needs a name and at least one address, e.g. `ping_group routers 198.18.0.1 198.18.0.254`',
    );
    return;
  }
  const bad = members.find((a) => !isIPv4(a) && !isHostName(a));
  if (bad !== undefined) {
    b.err(at, `ping_group ${groupName}: '${bad}' is not an IPv4 address or host name`);
    return;
  }
  b.addPing({ kind: 'ping_group', name: groupName.toLowerCase(), addresses: members, at });
};
