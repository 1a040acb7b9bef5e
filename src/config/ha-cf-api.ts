// The HTTP API, metrics and dashboard, our extension (in ha.cf or hbts.cf): `api_listen <addr>:<port>`
// with `api_token_file` (the bearer token, mode 600) and optional TLS (`api_cert` + `api_key`),
// and `metrics_listen <addr>:<port>` (a token-free /metrics listener). The handlers check each
// line; finishApi checks what needs them all (a listener needs its token, a cert its key).
import type { ApiSettings, ListenAddress } from './api-config.js';
import type { SourceLocation } from './source-location.js';
import type { DirectiveHandler, HaCfBuilder } from './ha-cf-builder.js';

export type ApiDirective = 'api_listen' | 'api_token_file' | 'api_cert' | 'api_key' | 'metrics_listen';

/**
 * `127.0.0.1:8443`, `[::1]:8443`, `0.0.0.0:8443`, `node1.example:8443` -> host and port, or why not.
 * The WHATWG URL parser does the splitting (IPv6 brackets, ports out of range, stray characters).
 */
export function parseListenAddress(value: string): { host: string; port: number } | string {
  const example = 'e.g. `127.0.0.1:8443` or `[::1]:8443`';
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return `'${value}' is not an address:port (${example})`;
  }
  const written = value.toLowerCase();
  if (
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  )
    return `'${value}' is not a plain address:port (${example})`;
  // URL drops a default port (80) and normalises the host; the text must be exactly host:port.
  const port = url.port === '' ? (/:80$/.test(written) ? 80 : undefined) : Number(url.port);
  if (port === undefined) return `'${value}' has no port (${example})`;
  if (`${url.hostname}:${port}` !== written) return `'${value}' is not a plain address:port (${example})`;
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port };
}

const listen: DirectiveHandler = (b, value, { name, at }) => {
  const parsed = parseListenAddress(value);
  if (typeof parsed === 'string') b.err(at, `${name}: ${parsed}`);
  else b.api.set(name as ApiDirective, { value, at });
};

const absoluteFile: DirectiveHandler = (b, value, { name, at }) => {
  if (!value.startsWith('/')) b.err(at, `${name} takes an absolute file path, got '${value}'`);
  else b.api.set(name as ApiDirective, { value, at });
};

export const apiListen = listen;
export const metricsListen = listen;
export const apiTokenFile = absoluteFile;
export const apiCert = absoluteFile;
export const apiKey = absoluteFile;

function address(v: { value: string; at: SourceLocation } | undefined): ListenAddress | undefined {
  if (v === undefined) return undefined;
  const p = parseListenAddress(v.value);
  return typeof p === 'string' ? undefined : { ...p, at: v.at };
}

/** The checks that need every api line read; undefined when nothing API-related is configured. */
export function finishApi(b: HaCfBuilder): ApiSettings | undefined {
  const get = (n: ApiDirective): { value: string; at: SourceLocation } | undefined => b.api.get(n);
  const listenAt = get('api_listen');
  const token = get('api_token_file');
  const cert = get('api_cert');
  const key = get('api_key');
  const metrics = get('metrics_listen');
  if (listenAt === undefined) {
    for (const [name, v] of [
      ['api_token_file', token],
      ['api_cert', cert],
      ['api_key', key],
    ] as const) {
      if (v !== undefined)
        b.warn(v.at, `${name} has no effect: there is no api_listen line (the HTTP API is off)`);
    }
    if (metrics === undefined) return undefined;
  }
  if (listenAt !== undefined && token === undefined) {
    b.err(
      listenAt.at,
      'api_listen needs `api_token_file /etc/ha.d/api.token` (a file of mode 600 holding the bearer token): the API never runs without one',
    );
  }
  if (listenAt !== undefined && (cert === undefined) !== (key === undefined)) {
    const given = (cert ?? key)!;
    b.err(given.at, 'TLS needs both `api_cert` (the certificate, PEM) and `api_key` (its private key, PEM)');
  }
  const api = address(listenAt);
  const m = address(metrics);
  if (
    api !== undefined &&
    m !== undefined &&
    api.port === m.port &&
    (api.host === m.host || isAny(api.host) || isAny(m.host))
  ) {
    b.err(
      m.at,
      `metrics_listen ${metrics?.value ?? ''} is the api_listen address: leave it out to serve /metrics (with the token) on the API listener, or give it its own port`,
    );
  }
  return {
    listen: api,
    tokenFile: token?.value,
    cert: cert?.value,
    key: key?.value,
    metricsListen: m,
  };
}

function isAny(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
