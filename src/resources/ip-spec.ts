// Parses Heartbeat's IPaddr/IPaddr2 argument `ip[/bits[/iface[:label]][/broadcast]]` and does the
// IPv4 arithmetic the built-in address agent needs (which interface's subnet holds the VIP).
// Pure: no I/O, so every edge case is a unit test.
import { parseIpv4 } from '../config/config-values.js';

export interface IpSpec {
  /** Dotted quad, as given. */
  readonly ip: string;
  /** Prefix length 1..32, when given (a dotted netmask is converted). */
  readonly prefixBits: number | undefined;
  readonly iface: string | undefined;
  /** Full label (`eth0:web`) when `iface:label` was given. */
  readonly label: string | undefined;
  readonly broadcast: string | undefined;
}

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Linux IFNAMSIZ is 16 including the NUL: names and labels are at most 15 characters. */
export const MAX_IFNAME_CHARS = 15;
const IFNAME_RE = /^[A-Za-z0-9_.@-]+$/;

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Netmask as an unsigned 32-bit number for a prefix length. */
export function prefixMask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

export function sameSubnet(a: number, b: number, bits: number): boolean {
  const mask = prefixMask(bits);
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function parsePrefix(text: string): number | undefined {
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    return n >= 1 && n <= 32 ? n : undefined;
  }
  // IPaddr also accepted a dotted netmask (255.255.255.0): convert if it is contiguous.
  const mask = parseIpv4(text);
  if (mask === undefined) return undefined;
  for (let bits = 1; bits <= 32; bits++) if (prefixMask(bits) === mask) return bits;
  return undefined;
}

export function parseIpSpec(text: string): ParseResult<IpSpec> {
  const fail = (why: string): ParseResult<IpSpec> => ({
    ok: false,
    error: `bad address "${text}": ${why} (expected ip[/bits[/iface[:label]][/broadcast]])`,
  });
  const fields = text.split('/');
  const [ipText, bitsText, third, fourth, ...rest] = fields;
  if (ipText?.includes(':')) return fail('IPv6 is not handled by IPaddr/IPaddr2 (use IPv6addr)');
  if (rest.length > 0) return fail('too many "/" fields');
  if (ipText === undefined || parseIpv4(ipText) === undefined)
    return fail(`"${ipText ?? ''}" is not an IPv4 address`);
  let prefixBits: number | undefined;
  if (bitsText !== undefined && bitsText !== '') {
    prefixBits = parsePrefix(bitsText);
    if (prefixBits === undefined) return fail(`"${bitsText}" is not a prefix length 1..32 or a netmask`);
  }
  let iface: string | undefined;
  let label: string | undefined;
  let broadcast: string | undefined;
  // Heartbeat: a third field that starts with a digit is the broadcast address, not an interface.
  if (third !== undefined && third !== '') {
    if (/^[0-9]/.test(third)) {
      if (fourth !== undefined) return fail('nothing may follow the broadcast address');
      broadcast = third;
    } else {
      const colon = third.indexOf(':');
      iface = colon < 0 ? third : third.slice(0, colon);
      if (colon >= 0) {
        const suffix = third.slice(colon + 1);
        if (suffix === '') return fail('empty label after ":"');
        label = third;
      }
      if (!IFNAME_RE.test(iface) || iface.length > MAX_IFNAME_CHARS)
        return fail(`"${iface}" is not an interface name`);
      if (label !== undefined && (label.length > MAX_IFNAME_CHARS || /\s/.test(label)))
        return fail(`label "${label}" is longer than ${MAX_IFNAME_CHARS} characters or has spaces`);
      if (fourth !== undefined && fourth !== '') broadcast = fourth;
    }
  }
  if (broadcast !== undefined && parseIpv4(broadcast) === undefined)
    return fail(`"${broadcast}" is not an IPv4 broadcast address`);
  return { ok: true, value: { ip: ipText, prefixBits, iface, label, broadcast } };
}

/** One IPv4 address as listed by `ip -o -4 addr show`. */
export interface InterfaceAddress {
  readonly iface: string;
  readonly ip: string;
  readonly prefixBits: number;
  /** The label column (`eth0` or `eth0:1`). */
  readonly label: string;
}

/**
 * Parses `ip -o -4 addr show` lines:
 * `4: eth0    inet 198.18.40.1/24 brd 198.18.40.255 scope global eth0:1\       valid_lft ...`
 */
export function parseIpAddrShow(output: string): InterfaceAddress[] {
  const out: InterfaceAddress[] = [];
  for (const line of output.split('\n')) {
    const main = line.split('\\')[0] ?? '';
    const tokens = main.trim().split(/\s+/);
    if (tokens.length < 4 || tokens[2] !== 'inet') continue;
    const iface = (tokens[1] ?? '').replace(/@.*$/, '');
    const [ip, bits] = (tokens[3] ?? '').split('/');
    if (ip === undefined || bits === undefined || parseIpv4(ip) === undefined) continue;
    // The label is the last token before the `\` (after `scope X` and flags such as `secondary`).
    const last = tokens[tokens.length - 1] ?? iface;
    const label = last === iface || last.startsWith(`${iface}:`) ? last : iface;
    out.push({ iface, ip, prefixBits: Number(bits), label });
  }
  return out;
}

/**
 * Chooses the interface and prefix for a VIP like Heartbeat's findif: the interface carrying an
 * address whose subnet contains the VIP (the VIP's own entry is ignored).
 */
export function chooseInterface(
  spec: IpSpec,
  addresses: readonly InterfaceAddress[],
): ParseResult<{ iface: string; prefixBits: number }> {
  const vip = parseIpv4(spec.ip);
  if (vip === undefined) return { ok: false, error: `"${spec.ip}" is not an IPv4 address` };
  const candidates = addresses.filter((a) => {
    const addr = parseIpv4(a.ip);
    if (addr === undefined || a.ip === spec.ip) return false;
    if (spec.iface !== undefined && a.iface !== spec.iface) return false;
    return sameSubnet(vip, addr, spec.prefixBits ?? a.prefixBits);
  });
  // Prefer the most specific subnet, like a routing lookup.
  candidates.sort((a, b) => b.prefixBits - a.prefixBits);
  const best = candidates[0];
  if (best) return { ok: true, value: { iface: best.iface, prefixBits: spec.prefixBits ?? best.prefixBits } };
  if (spec.iface !== undefined && spec.prefixBits !== undefined)
    return { ok: true, value: { iface: spec.iface, prefixBits: spec.prefixBits } };
  if (spec.iface !== undefined)
    return {
      ok: false,
      error: `no address on ${spec.iface} shares a subnet with ${spec.ip}: give the prefix (${spec.ip}/BITS/${spec.iface})`,
    };
  return {
    ok: false,
    error: `no interface has a subnet containing ${spec.ip}: give it as ${spec.ip}/BITS/IFACE`,
  };
}

/** First free `iface:N` label (N from 0), or undefined when it would exceed 15 characters. */
export function freeLabel(iface: string, addresses: readonly InterfaceAddress[]): string | undefined {
  const used = new Set(addresses.map((a) => a.label));
  for (let n = 0; n < 1000; n++) {
    const label = `${iface}:${n}`;
    if (label.length > MAX_IFNAME_CHARS) return undefined;
    if (!used.has(label)) return label;
  }
  return undefined;
}
