// The environment resource scripts see, as Heartbeat 3 builds it (reference section 10.3):
// every ha.cf directive as HA_<directive>, plus HA_CURHOST, HA_DIR, HA_RESOURCEDIR, ... and OCF_ROOT.
// Scripts get a clean environment, not the daemon's: only PATH and locale/time variables pass through.
import { join } from 'node:path';
import type { ClusterConfig, NodeName } from '../config/types.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASS_THROUGH = ['LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'HOME', 'TMPDIR'];

export interface EnvironmentInput {
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly resourceDir: string;
  readonly ocfRoot: string;
  readonly extra?: Readonly<Record<string, string>>;
  /** The daemon's own environment (process.env), for PATH and locale. */
  readonly inherited?: Readonly<Record<string, string | undefined>>;
}

/** A shell variable name may only hold [A-Za-z0-9_]; directives like `ping_group` already do. */
function envName(directive: string): string {
  return `HA_${directive.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function buildAgentEnvironment(input: EnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  const inherited = input.inherited ?? {};
  for (const name of PASS_THROUGH) {
    const v = inherited[name];
    if (v !== undefined) env[name] = v;
  }
  env.PATH = withSbin(inherited.PATH ?? DEFAULT_PATH);

  // Heartbeat stores one value per directive (a later line replaces an earlier one), except that
  // list directives (node, ucast...) accumulate; we give all values, space separated, in file order.
  for (const [directive, values] of input.config.directives) {
    env[envName(directive)] = values.join(' ');
  }
  const { config } = input;
  env.HA_CURHOST = input.self;
  env.HA_DIR = config.configDir;
  env.HA_RESOURCEDIR = input.resourceDir;
  env.HA_RCDIR = join(config.configDir, 'rc.d');
  env.HA_FUNCS = join(config.configDir, 'shellfuncs');
  if (config.logfile !== undefined) env.HA_LOGFILE = config.logfile;
  if (config.debugfile !== undefined) env.HA_DEBUGLOG = config.debugfile;
  if (config.logfacility !== undefined) env.HA_LOGFACILITY = config.logfacility;
  if (config.autoFailback === 'on' || config.autoFailback === 'off') env.HA_NICEFAILBACK = 'yes';
  env.OCF_ROOT = input.ocfRoot;
  for (const [k, v] of Object.entries(input.extra ?? {})) env[k] = v;
  return env;
}

/** `ip` and `arping` live in /usr/sbin or /sbin; a daemon started from a user shell may lack them. */
function withSbin(path: string): string {
  const parts = path.split(':').filter((p) => p !== '');
  for (const need of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (!parts.includes(need)) parts.push(need);
  return parts.join(':');
}
