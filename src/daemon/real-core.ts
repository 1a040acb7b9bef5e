// The real core and resource runner behind the daemon's ports: ClusterNode as CoreLike, and the
// resources runner (heartbeat resource.d, LSB, OCF, built-in IPaddr/IPaddr2) as ActionRunner.
import { ClusterNode } from '../cluster/node.js';
import type { ClusterNodeOptions } from '../cluster/types.js';
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import { createResourceRunner, type GroupEnv, type ScriptTracker } from '../resources/index.js';
import type { ActionRunner, CoreLike } from './driver.js';
import type { EventLog } from './event-log.js';
import { runCheck } from './monitor-runner.js';

export function createCore(options: ClusterNodeOptions): CoreLike {
  return new ClusterNode(options);
}

export function createRunner(
  config: ClusterConfig,
  log: EventLog,
  self: string,
  scripts?: ScriptTracker,
  groupEnv?: GroupEnv,
): ActionRunner {
  let current = config;
  const runner = createResourceRunner({
    config,
    self: self as NodeName,
    ...(groupEnv !== undefined ? { groupEnv } : {}),
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
    monitor: async (group: GroupId, index: number) => {
      const m = current.monitors?.[index];
      if (m === undefined || m.group !== group)
        return { ok: true, detail: `health check ${index} of ${group} is not configured any more` };
      const rsc = current.resourceGroups.find((g) => g.id === group)?.resources[m.resourceIndex];
      const env = {
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        HBTS_GROUP: group,
        HBTS_RESOURCE: m.resource,
      };
      const out = await runCheck(m, rsc, { statusResource: (r, c) => runner.statusResource(r, c), env });
      if (!out.ok)
        log.log('warn', 'health check failed', { group, resource: m.resource, detail: out.detail });
      return out;
    },
    restart: async (group: GroupId, fromResource: number) => {
      const r = await runner.restartGroup(group, fromResource);
      // A stop that failed before anything was started again: the group still runs (in part) here
      // and stays held; the next check finds it broken and the policy goes on from there (a release
      // whose stop fails keeps it held for the operator).
      if (!r.ok && r.stopFailures.length > 0 && !r.steps.some((s) => s.op === 'start'))
        return { ok: true, detail: r.detail };
      return { ok: r.ok, detail: r.detail, stopFailed: r.stopFailures.length > 0 };
    },
    // No fencing configured in this build: takeover is allowed at once (Heartbeat without STONITH).
    gate: () => Promise.resolve({ ok: true }),
    setConfig: (c) => {
      current = c;
      runner.setConfig(c);
    },
    close: () => runner.close(),
  };
}
