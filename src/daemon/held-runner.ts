// The daemon's ActionRunner: the resource runner's acquire/release/probe, with every change of what
// this node may be running written to the held-groups record (before a start, after a stop) and
// logged, so a restarted daemon knows what to look at first.
import type { GroupId } from '../config/types.js';
import type { ActionOutcome, ActionRunner } from './driver.js';
import type { EventLog } from './event-log.js';
import type { HeldGroups } from './state-dir.js';

export function heldRunner(
  groupRunner: ActionRunner,
  held: HeldGroups,
  previously: readonly string[],
  log: EventLog,
): ActionRunner {
  const runner: ActionRunner = {
    acquire: async (group, reason) => {
      held.starting(group);
      log.log('info', 'acquire start', { group, reason });
      const out = await groupRunner.acquire(group, reason);
      if (out.stopFailed === true) held.stopFailed(group);
      else if (!out.ok) held.released(group);
      log.log(out.ok ? 'info' : 'error', out.ok ? 'acquire done' : 'acquire failed', {
        group,
        detail: out.detail,
      });
      return out;
    },
    release: async (group, reason) => {
      log.log('info', 'release start', { group, reason });
      const out = await groupRunner.release(group, reason);
      if (out.ok && out.stopFailed !== true) held.released(group);
      else held.stopFailed(group);
      log.log(out.ok ? 'info' : 'error', out.ok ? 'release done' : 'release failed', {
        group,
        detail: out.detail,
      });
      return out;
    },
    probe: async (group) => {
      const out = await groupRunner.probe(group);
      if (out.ok) held.starting(group);
      else if (previously.includes(group) && !out.ok) held.released(group);
      log.log('info', 'probe', { group, running: out.ok ? 'yes' : 'no', detail: out.detail });
      return out;
    },
    gate: (group: GroupId, fromNode: string): Promise<ActionOutcome> => groupRunner.gate(group, fromNode),
  };
  const monitor = groupRunner.monitor?.bind(groupRunner);
  if (monitor) runner.monitor = monitor;
  const restart = groupRunner.restart?.bind(groupRunner);
  if (restart)
    runner.restart = async (group, fromResource, reason) => {
      log.log('warn', 'restart start', { group, reason });
      const out = await restart(group, fromResource, reason);
      // A failed restart stopped the group (as a failed start does), unless a stop failed.
      if (out.stopFailed === true) held.stopFailed(group);
      else if (!out.ok) held.released(group);
      log.log(out.ok ? 'info' : 'error', out.ok ? 'restart done' : 'restart failed', {
        group,
        detail: out.detail,
      });
      return out;
    };
  const announce = groupRunner.announce?.bind(groupRunner);
  if (announce) runner.announce = announce;
  if (groupRunner.setConfig) runner.setConfig = (c) => groupRunner.setConfig?.(c);
  return runner;
}
