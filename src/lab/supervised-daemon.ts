// Which process is the daemon a node's `hbts daemon` supervisor runs now: the lab's crash (SIGKILL of
// supervisor and daemon) and the demo need its pid, read from the run dir and checked in /proc.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The daemon a supervisor runs: the pid in RUN/hbts.pid when that process is alive and its parent
 * is the supervisor (a stale file or a reused pid is not taken for it).
 */
export function supervisedDaemonPid(supervisorPid: number, runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, 'hbts.pid'), 'utf8').trim());
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after the command name in parentheses: state, ppid, ...
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(ppid) === supervisorPid && state !== 'Z' ? pid : undefined;
  } catch {
    return undefined;
  }
}
