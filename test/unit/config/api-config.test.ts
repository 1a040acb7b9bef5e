// The HTTP API's directives, our extension: api_listen, api_token_file, api_cert, api_key,
// metrics_listen, in hbts.cf (no warning) or ha.cf (the one extension warning), each bad form
// with its file:line message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigTexts } from '../../../src/config/resolve-config.js';
import { parseListenAddress } from '../../../src/config/ha-cf-api.js';
import { errorsOf, resolve, texts, warningsOf, withHaCf } from './config-fixtures.js';

const hbts = (...lines: string[]): ConfigTexts => texts({ hbtsCf: lines.join('\n') + '\n' });

void test('api_listen with its token file and TLS in hbts.cf: parsed, no warning', () => {
  const r = resolve(
    hbts(
      'api_listen 198.18.0.1:8443',
      'api_token_file /etc/ha.d/api.token',
      'api_cert /etc/ha.d/api.crt',
      'api_key /etc/ha.d/api.key',
      'metrics_listen [::1]:9100',
    ),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), []);
  assert.deepEqual(r.config?.api, {
    listen: { host: '198.18.0.1', port: 8443, at: { file: 'hbts.cf', line: 1 } },
    tokenFile: '/etc/ha.d/api.token',
    cert: '/etc/ha.d/api.crt',
    key: '/etc/ha.d/api.key',
    metricsListen: { host: '::1', port: 9100, at: { file: 'hbts.cf', line: 5 } },
  });
  assert.equal(r.config?.directives.has('api_listen'), false, 'extensions never reach HA_* script variables');
});

void test('without any api line the API is off', () => {
  assert.equal(resolve(texts()).config?.api, undefined);
});

void test('in ha.cf: accepted with the warning that real Heartbeat refuses the file', () => {
  const r = resolve(withHaCf('api_listen 127.0.0.1:8080', 'api_token_file /etc/ha.d/t'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(
    warningsOf(r).filter((w) => w.includes('extension')),
    [
      'ha.cf:9: warning: api_listen, api_token_file are heartbeat-ts extensions (lines 9, 10): real Heartbeat refuses a ha.cf holding them; in a cluster with Heartbeat nodes, move these lines to hbts.cf beside it',
    ],
  );
  assert.equal(r.config?.api?.listen?.port, 8080);
});

void test('api_listen without a token file is an error: the API never runs open', () => {
  assert.deepEqual(errorsOf(resolve(hbts('api_listen 127.0.0.1:8080'))), [
    'hbts.cf:1: api_listen needs `api_token_file /etc/ha.d/api.token` (a file of mode 600 holding the bearer token): the API never runs without one',
  ]);
});

void test('TLS needs both the certificate and the key', () => {
  assert.deepEqual(
    errorsOf(resolve(hbts('api_listen 127.0.0.1:8080', 'api_token_file /t', 'api_cert /c.pem'))),
    ['hbts.cf:3: TLS needs both `api_cert` (the certificate, PEM) and `api_key` (its private key, PEM)'],
  );
});

void test('bad addresses and relative paths: file:line errors', () => {
  assert.deepEqual(errorsOf(resolve(hbts('api_listen 127.0.0.1', 'api_token_file t'))), [
    "hbts.cf:1: api_listen: '127.0.0.1' has no port (e.g. `127.0.0.1:8443` or `[::1]:8443`)",
    "hbts.cf:2: api_token_file takes an absolute file path, got 't'",
  ]);
  assert.deepEqual(errorsOf(resolve(hbts('metrics_listen 127.0.0.1:99999'))), [
    "hbts.cf:1: metrics_listen: '127.0.0.1:99999' is not an address:port (e.g. `127.0.0.1:8443` or `[::1]:8443`)",
  ]);
});

void test('metrics_listen on the API address is refused; token lines without api_listen are warned', () => {
  assert.deepEqual(
    errorsOf(resolve(hbts('api_listen 0.0.0.0:9100', 'api_token_file /t', 'metrics_listen 127.0.0.1:9100'))),
    [
      'hbts.cf:3: metrics_listen 127.0.0.1:9100 is the api_listen address: leave it out to serve /metrics (with the token) on the API listener, or give it its own port',
    ],
  );
  const r = resolve(hbts('metrics_listen 127.0.0.1:9100', 'api_token_file /t'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(warningsOf(r), [
    'hbts.cf:2: warning: api_token_file has no effect: there is no api_listen line (the HTTP API is off)',
  ]);
  assert.deepEqual(r.config?.api?.metricsListen?.port, 9100);
  assert.equal(r.config?.api?.listen, undefined);
});

void test('parseListenAddress: what URL accepts as host:port and nothing more', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:80'), { host: '127.0.0.1', port: 80 });
  assert.deepEqual(parseListenAddress('[::]:8443'), { host: '::', port: 8443 });
  assert.deepEqual(parseListenAddress('node1.example:8443'), { host: 'node1.example', port: 8443 });
  for (const bad of [
    '127.0.0.1:',
    ':8080',
    'user@host:80',
    'host:80/path',
    'host:80?x',
    '1.2.3.4:0',
    'a b:80',
    '[::1]',
  ])
    assert.equal(typeof parseListenAddress(bad), 'string', bad);
});
