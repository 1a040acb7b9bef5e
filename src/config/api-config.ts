// The HTTP API, metrics and dashboard listeners (our extension; parsed by ha-cf-api.ts).
import type { SourceLocation } from './source-location.js';

/** `api_listen`/`metrics_listen`: where to listen (host as written, brackets of IPv6 removed). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly at: SourceLocation;
}

/** The HTTP API, metrics and dashboard (our extension); see config/ha-cf-api.ts. */
export interface ApiSettings {
  /** `api_listen`: the API, the dashboard and (without metrics_listen) /metrics, all behind the token. */
  readonly listen: ListenAddress | undefined;
  /** `api_token_file`: the bearer token (mode 600, read at start). */
  readonly tokenFile: string | undefined;
  /** `api_cert` + `api_key`: TLS for api_listen. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** `metrics_listen`: /metrics alone, without the token. */
  readonly metricsListen: ListenAddress | undefined;
}
