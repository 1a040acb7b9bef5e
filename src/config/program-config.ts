// The ha.cf lines about other programs that heartbeat-ts parses but does not act on yet (except
// `respawn`, which the daemon runs): `respawn`/`failfast` clients, `apiauth`, `watchdog`.
import type { SourceLocation } from './source-location.js';

/** A `respawn` or `failfast` client program from ha.cf (respawn: run by the daemon; failfast: parsed only). */
export interface ClientProgram {
  readonly kind: 'respawn' | 'failfast';
  readonly user: string;
  readonly path: string;
  readonly args: readonly string[];
  readonly at: SourceLocation;
}

/** An `apiauth client uid=... gid=...` line from ha.cf (parsed; not enforced by heartbeat-ts yet). */
export interface ApiAuthEntry {
  readonly client: string;
  readonly uids: readonly string[];
  readonly gids: readonly string[];
  readonly at: SourceLocation;
}

/**
 * ha.cf settings heartbeat-ts parses but does not act on yet. Always present in HaCf; optional in
 * ClusterConfig, which simulated and hand-built configs create without them.
 */
export interface HaCfProgramSettings {
  /** `respawn`/`failfast` clients in ha.cf order. */
  readonly clients: readonly ClientProgram[];
  /** `apiauth` lines in ha.cf order. */
  readonly apiauth: readonly ApiAuthEntry[];
  /** `watchdog` device, if any. */
  readonly watchdog?: string;
}
