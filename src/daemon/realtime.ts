// Heartbeat's `realtime` directive (default on) and `rtprio` (default 1, as Heartbeat's processes
// ran in the peers' baseline: SCHED_RR priority 1): every thread of the daemon is moved to
// SCHED_RR with `chrt --all-tasks --rr -p PRIO PID` (util-linux; Node cannot call
// sched_setscheduler itself), so busy SCHED_OTHER processes on the machine cannot delay a
// heartbeat, a deadline or a takeover. Threads started later inherit it, and so do the short
// children of the takeover path (`ip -batch`, `arping`); resource scripts and fence agents are put
// back to normal priority (runCommandsAtNormalPriority). The kernel's real-time throttling
// (sched_rt_runtime_us, 95 % by default) keeps a runaway daemon from freezing the machine.
// Memory is not locked: Node has no mlockall() without a native add-on (Heartbeat's
// "Cannot lock ourselves into memory" is the usual outcome on these machines anyway); this is
// said once in the log.
import { existsSync } from 'node:fs';
import { runCommand, runCommandsAtNormalPriority } from '../resources/run-command.js';
import type { EventLog } from './event-log.js';
import type { TimerLag } from './timer-lag.js';

export interface RealtimePlan {
  readonly on: boolean;
  readonly priority: number;
}

const FALSE_WORDS = new Set(['off', 'no', 'false', 'n', '0']);

/** What ha.cf asks for: `realtime` (default on) and `rtprio` (default 1), last line wins. */
export function realtimePlan(directives: ReadonlyMap<string, readonly string[]>): RealtimePlan {
  const rt = directives.get('realtime')?.at(-1);
  const prio = Number(directives.get('rtprio')?.at(-1) ?? 1);
  return {
    on: rt === undefined || !FALSE_WORDS.has(rt.trim().toLowerCase()),
    priority: Number.isInteger(prio) && prio >= 1 && prio <= 99 ? prio : 1,
  };
}

export const CHRT_PATHS = ['/usr/bin/chrt', '/bin/chrt'];

export interface RealtimeOutcome {
  readonly applied: boolean;
  readonly detail: string;
}

/** Move every thread of `pid` to SCHED_RR at the plan's priority; never throws. */
export async function applyRealtime(
  plan: RealtimePlan,
  pid: number,
  chrtPaths: readonly string[] = CHRT_PATHS,
): Promise<RealtimeOutcome> {
  if (!plan.on) return { applied: false, detail: 'realtime off: normal scheduling' };
  const chrt = chrtPaths.find((p) => existsSync(p));
  if (chrt === undefined)
    return {
      applied: false,
      detail: 'realtime on, but chrt (util-linux) is not installed: normal scheduling',
    };
  const out = await runCommand({
    file: chrt,
    args: ['--all-tasks', '--rr', '-p', String(plan.priority), String(pid)],
    env: {},
    timeoutMs: 2000,
    killGraceMs: 500,
  });
  if (out.kind !== 'exited' || out.code !== 0) {
    const why = out.kind === 'exited' ? out.stderr.trim() || `exit ${out.code}` : out.kind;
    return { applied: false, detail: `realtime on, but chrt failed (${why}): normal scheduling` };
  }
  runCommandsAtNormalPriority(chrt);
  return {
    applied: true,
    detail: `SCHED_RR priority ${plan.priority} for every thread; resource scripts run at normal priority; memory not locked (Node has no mlockall)`,
  };
}

/** The daemon's start: apply ha.cf's plan to this process, note the outcome in the status, log it. */
export async function goRealtime(
  directives: ReadonlyMap<string, readonly string[]>,
  status: TimerLag,
  log: EventLog,
): Promise<void> {
  const o = await applyRealtime(realtimePlan(directives), process.pid);
  status.scheduling = o.applied ? 'SCHED_RR' : 'normal';
  log.log(o.applied ? 'info' : 'warn', 'realtime', { text: o.detail });
}
