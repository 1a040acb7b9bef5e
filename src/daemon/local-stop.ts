// The supervisor's last resort when the daemon died and cannot be brought back in time: stop here,
// without the cluster, every group the held-groups record says this node may run, so that the
// peers (which take over once deadtime has passed without a heartbeat) never find it running twice.
// Virtual IPs go first, for every group, before anything slower: once the address is gone clients
// can no longer reach this node's copy, whatever the services still do. Then start/stop scripts the
// dead daemon left running are killed (as a restarted daemon would, orphan-scripts.ts), and each
// group is released right to left with the resource runner. The record is updated as the daemon
// updates it, so a later start knows what is still left here.
import type { ClusterConfig, NodeName, ResourceGroup, ResourceSpec } from '../config/types.js';
import { createResourceRunner, type ResourceRunner } from '../resources/index.js';
import type { EventLog } from './event-log.js';
import { reapOrphanScripts } from './orphan-scripts.js';
import { ScriptRecords } from './script-records.js';
import { HeldGroups, StateDir } from './state-dir.js';

export interface LocalStopResult {
  /** Every group was stopped (or nothing was held). */
  readonly ok: boolean;
  readonly stopped: readonly string[];
  /** Groups that may still run here (a stop failed, or the group is no longer configured). */
  readonly failed: readonly string[];
  /** ms from the call until every virtual IP was removed (or found absent). */
  readonly addressesGoneMs: number;
  readonly doneMs: number;
}

/** Agents whose resource is a service address (the built-in ones and their OCF forms). */
const ADDRESS_AGENTS = new Set(['IPaddr', 'IPaddr2', 'IPv6addr']);

export function isAddressResource(rsc: ResourceSpec): boolean {
  if (ADDRESS_AGENTS.has(rsc.agent)) return true;
  if (rsc.agent === 'OCF') return ADDRESS_AGENTS.has(rsc.args[0] ?? '');
  const ocf = /^ocf:[^:]+:([^:]+)$/.exec(rsc.agent);
  return ocf !== null && ADDRESS_AGENTS.has(ocf[1] ?? '');
}

/** The group as the runner releases it (right to left): addresses last here, so stopped first. */
export function addressesFirst(group: ResourceGroup): ResourceGroup {
  const ips = group.resources.filter(isAddressResource);
  const others = group.resources.filter((r) => !isAddressResource(r));
  return { ...group, resources: [...others, ...ips] };
}

/** SIGTERM -> SIGKILL grace for scripts the dead daemon left running (as at a daemon start). */
const ORPHAN_KILL_GRACE_MS = 2000;

export async function stopHeldGroupsLocally(o: {
  readonly config: ClusterConfig;
  readonly self: string;
  readonly stateDir: string;
  readonly log: EventLog;
}): Promise<LocalStopResult> {
  const t0 = performance.now();
  const since = (): number => Math.round(performance.now() - t0);
  const state = new StateDir(o.stateDir);
  const records = new ScriptRecords(state.scriptsDir);
  const runner = createResourceRunner({
    config: o.config,
    self: o.self as NodeName,
    log: (line, level) => o.log.log(level ?? 'info', `supervisor: resource: ${line}`),
    scripts: records,
  });
  const { held, names } = heldRecord(state, o.config, o.log);
  const failed = new Set<string>();
  const byId = (id: string): ResourceGroup | undefined => o.config.resourceGroups.find((g) => g.id === id);
  try {
    // 1. every virtual IP of every held group, before anything that can take long
    for (const id of names) {
      const group = byId(id);
      const ips = group?.resources.filter(isAddressResource) ?? [];
      if (group === undefined || ips.length === 0) continue;
      await runner.releaseGroup({ ...group, resources: ips });
    }
    const addressesGoneMs = since();
    o.log.log('info', 'supervisor: virtual IPs of the held groups removed', {
      groups: names.join(',') || 'none',
      ms: addressesGoneMs,
    });
    // 2. scripts the dead daemon left running: killed, their groups released too
    const orphaned = await reapOrphans(records, o.log);
    const all = [...new Set([...names, ...orphaned])];
    // 3. each group right to left (its addresses, already gone, are checked again first)
    const stopped: string[] = [];
    for (const id of all) {
      const group = byId(id);
      if (group === undefined) {
        o.log.log('crit', 'supervisor: a held group is no longer configured; cannot stop it', { group: id });
        failed.add(id);
        record(o.log, () => held?.stopFailed(id));
        continue;
      }
      // a failed address stop in step 1 is retried here; this answer is the one that counts
      if (await release(runner, group)) {
        failed.delete(id);
        stopped.push(id);
        record(o.log, () => held?.released(id));
      } else {
        failed.add(id);
        record(o.log, () => held?.stopFailed(id));
      }
    }
    return { ok: failed.size === 0, stopped, failed: [...failed], addressesGoneMs, doneMs: since() };
  } finally {
    await runner.close();
  }
}

/** The groups to stop: the record's, or every configured group when the record cannot be read. */
function heldRecord(
  state: StateDir,
  config: ClusterConfig,
  log: EventLog,
): { held: HeldGroups | undefined; names: string[] } {
  try {
    const held = new HeldGroups(state);
    return { held, names: held.previouslyHeld() };
  } catch (err) {
    log.log('crit', 'supervisor: the held-groups record cannot be read; stopping every configured group', {
      error: (err as Error).message,
    });
    return { held: undefined, names: config.resourceGroups.map((g) => g.id) };
  }
}

function record(log: EventLog, update: () => void): void {
  try {
    update();
  } catch (err) {
    log.log('error', 'supervisor: the held-groups record cannot be updated', {
      error: (err as Error).message,
    });
  }
}

async function release(runner: ResourceRunner, group: ResourceGroup): Promise<boolean> {
  const r = await runner.releaseGroup(addressesFirst(group));
  return r.ok && r.stopFailures.length === 0;
}

async function reapOrphans(records: ScriptRecords, log: EventLog): Promise<string[]> {
  try {
    records.open();
    return await reapOrphanScripts(records, {
      killGraceMs: ORPHAN_KILL_GRACE_MS,
      log: (level, text, fields) => log.log(level, `supervisor: ${text}`, fields),
    });
  } catch (err) {
    log.log('crit', 'supervisor: scripts left by the dead daemon could not be checked', {
      error: (err as Error).message,
    });
    return [];
  }
}
