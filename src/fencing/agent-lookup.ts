// Where a fence program is, and the environment it runs in. Names are looked up the way Debian's
// fence-agents are installed and documented: /usr/sbin first, then PATH; an absolute path is used
// as written. The daemon, `hbts fence` and `hbts check` all ask here, so they agree.
import { join } from 'node:path';
import { isExecutableFile } from '../config/host-files.js';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** PATH with the sbin directories fence-agents, ipmitool, stonith and sbd live in. */
export function fencePath(inherited: string | undefined = process.env['PATH']): string {
  const parts = (inherited ?? DEFAULT_PATH).split(':').filter((p) => p.startsWith('/'));
  for (const need of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (!parts.includes(need)) parts.push(need);
  return parts.join(':');
}

/**
 * A clean environment: fence programs get no secret from ours. PATH is needed (cluster-glue's
 * `stonith` crashes without it), LANG=C because fence-agents parse their tools' English output.
 */
export function fenceEnvironment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...extra, PATH: fencePath(), LANG: 'C', LC_ALL: 'C' };
}

export type Located =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly error: string };

export function locateFenceProgram(name: string, path: string = fencePath()): Located {
  if (name.startsWith('/')) {
    return isExecutableFile(name)
      ? { ok: true, path: name }
      : { ok: false, error: `fence agent ${name} is not an executable file` };
  }
  const dirs = ['/usr/sbin', ...path.split(':').filter((d) => d !== '/usr/sbin' && d.startsWith('/'))];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return { ok: true, path: candidate };
  }
  const pkg = name.startsWith('fence_') ? ' (is the Debian package fence-agents installed?)' : '';
  return { ok: false, error: `fence agent ${name} not found in /usr/sbin or PATH${pkg}` };
}
