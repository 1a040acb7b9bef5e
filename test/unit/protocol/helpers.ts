// Shared builders for the protocol tests: auth configs, endpoints, a seeded PRNG.
import type { AuthConfig, AuthKey, AuthMethod } from '../../../src/config/auth-config.js';
import type { MediumId, NodeName } from '../../../src/config/types.js';
import { createEndpoint } from '../../../src/protocol/create-endpoint.js';
import type { EndpointOptions, ProtocolEndpoint } from '../../../src/protocol/endpoint.js';
import type { Field } from '../../../src/protocol/message.js';

export function authConfig(method: AuthMethod, secret: string, index = 1, extra: AuthKey[] = []): AuthConfig {
  const keys = new Map<number, AuthKey>([[index, { index, method, secret }]]);
  for (const k of extra) keys.set(k.index, k);
  return { file: '/etc/ha.d/authkeys', activeIndex: index, keys };
}

/** mulberry32: small deterministic PRNG for tests. */
export function seededRandom(seed: number): { next(): number } {
  let a = seed >>> 0;
  return {
    next(): number {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const MEDIUM = 'bcast:eth0' as MediumId;

export function uuidOf(n: number): Uint8Array {
  return Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i * 7) & 0xff);
}

export function endpoint(self: string, overrides: Partial<EndpointOptions> = {}): ProtocolEndpoint {
  return createEndpoint({
    self: self as NodeName,
    uuid: uuidOf(self.charCodeAt(self.length - 1)),
    generation: 0x100,
    auth: authConfig('sha1', 'test-secret'),
    innerAuth: true,
    knownNodes: ['node1', 'node2', 'node3'] as NodeName[],
    pingNodes: ['198.18.0.254'],
    ttl: 3,
    maxRexmitDelayMs: 250,
    random: seededRandom(42),
    ...overrides,
  });
}

export function s(name: string, value: string): Field {
  return { name, type: 'string', value };
}

export const STATUS: readonly Field[] = [
  s('t', 'status'),
  s('st', 'active'),
  s('dt', '2710'),
  s('protocol', '1'),
];

export const WALL = 0x6b06d776 * 1000;
