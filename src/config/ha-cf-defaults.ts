// Heartbeat 3.0.6's ha.cf defaults and value sets, as the parser and its messages use them.
import type { FencingSettings } from './fencing-config.js';

export const DEFAULT_KEEPALIVE_MS = 1000;
export const DEFAULT_DEADTIME_MS = 30_000;
export const DEFAULT_UDP_PORT = 694;
export const DEFAULT_BAUD = 19_200;
export const DEFAULT_HOPFUDGE = 1;
export const DEFAULT_MAX_REXMIT_DELAY_MS = 250;
export const MAX_NODES = 100;
// heartbeat-ts extensions (issue: fencing): the notes' defaults.
export const DEFAULT_FENCE_DELAY_MS = 5_000;
export const DEFAULT_FENCE_TIMEOUT_MS = 60_000;
export const BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200, 230400, 460800];
export const SYSLOG_FACILITIES: readonly string[] = [
  'auth',
  'authpriv',
  'cron',
  'daemon',
  'ftp',
  'kern',
  'lpr',
  'mail',
  'news',
  'syslog',
  'user',
  'uucp',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
  'none',
];
/** What `crm`/`pacemaker` accept besides a boolean. */
export const CRM_VALUES: readonly string[] = ['respawn', 'minimal', 'manual', 'ccm-only', 'valgrind'];

/** Heartbeat's derived initdead: deadtime if over 10 s, 12 s if under 6 s, else twice deadtime. */
export function defaultInitdeadMs(deadtimeMs: number): number {
  if (deadtimeMs > 10_000) return deadtimeMs;
  if (deadtimeMs < 6_000) return 12_000;
  return 2 * deadtimeMs;
}

/** A config's fencing settings with the defaults filled in (simulated and hand-built configs may have none). */
export function fencingSettings(c: Partial<FencingSettings>): FencingSettings {
  return {
    fence: c.fence ?? [],
    fenceDelayMs: c.fenceDelayMs ?? DEFAULT_FENCE_DELAY_MS,
    fenceTimeoutMs: c.fenceTimeoutMs ?? DEFAULT_FENCE_TIMEOUT_MS,
    diskLock: c.diskLock,
    arbiter: c.arbiter,
  };
}
