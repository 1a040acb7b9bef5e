// The real collaborators of the daemon: the config loader (host facts as errors: the daemon needs
// its interfaces and scripts), the protocol endpoint, the cluster core and the resource runner.
import { formatIssue } from '../config/config-issues.js';
import { loadClusterConfig } from '../config/load.js';
import { decodePacket, encodeClassic } from '../protocol/codec.js';
import { createEndpoint } from '../protocol/endpoint.js';
import type { ConfigResult, DaemonDeps } from './daemon.js';
import { createCore, createRunner } from './real-core.js';

export async function loadConfigForDaemon(
  configDir: string,
  nodeName: string | undefined,
): Promise<ConfigResult> {
  const loaded = await loadClusterConfig(configDir, nodeName, { hostFacts: 'error' });
  const errors = loaded.issues.filter((i) => i.severity === 'error').map(formatIssue);
  const warnings = loaded.issues.filter((i) => i.severity === 'warning').map(formatIssue);
  if (loaded.config === undefined || errors.length > 0) {
    return { ok: false, errors: errors.length > 0 ? errors : [`${configDir}: configuration not usable`] };
  }
  return { ok: true, config: loaded.config, warnings, nodeName: loaded.nodeName };
}

/** Serial lines carry the classic text form; netstring datagrams from the core are converted. */
export function toClassic(bytes: Uint8Array): Uint8Array | undefined {
  const d = decodePacket(bytes);
  if (!d.ok) return undefined;
  return d.encoding === 'classic' ? bytes : encodeClassic(d.message);
}

export const realDeps: DaemonDeps = {
  loadConfig: loadConfigForDaemon,
  createEndpoint,
  createCore,
  createRunner,
  toClassic,
};
