// The one file-system-touching part of config: reads ha.cf, hbts.cf (our extensions, optional),
// authkeys (with its mode) and haresources from a directory, picks the local node name (argument, then `nodeinfo`, then
// uname -n), resolves them with the pure parsers, and adds host facts as warnings.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ConfigIssue } from './source-location.js';
import type { ClusterConfig } from './types.js';
import { errorAt, sortIssues, wholeFile } from './config-issues.js';
import { readConfigFile } from './load-file.js';
import type { ConfigFileRead } from './load-file.js';
import { resolveConfigFromText } from './resolve-config.js';
import {
  hostFactIssues,
  hostNamesToResolve,
  localAddresses,
  resolveHostNames,
  type FenceInspector,
  type HostPaths,
  type ResourceLocator,
} from './load-host-facts.js';

export {
  hostFactIssues,
  interfaceExists,
  type FenceCheck,
  type FenceInspector,
  type ResourceLocator,
  type ResourceLocation,
} from './load-host-facts.js';

export type NodeNameSource = 'argument' | 'nodeinfo' | 'uname';

export interface LoadedConfig {
  readonly config?: ClusterConfig;
  readonly issues: readonly ConfigIssue[];
  readonly nodeName: string;
  readonly nodeNameFrom: NodeNameSource;
}

/** Host facts are checked unless skipped, and checking them needs the resource locator. */
export type LoadOptions =
  | { readonly hostFacts: 'skip' }
  | {
      /**
       * 'warning' for `hbts check` (default); 'error' when the daemon needs the host to match (then
       * missing interfaces, serial devices and resource scripts are errors; advisory facts stay warnings).
       */
      readonly hostFacts?: 'warning' | 'error';
      readonly hostPaths?: HostPaths;
      /** How to find resource scripts: the resource runner's own resolver (`resourceLocator`). */
      readonly locateResource: ResourceLocator;
      /** How to check fence agents and stonith devices (`fenceInspector` in fencing/inspect.ts). */
      readonly inspectFence?: FenceInspector;
    };

/** Regular files of at most 1 MiB only (load-file.ts): a FIFO or /dev/zero is refused. */
function readText(path: string, encoding: 'utf8' | 'latin1'): Promise<ConfigFileRead> {
  return readConfigFile(path, encoding);
}

/** Heartbeat's /etc/ha.d/nodeinfo: its first line overrides uname -n. */
async function nodeNameFor(
  configDir: string,
  given: string | undefined,
): Promise<{ name: string; from: NodeNameSource }> {
  if (given !== undefined) return { name: given, from: 'argument' };
  const info = await readText(join(configDir, 'nodeinfo'), 'utf8');
  const first = info.kind === 'ok' ? (info.text.split('\n')[0] ?? '').trim() : '';
  if (first !== '') return { name: first, from: 'nodeinfo' };
  return { name: hostname(), from: 'uname' };
}

export async function loadClusterConfig(
  configDir: string,
  nodeName: string | undefined,
  options: LoadOptions,
): Promise<LoadedConfig> {
  const files = {
    haCf: join(configDir, 'ha.cf'),
    hbtsCf: join(configDir, 'hbts.cf'),
    authkeys: join(configDir, 'authkeys'),
    haresources: join(configDir, 'haresources'),
  };
  const node = await nodeNameFor(configDir, nodeName);
  const issues: ConfigIssue[] = [];
  const haCf = await readText(files.haCf, 'utf8');
  const hbtsCf = await readText(files.hbtsCf, 'utf8');
  // Secrets are bytes: latin1 keeps every byte as one char, as AuthKey.secret expects.
  const authkeys = await readText(files.authkeys, 'latin1');
  const haresources = await readText(files.haresources, 'utf8');
  if (haCf.kind !== 'ok') {
    issues.push(
      errorAt(
        wholeFile(files.haCf),
        haCf.kind === 'missing' ? `file is missing (is ${configDir} the right --config-dir?)` : haCf.message,
      ),
    );
  }
  if (hbtsCf.kind === 'error') issues.push(errorAt(wholeFile(files.hbtsCf), hbtsCf.message));
  if (authkeys.kind === 'error') issues.push(errorAt(wholeFile(files.authkeys), authkeys.message));
  if (haresources.kind === 'error') issues.push(errorAt(wholeFile(files.haresources), haresources.message));
  // The mode of the very file read (fstat of the descriptor): no window for a swap in between.
  const authkeysMode = authkeys.kind === 'ok' ? authkeys.mode : undefined;
  const addresses = localAddresses();
  const resolved = resolveConfigFromText(
    {
      haCf: haCf.kind === 'ok' ? haCf.text : '',
      hbtsCf: hbtsCf.kind === 'ok' ? hbtsCf.text : undefined,
      authkeys: authkeys.kind === 'ok' ? authkeys.text : authkeys.kind === 'missing' ? undefined : '',
      haresources: haresources.kind === 'ok' ? haresources.text : undefined,
      ...(authkeysMode !== undefined ? { authkeysMode } : {}),
      files,
      configDir,
      localAddresses: addresses,
    },
    node.name,
  );
  // A file that could not be read makes every finding about it noise: keep only the read error.
  const unread = new Set<string>();
  if (haCf.kind !== 'ok') unread.add(files.haCf);
  if (authkeys.kind === 'error') unread.add(files.authkeys);
  if (haresources.kind === 'error') unread.add(files.haresources);
  const fromResolve = resolved.issues.filter((i) => !unread.has(i.file));
  issues.push(...fromResolve);
  const config = issues.some((i) => i.severity === 'error') ? undefined : resolved.config;
  if (config !== undefined && options.hostFacts !== 'skip') {
    const resolvedNames = await resolveHostNames(hostNamesToResolve(config));
    issues.push(
      ...hostFactIssues(config, {
        configDir,
        haCfFile: files.haCf,
        haresourcesFile: files.haresources,
        severity: options.hostFacts ?? 'warning',
        ...(options.hostPaths !== undefined ? { paths: options.hostPaths } : {}),
        locateResource: options.locateResource,
        resolved: resolvedNames,
        ...(options.inspectFence !== undefined ? { inspectFence: options.inspectFence } : {}),
      }),
    );
  }
  const sorted = sortIssues(issues, [files.haCf, files.hbtsCf, files.authkeys, files.haresources]);
  const ok = config !== undefined && !sorted.some((i) => i.severity === 'error');
  return {
    ...(ok ? { config } : {}),
    issues: sorted,
    nodeName: node.name,
    nodeNameFrom: node.from,
  };
}
