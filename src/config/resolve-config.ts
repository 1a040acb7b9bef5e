// Resolves the three parsed files into the one ClusterConfig, with the checks that need more than
// one file or the local node: this node among the `node` lines, haresources owners, autojoin and
// crm versus haresources, ucast media that only reach ourselves. Returns a config only when there
// is no error; issues are sorted by file, then line.
import type { ClusterConfig, ConfigIssue, HaCf, NodeName, ResourceGroup, SourceLocation } from './types.js';
import { errorAt, hasErrors, sortIssues, warningAt, wholeFile } from './config-issues.js';
import { parseHaCf } from './parse-ha-cf.js';
import { parseAuthkeys } from './parse-authkeys.js';
import { parseHaresources, type HaresourcesLine } from './parse-haresources.js';
import type { AuthConfig } from './types.js';
import { resolveMonitors } from './resolve-monitors.js';

export const DEFAULT_CONFIG_DIR = '/etc/ha.d';

export interface ConfigFileNames {
  readonly haCf?: string;
  readonly hbtsCf?: string;
  readonly authkeys?: string;
  readonly haresources?: string;
}

export interface ConfigTexts {
  readonly haCf: string;
  /** Our extensions' file beside ha.cf, read after it; undefined: there is none (that is fine). */
  readonly hbtsCf?: string | undefined;
  /** undefined: the file is missing (an error). */
  readonly authkeys: string | undefined;
  /** undefined: no haresources file, so no resource groups. */
  readonly haresources?: string | undefined;
  /** st_mode of authkeys, when known; group/other-readable is an error. */
  readonly authkeysMode?: number;
  /** Names used in messages; default `ha.cf`, `authkeys`, `haresources`. */
  readonly files?: ConfigFileNames;
  /** Recorded as ClusterConfig.configDir; default /etc/ha.d. */
  readonly configDir?: string;
  /** Addresses of this host, when known: used to spot ucast lines that only reach ourselves. */
  readonly localAddresses?: readonly string[];
}

export interface ConfigResolution {
  readonly config?: ClusterConfig;
  readonly issues: readonly ConfigIssue[];
}

export function resolveConfigFromText(texts: ConfigTexts, nodeName: string): ConfigResolution {
  const haCfFile = texts.files?.haCf ?? 'ha.cf';
  const hbtsCfFile = texts.files?.hbtsCf ?? 'hbts.cf';
  const authkeysFile = texts.files?.authkeys ?? 'authkeys';
  const haresourcesFile = texts.files?.haresources ?? 'haresources';
  const issues: ConfigIssue[] = [];

  const haCf = parseHaCf(
    texts.haCf,
    haCfFile,
    texts.hbtsCf === undefined ? undefined : { text: texts.hbtsCf, file: hbtsCfFile },
  );
  issues.push(...haCf.issues);

  let auth: AuthConfig | undefined;
  if (texts.authkeys === undefined) {
    issues.push(
      errorAt(
        wholeFile(authkeysFile),
        'file is missing: create it with `auth 1` and `1 sha1 <secret>` lines, mode 600',
      ),
    );
  } else {
    const parsed = parseAuthkeys(texts.authkeys, authkeysFile, texts.authkeysMode);
    issues.push(...parsed.issues);
    auth = parsed.auth;
  }

  const haresources = parseHaresources(texts.haresources ?? '', haresourcesFile);
  issues.push(...haresources.issues);

  const local = nodeName.toLowerCase() as NodeName;
  issues.push(
    ...crossChecks(
      haCf.haCf,
      haresources.groups,
      local,
      texts.localAddresses,
      texts.haresources !== undefined,
    ),
  );
  const resourceGroups = ownedGroups(haCf.haCf, haresources.groups, issues);
  const health = resolveMonitors(haCf.haCf, resourceGroups, issues);

  const sorted = sortIssues(issues, [haCfFile, hbtsCfFile, authkeysFile, haresourcesFile]);
  if (hasErrors(sorted) || auth === undefined) return { issues: sorted };
  // Where things were written stays behind; every setting passes on as parsed (HaCfSettings).
  const {
    file: _file,
    nodes,
    lines: _lines,
    crm: _crm,
    monitorLines: _m,
    policyLines: _p,
    ...settings
  } = haCf.haCf;
  const config: ClusterConfig = {
    configDir: texts.configDir ?? DEFAULT_CONFIG_DIR,
    ...settings,
    nodes: nodes.map((n) => n.name),
    auth,
    resourceGroups,
    localNode: local,
    ...(health.monitors.length > 0 || health.healthPolicies.length > 0 ? health : {}),
  };
  return { config, issues: sorted };
}

function crossChecks(
  h: HaCf,
  groups: readonly HaresourcesLine[],
  local: NodeName,
  localAddresses: readonly string[] | undefined,
  haresourcesGiven: boolean,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const fileAt = wholeFile(h.file);
  const names = h.nodes.map((n) => n.name);
  if (names.length > 0 && !names.includes(local) && h.autojoin !== 'any') {
    issues.push(
      errorAt(
        fileAt,
        `this node '${local}' is not among the node lines (${names.join(', ')}): add \`node ${local}\`, or pass ` +
          '--node-name if this host is known by another name (Heartbeat: "Current node not in configuration")',
      ),
    );
  }
  if (names.length === 1 && names[0] === local) {
    issues.push(
      warningAt(
        h.nodes[0]?.at ?? fileAt,
        `'${local}' is the only node: there is no peer to take over its resources`,
      ),
    );
  }
  if (groups.length > 0 && h.autojoin !== 'none') {
    issues.push(
      errorAt(
        h.lines.get('autojoin') ?? fileAt,
        `autojoin ${h.autojoin} conflicts with the resource groups in haresources (Heartbeat refuses it too): set \`autojoin none\``,
      ),
    );
  }
  if (h.crm !== undefined && groups.length > 0) {
    issues.push(
      errorAt(
        h.crm.at,
        `crm ${h.crm.value} hands resources to Pacemaker, and then Heartbeat ignores haresources; heartbeat-ts manages ` +
          'haresources only: set `crm off` (or remove the line)',
      ),
    );
  } else if (h.crm !== undefined && !haresourcesGiven) {
    issues.push(
      warningAt(h.crm.at, 'crm mode is not implemented by heartbeat-ts: no resources will be managed'),
    );
  }
  for (const s of h.stonith) {
    if (s.kind === 'stonith_host' && s.host !== '*' && !names.includes(s.host as NodeName)) {
      issues.push(
        warningAt(
          s.at,
          `stonith_host '${s.host}' is not a node line; the device is used only from a node of that name`,
        ),
      );
    }
  }
  if (localAddresses !== undefined) {
    const ucasts = h.media.filter((m) => m.kind === 'ucast' || m.kind === 'ucast6');
    const own = ucasts.filter((m) => localAddresses.includes(m.peer));
    if (ucasts.length > 0 && own.length === ucasts.length) {
      const lines = own.map((m) => m.at.line).join(', ');
      const onlyMedia = ucasts.length === h.media.length;
      issues.push(
        warningAt(
          own[0]?.at ?? fileAt,
          `every ucast line (line ${lines}) points at an address of this host (${own.map((m) => m.peer).join(', ')}), so ` +
            `${onlyMedia ? 'this node sends its heartbeats to nobody' : 'ucast reaches no peer'}; add a ucast line for each peer's address`,
        ),
      );
    }
  }
  return issues;
}

function ownedGroups(h: HaCf, groups: readonly HaresourcesLine[], issues: ConfigIssue[]): ResourceGroup[] {
  const names = h.nodes.map((n) => n.name);
  const out: ResourceGroup[] = [];
  for (const g of groups) {
    const owner = g.owner as NodeName;
    if (!names.includes(owner)) {
      const at: SourceLocation = g.at;
      issues.push(
        errorAt(
          at,
          `'${g.ownerAsWritten}' is not a node in ${h.file} (nodes: ${names.join(', ') || 'none'}); the first word of a group ` +
            'line is its home node (Heartbeat: "Bad nodename")',
        ),
      );
      continue;
    }
    out.push({ id: g.id, homeNode: owner, resources: g.resources, at: g.at });
  }
  return out;
}
