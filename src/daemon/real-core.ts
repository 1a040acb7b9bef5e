// The real core and resource runner behind the daemon's ports: ClusterNode as CoreLike, and the
// resources runner (heartbeat resource.d, LSB, OCF, built-in IPaddr/IPaddr2) as ActionRunner.
import { ClusterNode } from '../cluster/node.js';
import type { ClusterNodeOptions } from '../cluster/types.js';
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import { createResourceRunner, type ScriptTracker } from '../resources/index.js';
import type { ActionRunner, CoreLike } from './driver.js';
import type { EventLog } from './event-log.js';

export function createCore(options: ClusterNodeOptions): CoreLike {
  return new ClusterNode(options);
}

export function createRunner(
  config: ClusterConfig,
  log: EventLog,
  self: string,
  scripts?: ScriptTracker,
): ActionRunner {
  const runner = createResourceRunner({
    config,
    self: self as NodeName,
    log: (line, level) => log.log(level ?? 'info', `resource: ${line}`),
    // a takeover's `ip addr add` goes to an `ip` already running: no process start on that path
    ipBatch: true,
    ...(scripts !== undefined ? { scripts } : {}),
  });
  return {
    acquire: async (group: GroupId) => {
      const r = await runner.acquireGroup(group);
      return { ok: r.ok, detail: r.detail, stopFailed: r.stopFailures.length > 0 };
    },
    release: async (group: GroupId) => {
      const r = await runner.releaseGroup(group);
      return { ok: r.ok, detail: r.detail, stopFailed: r.stopFailures.length > 0 };
    },
    probe: async (group: GroupId) => {
      const r = await runner.probeGroup(group);
      // the core wants "is all of it running here"; a partial group is reported as not running
      return { ok: r.state === 'all', detail: `${r.state} running: ${r.detail}` };
    },
    announce: (group: GroupId) => runner.announceGroup(group),
    // No fencing configured in this build: takeover is allowed at once (Heartbeat without STONITH).
    gate: () => Promise.resolve({ ok: true }),
    setConfig: (c) => runner.setConfig(c),
    close: () => runner.close(),
  };
}
