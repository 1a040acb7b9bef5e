// The API's bearer token: read once at start from `api_token_file`, which, like authkeys, must be
// readable by its owner only (refused otherwise), and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ApiStartError } from './errors.js';

/** Shorter tokens are refused: a guessable token is no protection. */
export const MIN_TOKEN_CHARS = 16;

export function readTokenFile(path: string): string {
  const fix = `e.g. \`openssl rand -hex 32 > ${path}; chmod 600 ${path}\``;
  let mode: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ApiStartError(`api_token_file ${path} is not a regular file (${fix})`);
    mode = st.mode & 0o777;
  } catch (err) {
    if (err instanceof ApiStartError) throw err;
    throw new ApiStartError(`api_token_file ${path}: ${(err as Error).message} (${fix})`, { cause: err });
  }
  if ((mode & 0o077) !== 0)
    throw new ApiStartError(
      `api_token_file ${path} is mode ${mode.toString(8).padStart(3, '0')}: it holds the API's bearer token, so only its owner may read it: chmod 600 ${path}`,
    );
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token))
    throw new ApiStartError(
      `api_token_file ${path} must hold one token of at least ${MIN_TOKEN_CHARS} characters without spaces (${fix})`,
    );
  return token;
}

/** Compares candidates with the token in constant time (both hashed first, so lengths never leak). */
export class TokenCheck {
  private readonly digest: Buffer;
  constructor(token: string) {
    this.digest = sha256(token);
  }
  matches(candidate: string): boolean {
    return timingSafeEqual(this.digest, sha256(candidate));
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
