// Resolve the interface a media line names into the address a medium binds to, refusing loudly
// where real Heartbeat fails silently or with a vague message.
import type { InterfaceAddress, InterfaceInfo } from './interfaces.js';
import { TransportSetupError } from './errors.js';

export function requireInterface(
  interfaces: ReadonlyMap<string, InterfaceInfo>,
  iface: string,
  medium: string,
): { info: InterfaceInfo; primary: InterfaceAddress } {
  const info = interfaces.get(iface);
  if (info === undefined) {
    const known = [...interfaces.keys()].join(', ') || 'none';
    throw new TransportSetupError(medium, `interface ${iface} does not exist (interfaces here: ${known})`);
  }
  const primary = info.ipv4[0];
  if (primary === undefined) {
    throw new TransportSetupError(medium, `interface ${iface} has no IPv4 address`);
  }
  return { info, primary };
}
