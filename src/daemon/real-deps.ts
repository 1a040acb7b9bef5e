// The real collaborators of the daemon: the config loader (host facts as errors: the daemon needs
// its interfaces, scripts and fence agents), the protocol endpoint, the cluster core and the resource runner.
import type { ClusterConfig } from '../config/types.js';
import { Authenticator } from '../protocol/auth.js';
import { classicForSerial } from '../protocol/classic-for-serial.js';
import { createEndpoint } from '../protocol/create-endpoint.js';
import type { DaemonDeps } from './daemon-contract.js';
import { loadConfigForDaemon } from './load-config.js';
import { createCore, createRunner } from './real-core.js';

export { loadConfigForDaemon };

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
  realtime: true,
  loadConfig: loadConfigForDaemon,
  createEndpoint,
  createCore,
  createRunner,
  serialEncoder,
};
