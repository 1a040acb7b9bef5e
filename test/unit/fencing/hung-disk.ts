// A loop device whose writes hang on demand, for testing I/O time limits against a real stuck
// disk: its backing file lives on a small ext4 file system mounted in a private mount namespace
// (so no other process on the machine, and no lab namespace created meanwhile, sees or keeps that
// mount), and `fsfreeze` on that file system makes every write to the loop device wait until thaw.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { attachLoop, tempImage } from './sbd-helpers.js';

export function hangSkipReason(): string | undefined {
  for (const tool of ['unshare', 'nsenter', 'mkfs.ext4', 'fsfreeze'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `needs ${tool}`;
  return undefined;
}

export interface HangableLoop {
  readonly dev: string;
  freeze(): void;
  thaw(): void;
  /** Thaws, detaches the loop devices, ends the namespace holder, removes the files. */
  done(): void;
}

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export async function hangableLoop(): Promise<HangableLoop> {
  const img = tempImage(32 << 20);
  const mnt = join(img.dir, 'mnt');
  mkdirSync(mnt);
  const cleanups: (() => void)[] = [() => img.cleanup()];
  const done = (): void => {
    for (const c of cleanups.reverse()) {
      try {
        c();
      } catch {
        // keep cleaning
      }
    }
    cleanups.length = 0;
  };
  try {
    const fsLoop = attachLoop(img.path);
    cleanups.push(() => fsLoop.detach());
    run('mkfs.ext4', ['-q', fsLoop.dev]);
    // the holder mounts the file system in its own namespace, makes the SBD image there, attaches
    // it to a (global) loop device, prints that device, and sleeps until killed
    const script = `mount ${fsLoop.dev} ${mnt} && truncate -s 8M ${mnt}/sbd.img && losetup -f --show ${mnt}/sbd.img && exec sleep 600`;
    const holder: ChildProcess = spawn(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', script],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanups.push(() => {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    });
    const dev = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      holder.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      holder.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      holder.on('exit', (code) => reject(new Error(`namespace holder exited ${code}: ${err.trim()}`)));
      setTimeout(() => reject(new Error('namespace holder did not start within 10 s')), 10_000).unref();
    });
    cleanups.push(() => void spawnSync('losetup', ['-d', dev], { timeout: 10_000 }));
    const pid = String(holder.pid);
    let frozen = false;
    const thaw = (): void => {
      if (frozen) run('nsenter', ['-t', pid, '-m', 'fsfreeze', '-u', mnt]);
      frozen = false;
    };
    cleanups.push(thaw);
    return {
      dev,
      freeze: () => {
        run('nsenter', ['-t', pid, '-m', 'fsfreeze', '-f', mnt]);
        frozen = true;
      },
      thaw,
      done,
    };
  } catch (err) {
    done();
    throw err;
  }
}
