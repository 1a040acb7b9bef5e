// Host network interfaces as the transports need them: IPv4 addresses, prefix and the configured
// broadcast address (os.networkInterfaces() has no broadcast address, so we ask `ip -j addr`).
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { parseIpv4 } from '../config/config-values.js';

export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
  /** The broadcast address configured on the interface (`brd`), undefined when none is set. */
  readonly broadcast: string | undefined;
}

export interface InterfaceInfo {
  readonly name: string;
  readonly up: boolean;
  readonly ipv4: readonly InterfaceAddress[];
}

interface IpJsonAddr {
  family?: string;
  local?: string;
  prefixlen?: number;
  broadcast?: string;
}
interface IpJsonLink {
  ifname?: string;
  flags?: string[];
  addr_info?: IpJsonAddr[];
}

/** Parse `ip -j -4 addr show` output (exported for tests). */
export function parseIpAddrJson(text: string): Map<string, InterfaceInfo> {
  const out = new Map<string, InterfaceInfo>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return out;
  }
  if (!Array.isArray(parsed)) return out;
  for (const link of parsed as IpJsonLink[]) {
    if (typeof link.ifname !== 'string') continue;
    const ipv4: InterfaceAddress[] = [];
    for (const a of link.addr_info ?? []) {
      if (a.family !== 'inet' || typeof a.local !== 'string') continue;
      ipv4.push({ address: a.local, prefixLength: a.prefixlen ?? 32, broadcast: a.broadcast });
    }
    out.set(link.ifname, { name: link.ifname, up: (link.flags ?? []).includes('UP'), ipv4 });
  }
  return out;
}

function runIp(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ip', ['-j', '-4', 'addr', 'show'], { timeout: 5000 }, (err, stdout) => {
      resolve(err ? undefined : stdout);
    });
  });
}

/** Read the host's interfaces; falls back to os.networkInterfaces() (no broadcast info) without `ip`. */
export async function readInterfaces(): Promise<Map<string, InterfaceInfo>> {
  const text = await runIp();
  if (text !== undefined) {
    const m = parseIpAddrJson(text);
    if (m.size > 0) return m;
  }
  const out = new Map<string, InterfaceInfo>();
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    const ipv4 = (addrs ?? [])
      .filter((a) => a.family === 'IPv4')
      .map((a) => ({
        address: a.address,
        prefixLength: Number((a.cidr ?? '/32').split('/')[1] ?? 32),
        broadcast: undefined,
      }));
    out.set(name, { name, up: true, ipv4 });
  }
  return out;
}

/** Is `address` inside the subnet of `ifAddr`? */
export function inSubnet(address: string, ifAddr: InterfaceAddress): boolean {
  const a = parseIpv4(address);
  const b = parseIpv4(ifAddr.address);
  if (a === undefined || b === undefined) return false;
  const bits = Math.max(0, Math.min(32, ifAddr.prefixLength));
  if (bits === 0) return true;
  const shift = 32 - bits;
  return Math.floor(a / 2 ** shift) === Math.floor(b / 2 ** shift);
}
