// Reload without restart, the shell's half (SIGHUP and `hbts reload`): load and check the new
// configuration, ask the core whether it can take it now, open the new media, hand the core its
// new configuration, close the media that went, and retarget the log. Any refusal happens before
// anything changed: the running configuration keeps running and the answer says why (the loader's
// file:line errors, or the core's reasons). The core's half is src/cluster/reconfigure.ts.
import { describeDiff, diffConfigs, diffIsEmpty } from '../config/config-diff.js';
import type { ClusterConfig, Medium } from '../config/types.js';
import type { ConfigResult } from './config-result.js';
import type { ActionRunner, CoreLike } from './driver.js';
import type { EventLog } from './event-log.js';
import type { LiveMedia } from './live-media.js';
import type { Transport } from '../transport/transport.js';

export interface ReloadOutcome {
  readonly ok: boolean;
  /** One line per change applied, or per reason for the refusal. */
  readonly lines: readonly string[];
  readonly message: string;
}

export interface ReloadShell {
  load(): Promise<ConfigResult>;
  running(): ClusterConfig;
  /** The media this node uses for a configuration (a ucast to one of our own addresses is skipped). */
  activeMedia(config: ClusterConfig): Medium[];
  readonly core: CoreLike;
  /** Open these media (all or nothing). */
  openMedia(media: readonly Medium[]): Promise<Transport[]>;
  readonly media: LiveMedia;
  readonly log: Pick<EventLog, 'log'>;
  /** Feed the core its new configuration (Driver.reconfigure). */
  reconfigure(coreConfig: ClusterConfig): void;
  /** The new configuration is in force: logging targets, the daemon's own copy, the runner. */
  commit(next: ClusterConfig): void;
}

const KEEPS = 'the running configuration keeps running';

export async function reloadConfig(shell: ReloadShell): Promise<ReloadOutcome> {
  const loaded = await shell.load();
  if (!loaded.ok) return refused(loaded.errors);
  const running = shell.running();
  const next = loaded.config;
  const diff = diffConfigs(running, next);
  const coreConfig: ClusterConfig = { ...next, media: shell.activeMedia(next) };
  if (coreConfig.media.length === 0) return refused(['no usable heartbeat medium in the new ha.cf']);
  const why = shell.core.reloadRefusals?.(coreConfig) ?? [];
  if (why.length > 0) return refused(why);
  const toOpen = coreConfig.media.filter((m) => diff.mediaAdded.includes(m.id));
  let opened: Transport[];
  try {
    opened = await shell.openMedia(toOpen);
  } catch (err) {
    return refused([`cannot open media: ${(err as Error).message}`]);
  }
  // The core moved on while the media opened (an action started, a peer came up): ask again. From
  // here to the core's step nothing waits, so its answer still holds when it takes the config.
  const late = shell.core.reloadRefusals?.(coreConfig) ?? [];
  if (late.length > 0) {
    await Promise.all(opened.map((t) => t.close()));
    return refused(late);
  }
  // Gone, or reopened with new settings (the new socket is open already): out of the list and
  // closing now, synchronously with the switch (LiveMedia.remove waits only for the close itself).
  const closing = shell.media.remove(diff.mediaRemoved);
  shell.media.add(opened);
  shell.reconfigure(coreConfig);
  shell.commit(next);
  await closing;
  const lines = diffIsEmpty(diff)
    ? ['no cluster setting changed (logging targets reapplied)']
    : describeDiff(diff);
  return { ok: true, lines, message: `reload applied:\n${lines.map((l) => `  ${l}`).join('\n')}` };
}

/** Log the outcome (SIGHUP has no other answer) and return the operator's reply. */
export async function reloadAndLog(shell: ReloadShell): Promise<{ ok: boolean; message: string }> {
  const outcome = await reloadConfig(shell);
  if (outcome.ok) shell.log.log('info', 'reload applied', { changes: outcome.lines.join(' | ') });
  else shell.log.log('error', `reload refused, ${KEEPS}`, { errors: outcome.lines.join(' | ') });
  return { ok: outcome.ok, message: outcome.message };
}

/** The open media: what the daemon sends on, and what a reload adds to and removes from. */
function refused(lines: readonly string[]): ReloadOutcome {
  return {
    ok: false,
    lines,
    message: `reload refused, ${KEEPS}:\n${lines.map((l) => `  ${l}`).join('\n')}`,
  };
}

/**
 * The runner follows the core's group definitions: before each operation it gets the list in force
 * (a group a reload is stopping keeps its old definition until its stop has run).
 */
export function followDefinitions(
  runner: ActionRunner,
  core: CoreLike,
  running: () => ClusterConfig,
  setConfig: ((config: ClusterConfig) => void) | undefined,
): ActionRunner {
  let last: ClusterConfig['resourceGroups'] | undefined;
  const sync = (): void => {
    const defs = core.groupDefinitions?.();
    if (defs === undefined || setConfig === undefined) return;
    if (last !== undefined && defs.length === last.length && defs.every((d, i) => d === last?.[i])) return;
    last = defs;
    setConfig({ ...running(), resourceGroups: defs });
  };
  return {
    ...runner,
    acquire: (group, reason) => (sync(), runner.acquire(group, reason)),
    release: (group, reason) => (sync(), runner.release(group, reason)),
    probe: (group) => (sync(), runner.probe(group)),
  };
}
