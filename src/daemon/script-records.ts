// Durable records of the start/stop scripts running right now, one file per script in
// STATE/scripts/. A script runs in its own process group and outlives a daemon killed under it; the
// record is what lets the next daemon find it (orphan-scripts.ts) instead of starting the group a
// second time while the orphan is still at work.
//
// The record is written (fsync of file and dir) *before* the spawn, with a random id that the
// script also gets in its environment (HBTS_SCRIPT_ID), so even a daemon killed between the spawn
// and the next line leaves a way to find the script's processes. Right after the spawn it is
// rewritten with the pid (= process group id) and that process's start time. It is removed when
// the script exits; losing that removal in a crash is harmless (the next daemon finds the group
// gone, or not ours).
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ScriptHandle, ScriptInfo, ScriptTracker } from '../resources/index.js';
import { ensurePrivateDir, readFileNoFollow, writeFileNoFollow } from './private-dir.js';
import { bootId, readStat } from './proc-table.js';

export const SCRIPT_ID_VAR = 'HBTS_SCRIPT_ID';

export interface ScriptRecord {
  /** Random; also `HBTS_SCRIPT_ID` in the script's environment. */
  readonly id: string;
  readonly bootId: string;
  /** The daemon that ran it, and its start time (a live one means: not an orphan). */
  readonly daemonPid: number;
  readonly daemonStartTicks: number | undefined;
  readonly group: string;
  readonly resource: string;
  readonly op: 'start' | 'stop';
  readonly file: string;
  readonly timeoutMs: number;
  /** Wall-clock time of the record, ISO 8601 (for the log). */
  readonly recordedAt: string;
  /** Set right after the spawn: the script's pid, which is its process group id. */
  readonly pgid?: number;
  readonly pgidStartTicks?: number;
}

const RECORD_SUFFIX = '.json';

export class ScriptRecords implements ScriptTracker {
  private readonly selfStartTicks = readStat(process.pid)?.startTicks;
  private readonly boot = bootId();

  constructor(readonly dir: string) {}

  /** Check (or create) the records dir; throws with the fix when it is unsafe. */
  open(): void {
    ensurePrivateDir(this.dir, 'script record dir');
  }

  begin(info: ScriptInfo): ScriptHandle {
    const base: ScriptRecord = {
      id: randomBytes(16).toString('hex'),
      bootId: this.boot,
      daemonPid: process.pid,
      daemonStartTicks: this.selfStartTicks,
      group: info.group,
      resource: info.resource,
      op: info.op,
      file: info.file,
      timeoutMs: info.timeoutMs,
      recordedAt: new Date().toISOString(),
    };
    const path = join(this.dir, base.id + RECORD_SUFFIX);
    this.write(path, base);
    let ended = false;
    return {
      env: { [SCRIPT_ID_VAR]: base.id },
      spawned: (pid) => {
        if (ended) return;
        try {
          const startTicks = readStat(pid)?.startTicks;
          this.write(path, {
            ...base,
            pgid: pid,
            ...(startTicks !== undefined ? { pgidStartTicks: startTicks } : {}),
          });
        } catch {
          // The record without a pgid still finds the script through its environment.
        }
      },
      end: () => {
        ended = true;
        rmSync(path, { force: true });
        rmSync(`${path}.tmp`, { force: true });
      },
    };
  }

  /** Every record left in the dir, and one line per file that is not a readable record. */
  list(): { records: ScriptRecord[]; problems: string[] } {
    const records: ScriptRecord[] = [];
    const problems: string[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const path = join(this.dir, name);
      if (!name.endsWith(RECORD_SUFFIX)) {
        // a temp file from a crash during a write: the record it would have replaced is still there
        if (name.endsWith(`${RECORD_SUFFIX}.tmp`)) rmSync(path, { force: true });
        continue;
      }
      try {
        const parsed = parseRecord(readFileNoFollow(path)?.toString('utf8') ?? '');
        if (parsed === undefined) problems.push(`${path}: not a script record`);
        else records.push(parsed);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    return { records, problems };
  }

  remove(id: string): void {
    rmSync(join(this.dir, id + RECORD_SUFFIX), { force: true });
  }

  private write(path: string, record: ScriptRecord): void {
    writeFileNoFollow(path, JSON.stringify(record) + '\n', true);
  }
}

function parseRecord(text: string): ScriptRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  const int = (k: string): number | undefined =>
    typeof o[k] === 'number' && Number.isInteger(o[k]) && o[k] > 0 ? o[k] : undefined;
  const id = str('id');
  const group = str('group');
  const op = str('op');
  const daemonPid = int('daemonPid');
  if (id === undefined || !/^[0-9a-f]{32}$/.test(id) || group === undefined || daemonPid === undefined)
    return undefined;
  if (op !== 'start' && op !== 'stop') return undefined;
  const pgid = int('pgid');
  const pgidStartTicks = int('pgidStartTicks');
  return {
    id,
    bootId: str('bootId') ?? '',
    daemonPid,
    daemonStartTicks: int('daemonStartTicks'),
    group,
    resource: str('resource') ?? '?',
    op,
    file: str('file') ?? '?',
    timeoutMs: int('timeoutMs') ?? 0,
    recordedAt: str('recordedAt') ?? '?',
    ...(pgid !== undefined ? { pgid } : {}),
    ...(pgidStartTicks !== undefined ? { pgidStartTicks } : {}),
  };
}
