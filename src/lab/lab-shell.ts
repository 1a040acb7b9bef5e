// The lab's synchronous commands (`ip ...`, run without a shell, with a timeout) and whether this
// machine can run them at all.
import { spawnSync } from 'node:child_process';
import { LabError } from './errors.js';

/** Why lab tests cannot run here, or undefined when they can. */
export function labSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'lab tests need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'lab tests need root (network namespaces)';
  if (spawnSync('ip', ['-V']).status !== 0) return "lab tests need iproute2's ip";
  return undefined;
}

export function sh(cmd: string, args: readonly string[], allowFail = false): string {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: 15000 });
  if (r.status !== 0 && !allowFail) {
    // r.error: the spawn itself failed (missing program, timeout)
    const cause = r.error !== undefined ? { cause: r.error } : undefined;
    throw new LabError(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`, cause);
  }
  return r.stdout;
}
