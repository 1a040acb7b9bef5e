// What the daemon keeps across restarts in --state-dir: its identity (hb_uuid: 16 raw bytes, and
// hb_generation: incremented and fsynced on every start, same file formats as Heartbeat's
// /var/lib/heartbeat), the record of groups it holds (held-groups.json), so that a restarted
// daemon knows what it may have left running and probes it before anything else, and the records of
// start/stop scripts still running (scripts/, see script-records.ts). The dir must be private to
// the daemon (private-dir.ts): nothing in it is written or read through a symlink.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StateDirError } from './errors.js';
import { ensurePrivateDir, readFileNoFollow, writeFileNoFollow } from './private-dir.js';
import { nextGeneration } from './generation-counter.js';

export interface Identity {
  readonly uuid: Uint8Array;
  readonly generation: number;
}

export interface HeldRecord {
  /** Groups this node started (or was starting) and has not released successfully. */
  readonly groups: readonly string[];
  /** Groups whose stop failed: resources may still be running here. */
  readonly failed: readonly string[];
}

export class StateDir {
  constructor(readonly dir: string) {}

  /** Where the records of running start/stop scripts live (see script-records.ts). */
  get scriptsDir(): string {
    return join(this.dir, 'scripts');
  }

  /**
   * Check (or create) the dir, load (or create) the uuid and bump the generation; throws with a
   * clear message on an unsafe dir or a corrupt file.
   */
  openIdentity(): Identity {
    ensurePrivateDir(this.dir, 'state dir');
    const uuidPath = join(this.dir, 'hb_uuid');
    let uuid = readFileNoFollow(uuidPath);
    if (uuid === undefined) {
      uuid = randomBytes(16);
      writeFileNoFollow(uuidPath, uuid, true);
    } else if (uuid.length !== 16) {
      throw new StateDirError(
        `${uuidPath}: expected 16 bytes, found ${uuid.length} (delete it to get a new uuid)`,
      );
    }
    const genPath = join(this.dir, 'hb_generation');
    // Exact integer arithmetic, Heartbeat's format (generation-counter.ts); never through a symlink.
    const raw = readFileNoFollow(genPath);
    const next = nextGeneration(raw?.toString('latin1'), genPath);
    writeFileNoFollow(genPath, next.fileText, true);
    const generation = next.generation;
    return { uuid: new Uint8Array(uuid), generation };
  }

  readHeld(): HeldRecord {
    const raw = readFileNoFollow(join(this.dir, 'held-groups.json'));
    if (raw === undefined) return { groups: [], failed: [] };
    try {
      const v = JSON.parse(raw.toString('utf8')) as Partial<HeldRecord>;
      const strings = (x: unknown): string[] =>
        Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
      return { groups: strings(v.groups), failed: strings(v.failed) };
    } catch {
      // a torn or hand-edited file: treat every group as possibly held (the daemon probes them all)
      return { groups: [], failed: [] };
    }
  }

  /**
   * Written before every start, on the takeover path: atomic (rename) but not fsynced. The record
   * is for a daemon restarted on a running host (the page cache survives a daemon crash); a power
   * loss takes the VIPs and every started process with it. Two fsyncs here held the event loop,
   * heartbeats included, 5-30 ms on a loaded disk before every takeover.
   */
  writeHeld(record: HeldRecord): void {
    writeFileNoFollow(join(this.dir, 'held-groups.json'), JSON.stringify(record, null, 1) + '\n', false);
  }
}

/** Mutable view of the held record, written through on every change. */
export class HeldGroups {
  private readonly groups: Set<string>;
  private readonly failed: Set<string>;

  constructor(private readonly state: StateDir) {
    const r = state.readHeld();
    this.groups = new Set(r.groups);
    this.failed = new Set(r.failed);
  }

  previouslyHeld(): string[] {
    return [...new Set([...this.groups, ...this.failed])];
  }

  starting(group: string): void {
    this.groups.add(group);
    this.save();
  }

  released(group: string): void {
    this.groups.delete(group);
    this.failed.delete(group);
    this.save();
  }

  stopFailed(group: string): void {
    this.failed.add(group);
    this.save();
  }

  snapshot(): HeldRecord {
    return { groups: [...this.groups], failed: [...this.failed] };
  }

  private save(): void {
    this.state.writeHeld(this.snapshot());
  }
}
