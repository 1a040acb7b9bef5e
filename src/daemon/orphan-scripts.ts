// Start-up policy for start/stop scripts a previous run of the daemon left behind (it was killed
// while they ran; they live on in their own process groups). Run before any probe, before the
// media open, so the new daemon never acts on a group while an orphan still acts on it:
//
// 1. A record from another boot is stale: dropped. A record whose daemon (pid + start time) is
//    still alive means another daemon uses this state dir: start-up is refused.
// 2. The record's process group is ours if its leader has the recorded start time (a reused pid
//    has another), or if a live process carries the record's HBTS_SCRIPT_ID in its environment.
//    A group that is not ours is left alone.
// 3. A live group of ours gets SIGTERM, then SIGKILL after the kill grace (the same escalation as a
//    timeout). We do not wait for it to finish: the new daemon advertises nothing held while it
//    probes, so a peer may place the group elsewhere as soon as it hears us (or after deadtime if we
//    stay silent); an orphan left running could then run the group on two nodes.
// 4. Every group with a leftover record (its script killed or finished unseen) is returned, to be
//    released (stopped right to left) before it is probed: whatever the interrupted start or stop
//    left half done is cleaned up, and placement then starts the group afresh, exactly once.
import { DaemonError } from './errors.js';
import type { ScriptRecord, ScriptRecords } from './script-records.js';
import { SCRIPT_ID_VAR } from './script-records.js';
import { allStats, bootId, environHas, isLive, liveMembers, readStat, type ProcStat } from './proc-table.js';

export type OrphanLog = (
  level: 'info' | 'warn' | 'error' | 'crit',
  text: string,
  fields: Record<string, string | number | undefined>,
) => void;

export interface OrphanOptions {
  /** SIGTERM -> SIGKILL grace (the runner's killGraceMs). */
  readonly killGraceMs: number;
  readonly log: OrphanLog;
  /** How long to wait for the group to vanish after SIGKILL. Default 2000. */
  readonly afterKillMs?: number;
}

/** A leftover record belongs to a daemon that is still running on this state dir. */
export class AnotherDaemonError extends DaemonError {}

const POLL_MS = 25;

/**
 * Applies the policy above to every record; returns the groups to release before probing.
 * Throws AnotherDaemonError when a record belongs to a daemon that is still running.
 */
export async function reapOrphanScripts(records: ScriptRecords, opts: OrphanOptions): Promise<string[]> {
  const { records: list, problems } = records.list();
  for (const p of problems) opts.log('warn', 'unreadable script record ignored', { problem: p });
  const boot = bootId();
  const groups = new Set<string>();
  for (const rec of list) {
    if (rec.bootId !== boot) {
      records.remove(rec.id);
      opts.log('info', 'script record from before the last reboot dropped', { group: rec.group, op: rec.op });
      continue;
    }
    const daemon = readStat(rec.daemonPid);
    if (daemon !== undefined && isLive(daemon) && daemon.startTicks === rec.daemonStartTicks)
      throw new AnotherDaemonError(
        `the daemon that started ${rec.op} of ${rec.resource} (pid ${rec.daemonPid}) is still running on this state dir`,
      );
    const pgids = ourGroups(rec, allStats());
    const fields = { group: rec.group, resource: rec.resource, op: rec.op, since: rec.recordedAt };
    if (pgids.length === 0) {
      opts.log(
        'warn',
        'a start/stop of the previous run ended unseen; the group is stopped before probing',
        fields,
      );
    } else {
      opts.log('warn', 'script left running by the previous run: killing its process group', {
        ...fields,
        pgid: pgids.join(','),
      });
      const survivors = await killGroups(pgids, opts);
      if (survivors.length > 0)
        opts.log('crit', 'processes of an orphaned script survived SIGKILL (uninterruptible?)', {
          ...fields,
          pids: survivors.join(','),
        });
    }
    groups.add(rec.group);
    records.remove(rec.id);
  }
  return [...groups];
}

/** The live process groups that provably belong to this record's script. */
export function ourGroups(rec: ScriptRecord, stats: readonly ProcStat[]): number[] {
  const out = new Set<number>();
  if (rec.pgid !== undefined && rec.pgidStartTicks !== undefined) {
    const leader = stats.find((s) => s.pid === rec.pgid);
    // The leader may have exited (a zombie still counts: its pid cannot have been reused yet).
    if (leader?.startTicks === rec.pgidStartTicks && liveMembers(rec.pgid, stats).length > 0)
      out.add(rec.pgid);
  }
  const marker = `${SCRIPT_ID_VAR}=${rec.id}`;
  for (const s of stats) if (isLive(s) && !out.has(s.pgrp) && environHas(s.pid, marker)) out.add(s.pgrp);
  return [...out];
}

/** SIGTERM each group, SIGKILL what is left after the grace; returns pids still alive after that. */
async function killGroups(pgids: readonly number[], opts: OrphanOptions): Promise<number[]> {
  const signal = (sig: NodeJS.Signals): void => {
    for (const pgid of pgids) {
      try {
        process.kill(-pgid, sig);
      } catch {
        // ESRCH: already gone
      }
    }
  };
  const alive = (): ProcStat[] => {
    const stats = allStats();
    return pgids.flatMap((g) => liveMembers(g, stats));
  };
  signal('SIGTERM');
  if (await waitGone(alive, opts.killGraceMs)) return [];
  signal('SIGKILL');
  if (await waitGone(alive, opts.afterKillMs ?? 2000)) return [];
  return alive().map((s) => s.pid);
}

async function waitGone(alive: () => ProcStat[], ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  for (;;) {
    if (alive().length === 0) return true;
    if (performance.now() >= end) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
