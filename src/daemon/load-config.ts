// The configuration as the daemon (and its supervisor) load it: host facts are errors, since the
// daemon needs its interfaces, scripts and fence agents. Kept apart from real-deps.ts so that the supervisor can
// load the configuration without pulling in the cluster core.
import { formatIssue } from '../config/config-issues.js';
import { loadClusterConfig } from '../config/load.js';
import { fenceInspector } from '../fencing/inspect.js';
import { resourceLocator } from '../resources/index.js';
import type { ConfigResult } from './config-result.js';

export async function loadConfigForDaemon(
  configDir: string,
  nodeName: string | undefined,
): Promise<ConfigResult> {
  const loaded = await loadClusterConfig(configDir, nodeName, {
    hostFacts: 'error',
    locateResource: resourceLocator(),
    inspectFence: fenceInspector(),
  });
  const errors = loaded.issues.filter((i) => i.severity === 'error').map(formatIssue);
  const warnings = loaded.issues.filter((i) => i.severity === 'warning').map(formatIssue);
  if (loaded.config === undefined || errors.length > 0) {
    return { ok: false, errors: errors.length > 0 ? errors : [`${configDir}: configuration not usable`] };
  }
  return { ok: true, config: loaded.config, warnings, nodeName: loaded.nodeName };
}
