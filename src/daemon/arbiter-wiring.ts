// The daemon's side of `arbiter etcd ...`: the etcd client (arbiter/etcd-arbiter.ts) started before
// the core runs, its lease answers fed to the core as admin inputs (`arbiter-lease`,
// `arbiter-lost`), and the runner the driver uses: `arbiterClaim`/`arbiterDrop` go to etcd, a
// release gives the group's key back once the group has stopped (before the core hears of it, so
// no claim races the delete), a failed start gives it back too, and every start and stop script of
// the group sees its fencing token as HBTS_FENCING_TOKEN.
import type { AdminCommand } from '../cluster/types.js';
import type { ClusterConfig, GroupId } from '../config/types.js';
import { EtcdArbiter } from '../arbiter/etcd-arbiter.js';
export type { ArbiterStatus } from '../arbiter/etcd-arbiter.js';
import type { ActionRunner } from './driver.js';
import type { EventLog } from './event-log.js';
import { DaemonStartError } from './errors.js';

/**
 * The arbiter once started (the runner and the scripts' environment are made before it: its
 * answers go to the core, which is created after them).
 */
export class ArbiterRef {
  arbiter: EtcdArbiter | undefined;

  env(group: GroupId): Readonly<Record<string, string>> | undefined {
    const token = this.arbiter?.token(group);
    return token !== undefined ? { HBTS_FENCING_TOKEN: token } : undefined;
  }
}

/** Starts the client (none configured: undefined). The core stays blocked until etcd answers. */
export async function startArbiter(
  config: ClusterConfig,
  self: string,
  log: EventLog,
  admin: (command: AdminCommand) => void,
  now: () => number,
): Promise<EtcdArbiter | undefined> {
  const a = config.arbiter;
  if (a === undefined) return undefined;
  try {
    const arbiter = await EtcdArbiter.start(
      a,
      self,
      config.resourceGroups.map((g) => g.id),
      {
        lease: (leaseId, validUntilMs) => admin({ kind: 'arbiter-lease', leaseId, validUntilMs }),
        lost: (reason) => admin({ kind: 'arbiter-lost', reason }),
        log: (level, text, fields) => log.log(level, text, fields),
      },
      now,
    );
    log.log('info', 'arbiter: etcd client started; no group runs here until it holds a lease', {
      endpoints: a.endpoints.join(','),
      prefix: a.prefix,
      ttl: a.ttlMs,
    });
    return arbiter;
  } catch (err) {
    throw new DaemonStartError(`arbiter etcd: ${(err as Error).message}`, 1, { cause: err });
  }
}

/** The runner with the arbiter's actions and key hand-back (unchanged without an arbiter). */
export function withArbiter(
  runner: ActionRunner,
  ref: ArbiterRef,
  config: ClusterConfig,
  log: EventLog,
): ActionRunner {
  if (config.arbiter === undefined) return runner;
  const started = (): EtcdArbiter => {
    if (ref.arbiter === undefined) throw new Error('the arbiter is not started yet');
    return ref.arbiter;
  };
  return {
    ...runner,
    arbiterClaim: async (group) => {
      const out = await started().claim(group);
      log.log(out.ok ? 'info' : 'debug', out.ok ? 'arbiter: key taken' : 'arbiter: key refused', {
        group,
        detail: out.detail,
      });
      return out;
    },
    arbiterDrop: async (group, reason) => {
      log.log('info', 'arbiter: giving back an unused key', { group, reason });
      const arbiter = started();
      arbiter.stoppingGroup(group);
      await arbiter.stoppedGroup(group, true);
      return { ok: true };
    },
    acquire: async (group, reason) => {
      const out = await runner.acquire(group, reason);
      const arbiter = ref.arbiter;
      if (!out.ok && out.stopFailed !== true && arbiter !== undefined) {
        arbiter.stoppingGroup(group);
        await arbiter.stoppedGroup(group, true);
      }
      return out;
    },
    release: async (group, reason) => {
      const arbiter = ref.arbiter;
      arbiter?.stoppingGroup(group);
      const out = await runner.release(group, reason);
      await arbiter?.stoppedGroup(group, out.ok);
      return out;
    },
  };
}
