// `mcast IFACE GROUP PORT TTL LOOP`: datagrams to GROUP:PORT sent out of IFACE (IP_MULTICAST_IF)
// with the given TTL and loopback flag; received on a socket bound to GROUP:PORT that joined the
// group on IFACE. Datagrams are kept when their source lies in one of IFACE's subnets.
import { isIPv4 } from 'node:net';
import { isIPv4Multicast } from '../config/config-values.js';
import type { Medium } from '../config/media-config.js';
import { inSubnet } from './interfaces.js';
import { requireInterface } from './iface-lookup.js';
import type { Transport } from './transport.js';
import { TransportSetupError } from './errors.js';
import type { UdpMediumContext } from './ucast.js';
import { udpTransport } from './udp-transport.js';

type McastMedium = Extract<Medium, { kind: 'mcast' }>;

export async function openMcast(medium: McastMedium, ctx: UdpMediumContext): Promise<Transport> {
  const { info, primary } = requireInterface(ctx.interfaces, medium.iface, medium.id);
  if (!isIPv4(medium.group) || !isIPv4Multicast(medium.group)) {
    throw new TransportSetupError(medium.id, `${medium.group} is not an IPv4 multicast (class D) address`);
  }
  const localAddress = ctx.localAddress ?? primary.address;
  const subnets = info.ipv4;
  let receiver;
  try {
    receiver = await ctx.receivers.subscribe(medium.group, medium.port, (bytes, from) => {
      if (subnets.some((a) => inSubnet(from.address, a)))
        ctx.handlers.onPacket(medium.id, bytes, from.address);
    });
    receiver.addMembership(medium.group, localAddress);
  } catch (err) {
    await receiver?.release();
    throw new TransportSetupError(
      medium.id,
      `cannot join ${medium.group} on ${medium.iface}: ${String(err)}`,
      { cause: err },
    );
  }
  return udpTransport(
    `mcast ${medium.iface} ${medium.group}:${medium.port} ttl ${medium.ttl} loop ${medium.loop ? 1 : 0}`,
    receiver,
    {
      medium: medium.id,
      localAddress,
      handlers: ctx.handlers,
      setup: (s) => {
        s.setMulticastInterface(localAddress);
        s.setMulticastTTL(medium.ttl);
        s.setMulticastLoopback(medium.loop);
      },
    },
    { address: medium.group, port: medium.port },
  );
}
