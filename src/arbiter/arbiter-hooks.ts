// How the etcd arbiter client reaches the daemon (and through it the core): lease answers, a lost
// lease, and log lines. Shared by the lease (etcd-arbiter.ts), the connection and the group keys.
import type { MonoMs } from '../cluster/types.js';

/** What the client tells the daemon (and through it the core). */
export interface ArbiterHooks {
  lease(leaseId: string, validUntilMs: MonoMs): void;
  lost(reason: string): void;
  log(
    level: 'debug' | 'info' | 'warn' | 'error',
    text: string,
    fields?: Record<string, string | number>,
  ): void;
}
