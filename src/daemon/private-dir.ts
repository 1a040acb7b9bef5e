// The run and state dirs, and the files the daemon writes in them. The daemon runs as root, so
// nobody else may be able to redirect a write there: each dir must be owned by the daemon's
// effective uid and not writable by group or others (created 0700 when missing), every existing
// directory above it must be owned by root or us and not writable by others (unless sticky, like
// /tmp), so nobody can swap it; files are written under a fresh temp name opened with
// O_CREAT|O_EXCL|O_NOFOLLOW and renamed into place, and read with O_NOFOLLOW. No symlink is ever
// followed inside these dirs.
import {
  closeSync,
  chmodSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DaemonError } from './errors.js';

/** A run/state dir, or a file in one, that others could use to redirect the daemon's writes. */
export class UnsafePathError extends DaemonError {}

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

/** The daemon's effective uid (0 in production; the loopback demo runs as any user). */
export function effectiveUid(): number {
  return process.geteuid?.() ?? 0;
}

function lstatOptional(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const octal = (mode: number): string => '0' + (mode & 0o7777).toString(8);

/**
 * Every existing directory on the way to `dir` (itself included) must be safe from other users:
 * owned by root or `uid`, and not writable by group/others unless sticky. Symlinks on the way must
 * be owned by root or `uid`, and their targets pass the same test. Returns the problem, if any.
 */
function ancestorProblem(dir: string, uid: number, depth = 0): string | undefined {
  const trusted = (owner: number): boolean => owner === 0 || owner === uid;
  let current = '/';
  const parts = resolve(dir)
    .split('/')
    .filter((p) => p !== '');
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) current = join(current, parts[i - 1] ?? '');
    const st = lstatOptional(current);
    if (st === undefined) return undefined; // the rest does not exist yet: we create it
    if (st.isSymbolicLink()) {
      if (!trusted(st.uid)) return `${current} is a symbolic link owned by uid ${st.uid} (not root or us)`;
      if (depth >= 8) return `${current}: too many levels of symbolic links`;
      const target = realpathSync(current);
      const problem = ancestorProblem(target, uid, depth + 1);
      if (problem !== undefined) return problem;
      current = target;
      continue;
    }
    if (!st.isDirectory()) return `${current} is not a directory`;
    if (!trusted(st.uid))
      return `${current} is owned by uid ${st.uid}, who could replace what is below it: use a directory owned by root or by uid ${uid}`;
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0)
      return `${current} is writable by group or others (mode ${octal(st.mode)}) without the sticky bit: chmod go-w ${current}`;
  }
  return undefined;
}

/**
 * Make sure `path` is a private directory of ours: create it 0700 (parents too) when missing;
 * otherwise it must be a real directory (not a symlink) owned by `uid` and not writable by group or
 * others. Throws an Error whose message says what is wrong and the command that fixes it.
 */
export function ensurePrivateDir(path: string, label: string, uid = effectiveUid()): void {
  const abs = resolve(path);
  const above = ancestorProblem(dirname(abs), uid);
  if (above !== undefined) throw new UnsafePathError(`${label} ${abs}: ${above}`);
  let st = lstatOptional(abs);
  if (st === undefined) {
    try {
      mkdirSync(abs, { recursive: true, mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new UnsafePathError(`${label} ${abs}: cannot create it: ${(err as Error).message}`, {
          cause: err,
        });
    }
    st = lstatSync(abs);
    // ours and just made: undo whatever the umask did (checked again below)
    if (st.isDirectory() && st.uid === uid) chmodSync(abs, 0o700);
    st = lstatSync(abs);
  }
  if (st.isSymbolicLink())
    throw new UnsafePathError(
      `${label} ${abs} is a symbolic link; give the real directory (the daemon never follows links here)`,
    );
  if (!st.isDirectory()) throw new UnsafePathError(`${label} ${abs} exists and is not a directory`);
  if (st.uid !== uid)
    throw new UnsafePathError(
      `${label} ${abs} is owned by uid ${st.uid}, not by this daemon (uid ${uid}): chown ${uid} ${abs}, or use another directory`,
    );
  if ((st.mode & 0o022) !== 0)
    throw new UnsafePathError(
      `${label} ${abs} is writable by group or others (mode ${octal(st.mode)}): chmod 0700 ${abs}`,
    );
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replace `path` with `data`, never writing through a symlink: a fresh `<path>.tmp` (whatever was
 * there, a planted link included, is unlinked first, not followed) is created with
 * O_EXCL|O_NOFOLLOW and mode 0600, then renamed over `path` (rename replaces a link, it does not
 * follow it). `durable`: fsync the file before the rename and the directory after it.
 */
export function writeFileNoFollow(path: string, data: Uint8Array | string, durable: boolean): void {
  const tmp = `${path}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (durable) fsyncDir(dirname(path));
}

/** A regular file's content; undefined when it does not exist. A symlink or a non-file is an error. */
export function readFileNoFollow(path: string): Buffer | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted here must not hang the daemon (it is refused below)
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP')
      throw new UnsafePathError(`${path} is a symbolic link; not following it (remove it)`);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UnsafePathError(`${path} is not a regular file (remove it)`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
