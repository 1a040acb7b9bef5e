// Value syntaxes shared by the config files: Heartbeat booleans, bounded integers, IP literals.

const TRUE_WORDS = ['true', 'on', 'yes', 'y', '1'];
const FALSE_WORDS = ['false', 'off', 'no', 'n', '0'];

/** Heartbeat's cl_str_to_boolean: true/on/yes/y/1 and false/off/no/n/0, case-insensitive. */
export function parseBoolean(token: string): boolean | undefined {
  const t = token.toLowerCase();
  if (TRUE_WORDS.includes(t)) return true;
  if (FALSE_WORDS.includes(t)) return false;
  return undefined;
}

export const BOOLEAN_HELP = 'true/on/yes/y/1 or false/off/no/n/0';

/** A plain decimal integer within [min, max], else undefined. */
export function parseIntegerIn(token: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(token)) return undefined;
  const n = Number(token);
  return n >= min && n <= max ? n : undefined;
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number, else undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

export function isIPv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** Class D (224.0.0.0 - 239.255.255.255), the only groups the mcast medium accepts. */
export function isIPv4Multicast(text: string): boolean {
  if (!isIPv4(text)) return false;
  const first = Number(text.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** A syntactic IPv6 literal check (hex groups, at most one `::`, optional dotted tail). */
export function isIPv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(text)) return false;
  const doubles = text.split('::').length - 1;
  if (doubles > 1) return false;
  let groups = text.split(':').filter((g) => g !== '');
  let width = 8;
  const last = groups[groups.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    groups = groups.slice(0, -1);
    width = 6;
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return doubles === 1 ? groups.length < width : groups.length === width;
}

export function isIPv6Multicast(text: string): boolean {
  return isIPv6(text) && /^ff/i.test(text);
}

/** What a DNS host name may look like; ucast peers and ping targets may be names. */
export function isHostName(text: string): boolean {
  return (
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(text) &&
    text.length <= 253
  );
}

/** Linux interface names: 1..15 characters, no slash, colon-free except alias labels, no spaces. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name.length > 15)
    return `interface name '${name}' is longer than 15 characters, which Linux does not allow`;
  if (/[/\s]/.test(name)) return `'${name}' is not an interface name`;
  return undefined;
}

/** Longest node or resource (agent) name accepted: a file name's limit (NAME_MAX). */
export const MAX_NAME_CHARS = 255;
