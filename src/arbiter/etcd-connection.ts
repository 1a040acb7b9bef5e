// The arbiter's connection to etcd: the etcd3 client (the package, about 35 MB RSS with gRPC, is
// imported only when an arbiter is configured; TLS files are read at start), the time limit every
// call gets, the keepalive that gives each etcd member its share of that limit, and whether etcd
// answers (logged when that changes).
import { readFile } from 'node:fs/promises';
// Types only (erased): the package itself is loaded by open()'s dynamic import.
import type * as Etcd3Types from 'etcd3';
import type { ArbiterConfig } from '../config/arbitration-config.js';
import type { MonoMs } from '../cluster/types.js';
import type { ArbiterHooks } from './arbiter-hooks.js';

export type Etcd3Module = typeof Etcd3Types;
type Client = InstanceType<Etcd3Module['Etcd3']>;

class CallTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeout(`${what}: no answer from etcd within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** The first line of an error, for logs and status. */
export function message(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
}

/** etcd3 takes host:port or a URL; a bare host:port means plain http. */
function hostUrl(endpoint: string, tls: boolean): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint;
  return `${tls ? 'https' : 'http'}://${endpoint}`;
}

export class EtcdConnection {
  private answering = false;
  private lastErrorText: string | undefined;
  /** Every call's limit: an answer later than this cannot help any more, the next tick asks again. */
  private readonly callMs: number;

  private constructor(
    /** The etcd3 package (its enums build the transactions). */
    readonly etcd: Etcd3Module,
    readonly client: Client,
    private readonly config: ArbiterConfig,
    private readonly hooks: ArbiterHooks,
    private readonly now: () => MonoMs,
  ) {
    this.callMs = Math.max(200, Math.min(2000, Math.round(config.ttlMs / 4)));
  }

  /** Loads etcd3 and builds the client (TLS files read now). */
  static async open(config: ArbiterConfig, hooks: ArbiterHooks, now: () => MonoMs): Promise<EtcdConnection> {
    const etcd = await import('etcd3');
    const tls = config.tls;
    const credentials =
      tls === undefined
        ? undefined
        : {
            rootCertificate: await readFile(tls.cacert),
            ...(tls.cert !== undefined && tls.key !== undefined
              ? { certChain: await readFile(tls.cert), privateKey: await readFile(tls.key) }
              : {}),
          };
    const client = new etcd.Etcd3({
      hosts: config.endpoints.map((e) => hostUrl(e, tls !== undefined)),
      ...(credentials !== undefined ? { credentials } : {}),
      dialTimeout: Math.min(2000, config.ttlMs / 4),
      // Reconnect quickly once etcd is back: gRPC's default backoff grows to two minutes.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 },
    });
    return new EtcdConnection(etcd, client, config, hooks, now);
  }

  /** `p`, or a timeout error naming `what` once the call limit has passed. */
  call<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.callMs, what);
  }

  /**
   * One keepalive exchange on its own stream. etcd3 retries unary calls on another member, not
   * streams: a dead member is skipped here, one attempt per endpoint within ttl/4, each with its share.
   */
  async keepaliveOnce(lease: string): Promise<string> {
    const startMs = this.now();
    // Each member gets its share of the budget, so a dead one cannot use it all up: a live
    // member on the same network answers in milliseconds.
    const perTryMs = Math.max(100, Math.floor(this.callMs / this.config.endpoints.length));
    let last: unknown;
    for (let i = 0; i < this.config.endpoints.length; i++) {
      const leftMs = Math.min(perTryMs, Math.round(this.callMs - (this.now() - startMs)));
      if (leftMs <= 0) break;
      try {
        const stream = await withTimeout(
          this.client.leaseClient.leaseKeepAlive({ deadline: new Date(Date.now() + leftMs) }),
          leftMs,
          'lease keepalive',
        );
        try {
          return await withTimeout(
            new Promise<string>((resolve, reject) => {
              stream.on('data', (r: { TTL: string }) => resolve(r.TTL));
              stream.on('error', reject);
              stream.write({ ID: lease });
            }),
            leftMs,
            'lease keepalive',
          );
        } finally {
          stream.end();
        }
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new CallTimeout('lease keepalive: no attempt left');
  }

  /** etcd answered the last keepalive. */
  get reachable(): boolean {
    return this.answering;
  }

  get lastError(): string | undefined {
    return this.lastErrorText;
  }

  /** A call failed: logged once per new error, or when etcd stops answering. */
  failed(err: unknown): void {
    const text = message(err);
    if (this.answering || this.lastErrorText !== text)
      this.hooks.log('warn', 'arbiter: etcd did not answer', { error: text });
    this.answering = false;
    this.lastErrorText = text;
  }

  answered(): void {
    if (!this.answering && this.lastErrorText !== undefined)
      this.hooks.log('info', 'arbiter: etcd answers again');
    this.answering = true;
    this.lastErrorText = undefined;
  }

  close(): void {
    this.client.close();
  }
}
