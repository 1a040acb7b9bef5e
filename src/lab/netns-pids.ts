// Which processes run in a network namespace (by its /proc/PID/ns/net identity), for power-off
// in the lab's BMC and for the lab's cleanup: nothing is ever found or killed by name.
import { readdirSync, readFileSync, statSync } from 'node:fs';

export function nsId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined; // gone, or a zombie (its namespace links are not readable)
  }
}

/** A process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the state follows the command name in parentheses, which may itself contain ') '
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Live PIDs whose network namespace is `ns` (what `ip netns pids` lists, zombies left out). */
export function pidsInNamespace(ns: string): number[] {
  const target = nsId(`/run/netns/${ns}`);
  if (target === undefined) return [];
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (nsId(`/proc/${pid}/ns/net`) === target && pidAlive(pid)) out.push(pid);
  }
  return out;
}
