// The request/response plumbing the API listeners share (api-server.ts, live-stream.ts,
// dashboard-sessions.ts): JSON answers with the security headers every response carries, bounded
// JSON bodies, the bearer token and cookies read from the headers. Loaded with api-server.ts only.
import type http from 'node:http';

export type Res = http.ServerResponse;
export type Req = http.IncomingMessage;

export const MAX_BODY_BYTES = 16 * 1024;

export const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

export function send(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body, null, 1);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  res.end(text);
}

export class BodyProblem {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

/** Reads a request body up to MAX_BODY_BYTES; undefined for none; a BodyProblem says what is wrong. */
export function readBody(req: Req): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES && !done) {
        done = true;
        resolve(new BodyProblem(413, `the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        resolve(new BodyProblem(400, 'the body is not JSON'));
      }
    });
    req.on('error', () => {
      if (!done) resolve(new BodyProblem(400, 'the body could not be read'));
      done = true;
    });
  });
}

/** The value of one cookie (RFC 6265 pairs separated by `;`). */
export function cookie(req: Req, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function bearer(req: Req): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}
