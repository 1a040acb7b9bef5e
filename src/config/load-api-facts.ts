// Host facts about the HTTP API: the token file exists and, like authkeys, nobody but its owner can
// read it (an error for `hbts check` too: a readable token is a leaked one), and the TLS files exist.
// The daemon checks the token again when it opens the listener (src/api/api-token.ts).
import { statSync } from 'node:fs';
import type { SourceLocation } from './source-location.js';
import type { ClusterConfig } from './types.js';

export interface ApiFactSinks {
  /** Always an error: a secret others can read. */
  readonly secret: (at: SourceLocation, message: string) => void;
  /** An error for the daemon, a warning in `hbts check`. */
  readonly needed: (at: SourceLocation, message: string) => void;
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

export function apiFacts(config: ClusterConfig, sink: ApiFactSinks): void {
  const api = config.api;
  const at = api?.listen?.at;
  if (api === undefined || at === undefined) return;
  if (api.tokenFile !== undefined) {
    const mode = modeOf(api.tokenFile);
    if (mode === undefined)
      sink.needed(
        at,
        `api_token_file ${api.tokenFile} does not exist: \`openssl rand -hex 32 > ${api.tokenFile}; chmod 600 ${api.tokenFile}\``,
      );
    else if ((mode & 0o077) !== 0)
      sink.secret(
        at,
        `api_token_file ${api.tokenFile} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): run \`chmod 600 ${api.tokenFile}\``,
      );
  }
  for (const [name, file] of [
    ['api_cert', api.cert],
    ['api_key', api.key],
  ] as const) {
    if (file !== undefined && modeOf(file) === undefined) sink.needed(at, `${name} ${file} does not exist`);
  }
}
