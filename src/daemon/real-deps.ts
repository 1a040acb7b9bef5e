// The real collaborators of the daemon: the config loader (host facts as errors: the daemon needs
// its interfaces, scripts and fence agents), the protocol endpoint, the cluster core and the resource runner.
import { formatIssue } from '../config/config-issues.js';
import { loadClusterConfig } from '../config/load.js';
import type { ClusterConfig } from '../config/types.js';
import { Authenticator } from '../protocol/auth.js';
import { classicForSerial } from '../protocol/classic-for-serial.js';
import { createEndpoint } from '../protocol/create-endpoint.js';
import { resourceLocator } from '../resources/index.js';
import { fenceInspector } from '../fencing/inspect.js';
import type { ConfigResult, DaemonDeps } from './daemon.js';
import { createCore, createRunner } from './real-core.js';

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

/**
 * Serial lines carry the classic text form, verified by its inner auth field alone: packets are
 * converted with that field (re)computed, which `msgfmt netstring` packets do not carry.
 */
export function serialEncoder(
  config: Pick<ClusterConfig, 'auth'>,
): (bytes: Uint8Array) => Uint8Array | undefined {
  const auth = new Authenticator(config.auth);
  return (bytes) => classicForSerial(bytes, auth);
}

export const realDeps: DaemonDeps = {
  loadConfig: loadConfigForDaemon,
  createEndpoint,
  createCore,
  createRunner,
  serialEncoder,
};
