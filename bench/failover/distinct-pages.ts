// Memory a set of processes really holds: the physical pages they map, each counted once. RSS
// summed over a node's processes counts a page every process maps once per process: our
// supervisor and daemon are two Node.js processes that map the same ~43 MB of the node binary
// (the same page-cache pages), keepalived's parent and VRRP child share theirs too. Reading the
// page frame numbers needs root (the benchmark runs as root; without it the kernel hides them and
// this returns undefined). Only mappings with resident pages are read (smaps says which), so a
// Node process's gigabytes of reserved address space cost nothing.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

/** Resident ranges [start, end) of a process, from /proc/PID/smaps. */
function residentRanges(pid: number): [number, number][] {
  const out: [number, number][] = [];
  let range: [number, number] | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (m) {
      range = [parseInt(m[1] as string, 16), parseInt(m[2] as string, 16)];
      continue;
    }
    if (range !== undefined && line.startsWith('Rss:') && !/^Rss:\s+0 kB/.test(line)) {
      out.push(range);
      range = undefined;
    }
  }
  return out;
}

/** Adds the frame numbers of `pid`'s present pages to `frames`; false when they are hidden. */
function addFrames(pid: number, frames: Set<bigint>): boolean {
  const fd = openSync(`/proc/${pid}/pagemap`, 'r');
  try {
    let anyFrame = false;
    let anyPresent = false;
    for (const [start, end] of residentRanges(pid)) {
      const pages = (end - start) / PAGE;
      const buf = Buffer.alloc(pages * 8);
      readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
      for (let i = 0; i < pages; i++) {
        const e = buf.readBigUInt64LE(i * 8);
        if ((e & PRESENT) === 0n) continue;
        anyPresent = true;
        const pfn = e & PFN_MASK;
        if (pfn !== 0n) anyFrame = true;
        frames.add(pfn);
      }
    }
    return anyFrame || !anyPresent;
  } finally {
    closeSync(fd);
  }
}

/**
 * KiB of distinct physical pages the processes map; undefined when the frames are hidden (not
 * root) or nothing could be read. A process that ended meanwhile (an `arping` of a takeover) is
 * left out, as the RSS sum leaves it out.
 */
export function distinctKb(pids: readonly number[]): number | undefined {
  const frames = new Set<bigint>();
  let read = 0;
  for (const pid of pids) {
    let visible: boolean;
    try {
      visible = addFrames(pid, frames);
    } catch {
      continue; // gone, or its maps changed under us: as if it had ended a moment earlier
    }
    if (!visible) return undefined;
    read++;
  }
  return read === 0 ? undefined : (frames.size * PAGE) / 1024;
}
