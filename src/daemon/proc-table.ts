// What Linux's /proc says about processes, as much as the daemon needs to find the scripts a
// previous run of it left behind: each process's group, whether it is still alive (a zombie is
// not: nothing may reap orphans here), when it started (clock ticks since boot, to tell our
// process from a later one that got the same pid), its environment (the script id we put there),
// and which boot we are in (start times only compare within one boot).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly pgrp: number;
  /** One letter: R, S, D, Z (zombie), X (dead), T... */
  readonly state: string;
  /** Field 22 of /proc/PID/stat: start time in clock ticks after boot. */
  readonly startTicks: number;
}

/** /proc/PID/stat, or undefined when the process does not exist (or /proc is not there). */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces and ')': cut at the last.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTicks = Number(fields[19]);
  if (state === undefined || !Number.isInteger(pgrp) || !Number.isInteger(startTicks)) return undefined;
  return { pid, pgrp, state, startTicks };
}

export function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    if (!/^[0-9]+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st !== undefined) out.push(st);
  }
  return out;
}

export function isLive(st: ProcStat): boolean {
  return st.state !== 'Z' && st.state !== 'X';
}

/** Live (not zombie) members of process group `pgid`. */
export function liveMembers(pgid: number, stats: readonly ProcStat[] = allStats()): ProcStat[] {
  return stats.filter((s) => s.pgrp === pgid && isLive(s));
}

/** Whether `pid`'s environment holds exactly `entry` (`NAME=value`); false when unreadable. */
export function environHas(pid: number, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false;
  }
}

/** This boot's id ('' when the kernel does not say): start times from another boot mean nothing. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    return '';
  }
}
