// Resolves the three parsed files into the one ClusterConfig, with the checks that need more than
// one file or the local node: this node among the `node` lines, haresources owners, autojoin and
// crm versus haresources, ucast media that only reach ourselves. Returns a config only when there
// is no error; issues are sorted by file, then line.
import type { ResourceGroup } from './resource-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { ClusterConfig, HaCf, NodeName } from './types.js';
import { errorAt, hasErrors, sortIssues, warningAt, wholeFile } from './config-issues.js';
import { parseHaCf } from './parse-ha-cf.js';
import { parseAuthkeys } from './parse-authkeys.js';
import { parseHaresources, type HaresourcesLine } from './parse-haresources.js';
import type { AuthConfig } from './auth-config.js';
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
  issues.push(...crossChecks(haCf.haCf, haresources.groups, local, texts.localAddresses));
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
  const listed = nodes.map((n) => n.name);
  const config: ClusterConfig = {
    configDir: texts.configDir ?? DEFAULT_CONFIG_DIR,
    ...settings,
    // autojoin any: this node need not be listed; Heartbeat adds it ("Current node added to configuration").
    nodes: listed.includes(local) || settings.autojoin !== 'any' ? listed : [...listed, local],
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
  issues.push(...autojoinChecks(h, groups), ...crmChecks(h, groups));
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

/**
 * autojoin other/any: Heartbeat 3.0.6 accepts it only with crm on (config.c r1_style_valid: "R1
 * style resource management conflicts with autojoin set"), whether or not haresources has groups.
 */
function autojoinChecks(h: HaCf, groups: readonly HaresourcesLine[]): ConfigIssue[] {
  if (h.autojoin === 'none') return [];
  const at = h.lines.get('autojoin') ?? wholeFile(h.file);
  if (h.crm === undefined) {
    return [
      errorAt(
        at,
        `autojoin ${h.autojoin} needs \`crm on\`: Heartbeat refuses it otherwise ("R1 style resource management ` +
          'conflicts with autojoin set"); set `autojoin none` and list every node on a node line, or add `crm on`',
      ),
    ];
  }
  if (groups.length > 0) {
    return [
      errorAt(
        at,
        `autojoin ${h.autojoin} with resource groups in haresources: a node that joins is on no haresources line, ` +
          'so no group could say where it may run; set `autojoin none` and list the nodes on node lines',
      ),
    ];
  }
  return [];
}

/**
 * crm/pacemaker on: heartbeat-ts does not run Pacemaker. Heartbeat runs such a file (when Pacemaker
 * is installed) and ignores haresources, so we run it too, and say what it means for the resources.
 */
function crmChecks(h: HaCf, groups: readonly HaresourcesLine[]): ConfigIssue[] {
  if (h.crm === undefined) return [];
  const name = h.lines.get('pacemaker')?.line === h.crm.at.line ? 'pacemaker' : 'crm';
  const ours =
    groups.length === 0
      ? 'haresources has no resource groups, so this cluster manages no resources at all (membership only)'
      : `heartbeat-ts manages the ${groups.length} resource group${groups.length === 1 ? '' : 's'} of haresources itself`;
  return [
    warningAt(
      h.crm.at,
      `${name} ${h.crm.value}: heartbeat-ts does not run Pacemaker; ${ours}. Real Heartbeat with ${name} on ignores ` +
        'haresources and leaves resources to Pacemaker (cib, crmd): resources a cluster kept in the Pacemaker CIB are ' +
        'never read, started or stopped by heartbeat-ts; write them as haresources groups (and stop Pacemaker first)',
    ),
  ];
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
