// Config agreement: a short hash of everything that must be identical on every node for failover
// to be correct (node list, resource groups, timings, failback mode, auth method). Advertised as
// `hbts_cfg` in every heartbeat so a mismatch shows up before the first failover, not during it.
import { createHash } from 'node:crypto';
import type { ClusterConfig } from '../config/types.js';

export function configFingerprint(config: ClusterConfig): string {
  const activeKey = config.auth.keys.get(config.auth.activeIndex);
  const canonical = [
    `nodes=${config.nodes.join(',')}`,
    `keepalive=${config.keepaliveMs}`,
    `deadtime=${config.deadtimeMs}`,
    `warntime=${config.warntimeMs}`,
    `initdead=${config.initdeadMs}`,
    `auto_failback=${config.autoFailback}`,
    `auth=${activeKey ? activeKey.method : 'none'}`,
    ...config.resourceGroups.map((g) => `group=${g.homeNode}:${g.resources.map((r) => r.raw).join(' ')}`),
  ].join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
