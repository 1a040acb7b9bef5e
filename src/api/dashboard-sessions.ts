// The dashboard's sessions: the browser's EventSource cannot send an Authorization header, so the
// page trades the bearer token once (POST /api/v1/session) for a random id in an HttpOnly,
// SameSite=Strict cookie (Secure with TLS). Bounded in number and age; only the token opens one.
import { randomBytes } from 'node:crypto';
import { API_PREFIX } from './api-routes.js';
import { cookie, send, type Req, type Res } from './http-io.js';

export const SESSION_COOKIE = 'hbts_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
export const MAX_SESSIONS = 64;

export class DashboardSessions {
  /** Session id -> when it expires (Date.now() ms), oldest first. */
  private readonly sessions = new Map<string, number>();

  /** `tls`: the cookie gets `Secure`. */
  constructor(private readonly tls: boolean) {}

  /** Does the request carry a live session cookie? (An expired one is forgotten.) */
  valid(req: Req): boolean {
    const sid = cookie(req, SESSION_COOKIE);
    if (sid === undefined) return false;
    const expires = this.sessions.get(sid);
    if (expires !== undefined && expires > Date.now()) return true;
    this.sessions.delete(sid);
    return false;
  }

  /** /api/v1/session, already authorised: POST (with the token) opens one, DELETE ends it. */
  serve(req: Req, res: Res, method: string, auth: 'bearer' | 'session'): void {
    req.resume();
    const secure = this.tls ? '; Secure' : '';
    if (method === 'DELETE') {
      const sid = cookie(req, SESSION_COOKIE);
      if (sid !== undefined) this.sessions.delete(sid);
      return send(res, 204, undefined, {
        'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`,
      });
    }
    if (method !== 'POST') return send(res, 405, { error: `${API_PREFIX}/session takes POST, DELETE` });
    // Only the token itself opens a session (a session cannot renew itself for ever).
    if (auth !== 'bearer') return send(res, 401, { error: 'a session is opened with the bearer token' });
    const now = Date.now();
    for (const [sid, exp] of this.sessions) if (exp <= now) this.sessions.delete(sid);
    while (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const sid = randomBytes(32).toString('hex');
    this.sessions.set(sid, now + SESSION_TTL_MS);
    send(res, 204, undefined, {
      'set-cookie': `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure}`,
    });
  }
}
