// Shared by the SBD tests: image files, loop devices, and Debian's sbd tool.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SBD = '/usr/sbin/sbd';

/** Why the tests needing Debian's sbd on a loop device cannot run here, or undefined. */
export function loopSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (loop devices)';
  if (!existsSync(SBD)) return 'needs Debian package sbd (/usr/sbin/sbd)';
  if (spawnSync('losetup', ['--version']).status !== 0) return 'needs losetup (util-linux)';
  return undefined;
}

/** Why image files in the temp dir cannot be used (O_DIRECT refused, e.g. tmpfs), or undefined. */
export function imageSkipReason(): string | undefined {
  const img = tempImage(4096);
  try {
    closeSync(openSync(img.path, constants.O_RDWR | constants.O_DIRECT));
    return undefined;
  } catch (err) {
    return `${tmpdir()} does not support O_DIRECT (${(err as NodeJS.ErrnoException).code ?? '?'}): set TMPDIR to a disk`;
  } finally {
    img.cleanup();
  }
}

export interface Image {
  readonly dir: string;
  readonly path: string;
  cleanup(): void;
}

/** A zero-filled image file of `bytes` (sparse) in a fresh temp dir. */
export function tempImage(bytes = 1 << 20): Image {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-sbd-'));
  const path = join(dir, 'sbd.img');
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.alloc(1), 0, 1, bytes - 1);
  closeSync(fd);
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Attaches `file` to a free loop device; `detach` always runs losetup -d. */
export function attachLoop(file: string): { dev: string; detach(): void } {
  const r = spawnSync('losetup', ['-f', '--show', file], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`losetup -f --show ${file}: ${r.stderr.trim()}`);
  const dev = r.stdout.trim();
  return { dev, detach: () => void spawnSync('losetup', ['-d', dev], { timeout: 10_000 }) };
}

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs Debian's sbd and waits for it. */
export function sbdSync(args: readonly string[], timeoutMs = 30_000): ToolResult {
  const r = spawnSync(SBD, args, { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs Debian's sbd without blocking the event loop (sbd message sleeps msgwait). */
export function sbdAsync(args: readonly string[], timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(SBD, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `sbd list` output as [slot, name, message, from] rows. */
export function sbdList(dev: string): string[][] {
  const r = sbdSync(['-d', dev, 'list']);
  if (r.code !== 0) throw new Error(`sbd -d ${dev} list: exit ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

/** Resolves when `check` is true, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
