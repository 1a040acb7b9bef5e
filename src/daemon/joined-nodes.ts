// ha.cf autojoin: the nodes that joined without a `node` line are remembered in the state dir, in
// `joined-nodes` (one name a line), as Heartbeat remembers them in /var/lib/heartbeat/hostcache. At
// start the daemon adds them to the node list after the node lines (ClusterConfig.joinedNodes), so
// they are known peers again at once; quorum counts node lines plus these.
import { join } from 'node:path';
import type { ClusterConfig, NodeName } from '../config/types.js';
import { MAX_NAME_CHARS } from '../config/config-values.js';
import type { EventLog } from './event-log.js';
import { readFileNoFollow, writeFileNoFollow } from './private-dir.js';

export const JOINED_NODES_FILE = 'joined-nodes';

/** The remembered joined nodes of a state dir (empty when there is no file); bad lines are skipped. */
export function readJoinedNodes(stateDir: string): NodeName[] {
  const raw = readFileNoFollow(join(stateDir, JOINED_NODES_FILE));
  if (raw === undefined) return [];
  const names = raw
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '' && !l.startsWith('#') && l.length <= MAX_NAME_CHARS && /^[\x21-\x7e]+$/.test(l));
  return [...new Set(names)] as NodeName[];
}

/** Adds `node` to the state dir's list (written whole, durably, never through a symlink). */
export function rememberJoinedNode(stateDir: string, node: NodeName): void {
  const known = readJoinedNodes(stateDir);
  if (known.includes(node)) return;
  const text = `# nodes that joined through ha.cf autojoin (heartbeat-ts keeps them like Heartbeat's hostcache)\n${[...known, node].join('\n')}\n`;
  writeFileNoFollow(join(stateDir, JOINED_NODES_FILE), text, true);
}

/** The config with remembered joined nodes after the node lines (nothing changes with autojoin none). */
export function withJoinedNodes(config: ClusterConfig, remembered: readonly NodeName[]): ClusterConfig {
  if (config.autojoin === 'none') return config;
  const added = remembered.filter((n) => !config.nodes.includes(n));
  if (added.length === 0) return config;
  return { ...config, nodes: [...config.nodes, ...added], joinedNodes: added };
}

/** At daemon start: the config with the state dir's remembered joined nodes (autojoin only), logged. */
export function joinedNodesAtStart(
  config: ClusterConfig,
  stateDir: string,
  log: Pick<EventLog, 'log'>,
): ClusterConfig {
  if (config.autojoin === 'none') return config;
  const next = withJoinedNodes(config, readJoinedNodes(stateDir));
  if (next.joinedNodes !== undefined)
    log.log('info', `autojoin ${config.autojoin}: remembered joined nodes ${next.joinedNodes.join(', ')}`);
  return next;
}

/** The daemon's hook for a `node-joined` event: remember the node; a write failure is logged, not fatal. */
export function rememberJoined(
  stateDir: string,
  node: NodeName | undefined,
  log: Pick<EventLog, 'log'>,
): void {
  if (node === undefined) return;
  try {
    rememberJoinedNode(stateDir, node);
  } catch (err) {
    log.log('error', `cannot remember joined node ${node} in the state dir`, { error: String(err) });
  }
}
