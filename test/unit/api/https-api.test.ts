// api_cert + api_key: the API speaks HTTPS (a throw-away self-signed certificate from openssl),
// the token still guards it, and the session cookie is marked Secure.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoopbackNode } from '../daemon/loopback-node.js';
import { cleanup, daemonPid, loopbackNode, read, startHbts, waitFor } from '../daemon/loopback-node.js';

const TOKEN = 'tls-test-token-0123456789abcdef';
const skip = existsSync('/usr/bin/openssl') ? undefined : 'openssl not installed (Debian package openssl)';

function get(
  port: number,
  ca: Buffer,
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method, headers, ca, servername: 'localhost', timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

void describe('HTTPS API (api_cert, api_key)', { skip: skip ?? false }, () => {
  let n: LoopbackNode;
  let child: ChildProcess;
  const port = 20000 + Math.floor(Math.random() * 30000);
  let ca: Buffer;
  before(async () => {
    n = loopbackNode();
    const cert = join(n.configDir, 'api.crt');
    const key = join(n.configDir, 'api.key');
    const g = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-days',
        '1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8', timeout: 15000 },
    );
    assert.equal(g.status, 0, g.stderr);
    chmodSync(key, 0o600);
    ca = readFileSync(cert);
    const tokenFile = join(n.configDir, 'api.token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
    writeFileSync(
      join(n.configDir, 'hbts.cf'),
      `api_listen 127.0.0.1:${port}\napi_token_file ${tokenFile}\napi_cert ${cert}\napi_key ${key}\n`,
    );
    child = startHbts(n);
    await waitFor('the API', () => read(n.logFile).includes('api_listen open'));
  });
  after(() => cleanup(n, [child, daemonPid(n)]));

  void it('answers over TLS with the token, refuses without, and the cookie is Secure', async () => {
    assert.match(read(n.logFile), /api_listen open address=127\.0\.0\.1:\d+ tls=yes/);
    assert.equal((await get(port, ca, '/api/v1/cluster', {})).status, 401);
    const ok = await get(port, ca, '/api/v1/cluster', { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { node: string }).node, 'a');
    const s = await get(port, ca, '/api/v1/session', { authorization: `Bearer ${TOKEN}` }, 'POST');
    assert.equal(s.status, 204);
    assert.match(
      String((s.headers['set-cookie'] as string[] | undefined)?.[0]),
      /; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
    );
  });
});
