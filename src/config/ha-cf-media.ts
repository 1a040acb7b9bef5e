// ha.cf directives that define heartbeat media, and the two settings media take on their own line
// (udpport, baud): Heartbeat sets a medium up as soon as it reads it, so a udpport or baud written
// below the first medium of its kind does not apply to it. A late udpport is a warning naming the
// port each earlier medium really uses (Heartbeat runs such files), and so is a late baud.
import type { MediumId } from './types.js';
import type { DirectiveHandler } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import { BAUD_RATES, DEFAULT_BAUD } from './ha-cf-defaults.js';
import {
  isHostName,
  isIPv4,
  isIPv4Multicast,
  isIPv6,
  isIPv6Multicast,
  parseIntegerIn,
} from './config-values.js';

export const udpport: DirectiveHandler = (b, value, { name, at }) => {
  const port = b.int(name, value, at, 1, 65535);
  if (port === undefined) return;
  const earlier = b.media.filter((m) => m.kind === 'bcast' || m.kind === 'ucast' || m.kind === 'ucast6');
  const first = earlier[0];
  if (first !== undefined) {
    // Heartbeat runs this file (a config that has run for years must still start): the media above
    // keep the port they were set up with, as in Heartbeat, and the warning says which port that is.
    const ports = earlier.map((m) => `${m.id} (line ${m.at.line}) stays on port ${m.port}`).join(', ');
    const effect = earlier.every((m) => m.port === port)
      ? `it changes nothing for them (port ${port} already)`
      : `only media below this line use ${port}`;
    b.warn(
      at,
      `udpport ${port} comes after media that Heartbeat has already set up, so it does not apply to them: ` +
        `${ports}; ${effect} (Heartbeat keeps them there too, saying "udpport setting must precede media statements"); ` +
        `move udpport above line ${first.at.line}`,
    );
  }
  b.udpPort = { value: port, at };
};

export const baud: DirectiveHandler = (b, value, { at }) => {
  const rate = parseIntegerIn(value, 1, 10_000_000);
  if (rate === undefined || !BAUD_RATES.includes(rate)) {
    b.err(at, `baud takes one of ${BAUD_RATES.join(', ')}, got '${value}'`);
    return;
  }
  if (b.baud !== undefined) {
    b.err(
      at,
      `baud may be set only once (Heartbeat refuses a second one); it is already set on line ${b.baud.at.line}`,
    );
    return;
  }
  const first = b.firstSerial;
  if (first !== undefined) {
    // Heartbeat runs this file; the serial media above keep the rate they were set up with.
    const serials = b.media.filter((m) => m.kind === 'serial');
    b.warn(
      at,
      `baud ${rate} comes after serial media that Heartbeat has already set up, so it does not apply to them: ` +
        `${serials.map((m) => `${m.id} (line ${m.at.line}) stays at ${m.kind === 'serial' ? m.baud : DEFAULT_BAUD} baud`).join(', ')}` +
        `; move baud above line ${first.at.line}`,
    );
  }
  b.baud = { value: rate, at };
};

/** `bcast` and its old alias `udp`. */
export const bcast: DirectiveHandler = (b, value, { at }) => {
  if (!b.checkIface(value, at)) return;
  b.addMedium({ kind: 'bcast', id: `bcast:${value}` as MediumId, iface: value, port: b.currentPort(), at });
};

export const serial: DirectiveHandler = (b, value, { at }) => {
  if (!value.startsWith('/')) {
    b.err(at, `serial takes a device path such as /dev/ttyS0, got '${value}'`);
    return;
  }
  b.addMedium({
    kind: 'serial',
    id: `serial:${value}` as MediumId,
    device: value,
    baud: b.baud?.value ?? DEFAULT_BAUD,
    at,
  });
};

/** `mcast IFACE GROUP PORT TTL LOOP` and `mcast6 IFACE GROUP PORT HOPS LOOP`. */
export function multicast(name: 'mcast' | 'mcast6'): DirectiveHandler {
  const v6 = name === 'mcast6';
  return (b, value, { at }) => {
    const words = splitWords(value);
    if (words.length < 5) {
      const example = v6 ? '`mcast6 eth0 ff05::694 694 1 0`' : '`mcast eth0 239.0.0.1 694 1 0`';
      b.err(
        at,
        `${name} needs 5 values: interface group port ${v6 ? 'hops' : 'ttl'} loop, e.g. ${example}; got ${words.length}`,
      );
      return;
    }
    const [iface = '', group = '', portText = '', ttlText = '', loopText = '', ...extra] = words;
    if (!b.checkIface(iface, at)) return;
    if (v6 ? !isIPv6Multicast(group) : !isIPv4Multicast(group)) {
      b.err(
        at,
        v6
          ? `${name} group '${group}' is not an IPv6 multicast address (ff00::/8)`
          : `${name} group '${group}' is not a class D multicast address (224.0.0.0 - 239.255.255.255)`,
      );
      return;
    }
    const port = parseIntegerIn(portText, 1, 65535);
    if (port === undefined) {
      b.err(at, `${name} port must be a whole number from 1 to 65535, got '${portText}'`);
      return;
    }
    const ttl = parseIntegerIn(ttlText, 0, v6 ? 255 : 4);
    if (ttl === undefined) {
      b.err(
        at,
        v6
          ? `${name} hops must be a whole number from 0 to 255, got '${ttlText}'`
          : `${name} ttl must be from 0 to 4 (Heartbeat 3.0.6 refuses more, whatever its man page says), got '${ttlText}'`,
      );
      return;
    }
    if (loopText !== '0' && loopText !== '1') {
      b.err(at, `${name} loop must be 0 or 1, got '${loopText}'`);
      return;
    }
    if (extra.length > 0) b.warn(at, `${name} takes 5 values; '${extra.join(' ')}' is ignored`);
    const loop = loopText === '1';
    const id = `${name}:${iface}:${group}:${port}` as MediumId;
    b.addMedium(
      v6
        ? { kind: 'mcast6', id, iface, group, port, hops: ttl, loop, at }
        : { kind: 'mcast', id, iface, group, port, ttl, loop, at },
    );
  };
}

/** Why a ucast/ucast6 peer address is refused, or undefined when it is fine. */
function unicastPeerProblem(v6: boolean, iface: string, peer: string): string | undefined {
  if (v6) return isIPv6(peer) ? undefined : `ucast6 peer '${peer}' is not an IPv6 address`;
  if (isIPv6(peer)) return `'${peer}' is an IPv6 address: write \`ucast6 ${iface} ${peer}\``;
  if (!isIPv4(peer) && (!isHostName(peer) || /^[\d.]+$/.test(peer)))
    return `ucast peer '${peer}' is not an IPv4 address or host name`;
  return undefined;
}

/** `ucast IFACE PEER` and `ucast6 IFACE PEER6`: one peer a line. */
export function unicast(name: 'ucast' | 'ucast6'): DirectiveHandler {
  const v6 = name === 'ucast6';
  return (b, value, line) => {
    const { at } = line;
    const [iface, peer, ...extra] = splitWords(value);
    if (iface === undefined || peer === undefined) {
      const comma = line.rest.includes(',') ? ' (ucast lines are split on spaces only, not commas)' : '';
      b.err(
        at,
        `${name} needs an interface and a peer address, e.g. \`${name} eth0 ${v6 ? 'fd00::2' : '198.18.0.2'}\`${comma}`,
      );
      return;
    }
    if (!b.checkIface(iface, at)) return;
    const problem = unicastPeerProblem(v6, iface, peer);
    if (problem !== undefined) {
      b.err(at, problem);
      return;
    }
    if (extra.length > 0) {
      b.warn(
        at,
        `${name} takes one peer per line; '${extra.join(' ')}' is ignored (Heartbeat ignores it too): write one ${name} line per peer`,
      );
    }
    b.addMedium({
      kind: name,
      id: `${name}:${iface}:${peer}` as MediumId,
      iface,
      peer,
      port: b.currentPort(),
      at,
    });
  };
}
