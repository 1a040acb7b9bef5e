// Ties `monitor` and `monitor_policy` lines to haresources: which group and which resource each
// names (as written, or by agent name when that is unambiguous), one policy per group, and the
// policy a group without a line gets. Pure; problems are issues at the line that caused them.
import { errorAt, warningAt } from './config-issues.js';
import { closestName } from './did-you-mean.js';
import type { HealthPolicy, MonitorLines, ResourceMonitor } from './health-config.js';
import type { ResourceGroup } from './resource-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { ClusterConfig, GroupId } from './types.js';

/** Restart once in place; a second failure within a minute, or a third ever, moves the group. */
export const DEFAULT_HEALTH_POLICY = { restarts: 1, windowMs: 60_000, migrationThreshold: 3 } as const;

/** The policy of `group`: its monitor_policy line, else the defaults. */
export function healthPolicy(config: Pick<ClusterConfig, 'healthPolicies'>, group: GroupId): HealthPolicy {
  return config.healthPolicies?.find((p) => p.group === group) ?? { group, ...DEFAULT_HEALTH_POLICY };
}

export interface ResolvedMonitors {
  readonly monitors: ResourceMonitor[];
  readonly healthPolicies: HealthPolicy[];
}

export function resolveMonitors(
  lines: MonitorLines,
  groups: readonly ResourceGroup[],
  issues: ConfigIssue[],
): ResolvedMonitors {
  const monitors: ResourceMonitor[] = [];
  for (const line of lines.monitorLines) {
    const found = findResource(line.resource, groups, line.at, issues, 'monitor');
    if (found === undefined) continue;
    monitors.push({
      group: found.group.id,
      resourceIndex: found.index,
      resource: found.group.resources[found.index]?.raw ?? line.resource,
      intervalMs: line.intervalMs,
      timeoutMs: line.timeoutMs,
      check: line.check,
      at: line.at,
    });
  }
  const healthPolicies: HealthPolicy[] = [];
  const policyAt = new Map<GroupId, SourceLocation>();
  for (const line of lines.policyLines) {
    const found = findResource(line.target, groups, line.at, issues, 'monitor_policy');
    if (found === undefined) continue;
    const id = found.group.id;
    const earlier = policyAt.get(id);
    if (earlier !== undefined) {
      issues.push(
        errorAt(
          line.at,
          `monitor_policy: group ${id} already has a policy on ${earlier.file}:${earlier.line}; write one line per group`,
        ),
      );
      continue;
    }
    policyAt.set(id, line.at);
    const policy: HealthPolicy = {
      group: id,
      restarts: line.restarts ?? DEFAULT_HEALTH_POLICY.restarts,
      windowMs: line.windowMs ?? DEFAULT_HEALTH_POLICY.windowMs,
      migrationThreshold: line.migrationThreshold ?? DEFAULT_HEALTH_POLICY.migrationThreshold,
    };
    if (policy.restarts >= policy.migrationThreshold) {
      issues.push(
        warningAt(
          line.at,
          `monitor_policy ${line.target}: restarts=${policy.restarts} is never reached, the group moves at migration_threshold=${policy.migrationThreshold} failures`,
        ),
      );
    }
    if (!monitors.some((m) => m.group === id))
      issues.push(
        warningAt(
          line.at,
          `monitor_policy ${line.target}: no monitor line checks a resource of group ${id}, so this policy never applies`,
        ),
      );
    healthPolicies.push(policy);
  }
  return { monitors, healthPolicies };
}

/** A resource as written in haresources, or its agent name when only one resource has it. */
function findResource(
  ref: string,
  groups: readonly ResourceGroup[],
  at: SourceLocation,
  issues: ConfigIssue[],
  directive: string,
): { group: ResourceGroup; index: number } | undefined {
  const all = groups.flatMap((group) => group.resources.map((rsc, index) => ({ group, index, rsc })));
  let matches = all.filter((m) => m.rsc.raw === ref);
  if (matches.length === 0) matches = all.filter((m) => m.rsc.agent === ref);
  if (matches.length === 1) {
    const m = matches[0];
    return m === undefined ? undefined : { group: m.group, index: m.index };
  }
  if (matches.length > 1) {
    issues.push(
      errorAt(
        at,
        `${directive} ${ref}: names ${matches.length} resources (${matches.map((m) => m.rsc.raw).join(', ')}); write the one you mean exactly as in haresources`,
      ),
    );
    return undefined;
  }
  const names = all.map((m) => m.rsc.raw);
  const guess = closestName(ref, [...names, ...all.map((m) => m.rsc.agent)]);
  issues.push(
    errorAt(
      at,
      `${directive} ${ref}: no such resource in haresources${guess !== undefined ? ` (did you mean ${guess}?)` : ''}; resources: ${names.join(', ') || 'none'}`,
    ),
  );
  return undefined;
}

/** A check as a short text for status and logs. */
export function checkText(m: Pick<ResourceMonitor, 'check'>): string {
  const c = m.check;
  switch (c.kind) {
    case 'agent':
      return c.depth > 0 ? `status depth=${c.depth}` : 'status';
    case 'http':
      return `http GET ${c.url} expect ${c.expect}`;
    case 'tcp':
      return `tcp ${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
    case 'exec':
      return `exec ${[c.file, ...c.args].join(' ')}`;
  }
}
