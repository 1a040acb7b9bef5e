// The keys an endpoint signs and verifies with: the current authkeys and, after a reload that
// changed them, the previous ones, still accepted until a deadline (Heartbeat's key rotation).
import type { AuthConfig } from '../config/types.js';
import { Authenticator, type AuthVerdict } from './auth.js';
import type { Decoded } from './codec.js';

export function authenticator(auth: AuthConfig, o: { readonly allowExtendedAuth?: boolean }): Authenticator {
  return new Authenticator(
    auth,
    o.allowExtendedAuth === undefined ? {} : { allowExtendedAuth: o.allowExtendedAuth },
  );
}

export class KeyRing {
  private previous: Authenticator | undefined;
  private previousUntilMs = -Infinity;

  constructor(public current: Authenticator) {}

  /** A reload's new keys; the old ones stay accepted until `previousUntilMs` (-Infinity: not at all). */
  rotate(next: Authenticator, previousUntilMs: number): void {
    if (previousUntilMs > -Infinity) [this.previous, this.previousUntilMs] = [this.current, previousUntilMs];
    this.current = next;
  }

  verify(decoded: Decoded, bytes: Uint8Array, nowMs: number): AuthVerdict {
    const verdict = this.current.verify(decoded, bytes);
    if (verdict.ok || this.previous === undefined || nowMs >= this.previousUntilMs) return verdict;
    const before = this.previous.verify(decoded, bytes);
    return before.ok ? before : verdict;
  }
}
