// authkeys: `auth N` names the key that signs what we send; `N method [secret]` lines define keys
// 0..15. crc takes no secret, md5 and sha1 require one; sha256/sha512 are our extension. The file
// mode (stat'ed by the loader) is checked here too: Heartbeat refuses group/other-readable keys.
import type { AuthConfig, AuthKey, AuthMethod } from './auth-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import { errorAt, warningAt, wholeFile } from './config-issues.js';
import { closestName } from './did-you-mean.js';
import { stripComment } from './ha-cf-lines.js';

export const AUTH_METHODS: readonly AuthMethod[] = ['crc', 'md5', 'sha1', 'sha256', 'sha512'];
const MAX_KEY_INDEX = 15;
/** Longest authkeys line (a secret of a few hundred characters fits many times over). */
export const MAX_AUTHKEYS_LINE_CHARS = 4096;

export interface AuthkeysParse {
  /** Present when the file defines a usable active key. */
  readonly auth: AuthConfig | undefined;
  readonly issues: readonly ConfigIssue[];
}

/** Heartbeat's rule: refused when group or others may read it (`st_mode & 0044`). */
export function authkeysModeProblem(mode: number, path: string): string | undefined {
  if ((mode & 0o044) === 0) return undefined;
  const octal = (mode & 0o7777).toString(8).padStart(4, '0');
  return `readable by group or others (mode ${octal}); Heartbeat refuses it as well: run \`chmod 600 ${path}\``;
}

/** What the lines read so far have defined, and the issues found. */
interface AuthkeysState {
  readonly file: string;
  readonly issues: ConfigIssue[];
  active: { readonly index: number; readonly at: SourceLocation } | undefined;
  readonly keys: Map<number, AuthKey>;
  readonly keyLines: Map<number, SourceLocation>;
  // Lines already reported, so that their consequences ("no auth line", "key not defined") are not.
  authLineBroken: boolean;
  readonly brokenKeys: Set<number>;
}

const err = (s: AuthkeysState, at: SourceLocation, message: string): void =>
  void s.issues.push(errorAt(at, message));
const warn = (s: AuthkeysState, at: SourceLocation, message: string): void =>
  void s.issues.push(warningAt(at, message));

export function parseAuthkeys(text: string, file = 'authkeys', mode?: number): AuthkeysParse {
  const s: AuthkeysState = {
    file,
    issues: [],
    active: undefined,
    keys: new Map(),
    keyLines: new Map(),
    authLineBroken: false,
    brokenKeys: new Set(),
  };
  if (mode !== undefined) {
    const problem = authkeysModeProblem(mode, file);
    if (problem !== undefined) err(s, wholeFile(file), problem);
  }
  text.split('\n').forEach((raw, i) => {
    const at = { file, line: i + 1 };
    if (raw.length > MAX_AUTHKEYS_LINE_CHARS) {
      err(s, at, `line is ${raw.length} characters long; at most ${MAX_AUTHKEYS_LINE_CHARS} are accepted`);
      return;
    }
    const words = stripComment(raw)
      .replace(/\r/g, '')
      .trim()
      .split(/[ \t]+/)
      .filter((w) => w !== '');
    const [first, ...rest] = words;
    if (first === undefined) return;
    if (first === 'auth') authLine(s, at, rest);
    else keyLine(s, at, first, rest);
  });
  return { auth: activeAuth(s), issues: s.issues };
}

/** `auth N`: the key that signs outgoing packets. */
function authLine(s: AuthkeysState, at: SourceLocation, [second, third, ...extra]: readonly string[]): void {
  if (s.active !== undefined) {
    err(s, at, `a second 'auth' line; the active key is already chosen on line ${s.active.at.line}`);
    return;
  }
  const index = second === undefined ? undefined : keyIndex(second);
  if (index === undefined) {
    s.authLineBroken = true;
    err(
      s,
      at,
      `'auth' takes the index (0-${MAX_KEY_INDEX}) of the key that signs outgoing packets, e.g. \`auth 1\`; got '${second ?? ''}'`,
    );
    return;
  }
  if (third !== undefined) warn(s, at, `'auth' takes one value; '${[third, ...extra].join(' ')}' is ignored`);
  s.active = { index, at };
}

/** `N method [secret]`: key N, checked and recorded unless broken. */
function keyLine(
  s: AuthkeysState,
  at: SourceLocation,
  first: string,
  [second, ...rest]: readonly string[],
): void {
  if (!/^\d+$/.test(first)) {
    const hint = closestName(first, ['auth']) === 'auth' ? "; did you mean 'auth'?" : '';
    if (hint !== '') s.authLineBroken = true;
    err(s, at, `expected \`auth N\` or \`N method [secret]\`, got '${first}'${hint}`);
    return;
  }
  const index = keyIndex(first);
  if (index === undefined) {
    err(s, at, `key index ${first} is out of range: Heartbeat allows 0 to ${MAX_KEY_INDEX}`);
    return;
  }
  const keyError = (message: string): void => {
    s.brokenKeys.add(index);
    err(s, at, message);
  };
  if (second === undefined) {
    keyError(`key ${index} has no method: write \`${index} sha1 <secret>\` (or md5 <secret>, or crc)`);
    return;
  }
  const method = AUTH_METHODS.find((m) => m === second.toLowerCase());
  if (method === undefined) {
    const guess = closestName(second, AUTH_METHODS);
    keyError(
      `unknown auth method '${second}'${guess !== undefined ? `; did you mean '${guess}'?` : ''} (methods: sha1, md5, crc; sha256 and sha512 as a heartbeat-ts extension)`,
    );
    return;
  }
  if (method !== second) {
    warn(
      s,
      at,
      `method names are lowercase; '${second}' is read as '${method}', but Heartbeat would not find a plugin named '${second}'`,
    );
  }
  const earlier = s.keyLines.get(index);
  if (earlier !== undefined) {
    err(s, at, `key ${index} is already defined on line ${earlier.line}`);
    return;
  }
  const secret = keySecret(s, at, index, method, rest, keyError);
  if (secret === undefined) return;
  s.keys.set(index, { index, method, secret });
  s.keyLines.set(index, at);
}

/** The secret of key `index` ('' for crc), or undefined when the key is broken. */
function keySecret(
  s: AuthkeysState,
  at: SourceLocation,
  index: number,
  method: AuthMethod,
  [third, ...extra]: readonly string[],
  keyError: (message: string) => void,
): string | undefined {
  if (method === 'crc') {
    if (third === undefined) return '';
    keyError(
      `crc takes no secret (Heartbeat then drops the key): write \`${index} crc\`, or use sha1 to keep the secret`,
    );
    return undefined;
  }
  if (third === undefined) {
    keyError(`${method} requires a secret: write \`${index} ${method} <secret>\``);
    return undefined;
  }
  if (extra.length > 0) {
    warn(
      s,
      at,
      `only the first word after the method is the secret ('${third}'); '${extra.join(' ')}' is ignored, as in Heartbeat`,
    );
  }
  if (method === 'sha256' || method === 'sha512') {
    warn(
      s,
      at,
      `${method} is a heartbeat-ts extension: real Heartbeat peers cannot verify packets signed with it`,
    );
  }
  return third;
}

/** The AuthConfig when the active key is defined; else why not (unless a reported line explains it). */
function activeAuth(s: AuthkeysState): AuthConfig | undefined {
  const { active, keys, file } = s;
  if (active === undefined) {
    if (!s.authLineBroken) {
      err(
        s,
        wholeFile(file),
        'no `auth N` line: add one naming the key that signs outgoing packets, e.g. `auth 1`',
      );
    }
    return undefined;
  }
  const activeKey = keys.get(active.index);
  if (activeKey === undefined) {
    if (s.brokenKeys.has(active.index)) return undefined;
    const defined = [...keys.keys()].join(', ');
    err(
      s,
      active.at,
      `auth ${active.index}: key ${active.index} is not defined in this file${defined !== '' ? ` (defined: ${defined})` : ''}`,
    );
    return undefined;
  }
  for (const [index, key] of keys) {
    if (index !== active.index && key.secret !== activeKey.secret) {
      warn(
        s,
        s.keyLines.get(index) ?? wholeFile(file),
        `key ${index} has a different secret from the active key ${active.index}; Heartbeat verifies every key index with the ` +
          "active key's secret, so packets signed with key " +
          `${index} would not verify on Heartbeat peers`,
      );
    }
  }
  return { file, activeIndex: active.index, keys };
}

function keyIndex(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= MAX_KEY_INDEX ? n : undefined;
}
