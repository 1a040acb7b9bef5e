// A small valid two-node configuration that tests modify one line at a time.
import {
  resolveConfigFromText,
  type ConfigResolution,
  type ConfigTexts,
} from '../../../src/config/resolve-config.js';
import { formatIssue } from '../../../src/config/config-issues.js';

/** Eight ha.cf lines; a test's extra lines are therefore lines 9, 10, ... */
export const BASE_HA_CF = [
  'keepalive 2',
  'deadtime 10',
  'warntime 6',
  'initdead 20',
  'udpport 694',
  'bcast eth0',
  'auto_failback on',
  'node node1 node2',
].join('\n');
export const BASE_AUTHKEYS = 'auth 1\n1 sha1 s3cret\n';
export const BASE_HARESOURCES = 'node1 198.18.0.100 apache\n';

export function texts(overrides: Partial<ConfigTexts> = {}): ConfigTexts {
  return {
    haCf: BASE_HA_CF,
    authkeys: BASE_AUTHKEYS,
    haresources: BASE_HARESOURCES,
    authkeysMode: 0o600,
    ...overrides,
  };
}

export function withHaCf(...extraLines: string[]): ConfigTexts {
  return texts({ haCf: [BASE_HA_CF, ...extraLines].join('\n') + '\n' });
}

export function resolve(t: ConfigTexts, node = 'node1'): ConfigResolution {
  return resolveConfigFromText(t, node);
}

export function errorsOf(r: ConfigResolution): string[] {
  return r.issues.filter((i) => i.severity === 'error').map(formatIssue);
}

export function warningsOf(r: ConfigResolution): string[] {
  return r.issues.filter((i) => i.severity === 'warning').map(formatIssue);
}
