// What the daemon opens on this host before it talks to anyone: the run dir and the state dir
// (private to it, see private-dir.ts), its identity, the held-groups record, the resource runner
// wired to the script records, and the clean-up after a previous run that did not stop cleanly:
// start/stop scripts it left running are killed and their groups stopped (orphan-scripts.ts has
// the policy and why), all before the media open and before any group is probed.
import { join } from 'node:path';
import type { ClusterConfig } from '../config/types.js';
import type { GroupEnv, ScriptTracker } from '../resources/index.js';
import { CONTROL_SOCKET_NAME } from './control-protocol.js';
import { isAlive } from './control-server.js';
import type { ActionRunner } from './driver.js';
import { ControlSocketError, StateDirError } from './errors.js';
import type { EventLog } from './event-log.js';
import { heldRunner } from './held-runner.js';
import { reapOrphanScripts } from './orphan-scripts.js';
import { ensurePrivateDir } from './private-dir.js';
import { ScriptRecords } from './script-records.js';
import { HeldGroups, StateDir, type Identity } from './state-dir.js';

// What else the daemon keeps in the state dir across runs: the nodes that joined (ha.cf autojoin).
export { joinedNodesAtStart, rememberJoined } from './joined-nodes.js';

export interface LocalState {
  readonly identity: Identity;
  readonly held: HeldGroups;
  /** The resource runner as the driver uses it (held-groups bookkeeping included). */
  readonly runner: ActionRunner;
  /** The bare resource runner (close, setConfig). */
  readonly groupRunner: ActionRunner;
}

/** Throws a DaemonError saying what is wrong (and how to fix it) when start-up must not go on. */
/** `scripts`: told of every start/stop script first (state dir); `env`: one group's extra environment. */
export type GroupRunnerFactory = (
  config: ClusterConfig,
  log: EventLog,
  self: string,
  scripts?: ScriptTracker,
  env?: GroupEnv,
) => ActionRunner;

export async function openLocalState(
  dirs: { readonly runDir: string; readonly stateDir: string },
  config: ClusterConfig,
  log: EventLog,
  createRunner: (scripts: ScriptTracker) => ActionRunner,
): Promise<LocalState> {
  ensurePrivateDir(dirs.runDir, 'run dir');
  const state = new StateDir(dirs.stateDir);
  let identity;
  let held;
  try {
    identity = state.openIdentity();
    held = new HeldGroups(state);
  } catch (err) {
    throw new StateDirError(`state dir ${dirs.stateDir}: ${(err as Error).message}`, { cause: err });
  }
  const previously = held.previouslyHeld();
  if (previously.length > 0) {
    log.log('warn', 'groups recorded as held by a previous run; probing them before anything else', {
      groups: previously.join(','),
    });
  }
  const records = new ScriptRecords(state.scriptsDir);
  const groupRunner = createRunner(records);
  const runner = heldRunner(groupRunner, held, previously, log);
  await cleanUpAfterPreviousRun({
    records,
    controlSocket: join(dirs.runDir, CONTROL_SOCKET_NAME),
    config,
    runner,
    log,
  });
  return { identity, held, runner, groupRunner };
}

/** SIGTERM -> SIGKILL grace for orphans: the resource runner's default for timed-out scripts. */
const ORPHAN_KILL_GRACE_MS = 2000;

interface PreviousRunOptions {
  readonly records: ScriptRecords;
  /** The control socket: a daemon answering there is alive, and its scripts are not orphans. */
  readonly controlSocket: string;
  readonly config: ClusterConfig;
  readonly runner: ActionRunner;
  readonly log: EventLog;
}

async function cleanUpAfterPreviousRun(o: PreviousRunOptions): Promise<void> {
  o.records.open();
  if (o.records.list().records.length === 0) return;
  if (await isAlive(o.controlSocket))
    throw new ControlSocketError(
      `previous run: another daemon answers on ${o.controlSocket}; not touching the scripts it runs`,
    );
  const groups = await reapOrphanScripts(o.records, {
    killGraceMs: ORPHAN_KILL_GRACE_MS,
    log: (level, text, fields) => o.log.log(level, text, fields),
  });
  for (const group of groups) {
    const known = o.config.resourceGroups.find((g) => g.id === group);
    if (known === undefined) {
      o.log.log('warn', 'a group with an unfinished start/stop is no longer configured; not stopping it', {
        group,
      });
      continue;
    }
    const out = await o.runner.release(known.id, 'a start/stop of the previous run did not finish');
    if (!out.ok)
      o.log.log('crit', 'could not stop a group the previous run left half done; it may still run here', {
        group,
        detail: out.detail,
      });
  }
}
