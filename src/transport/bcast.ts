// `bcast IFACE`: datagrams to IFACE's configured broadcast address:udpport. Receiving shares the
// INADDR_ANY:udpport socket and keeps datagrams whose source lies in IFACE's subnet.
// Real Heartbeat sends to 0.0.0.0 (nothing leaves the host) when the interface has no broadcast
// address (`ip addr add` without `brd +`) and the nodes split silently; we refuse to start instead.
import type { Medium } from '../config/media-config.js';
import { inSubnet } from './interfaces.js';
import { requireInterface } from './iface-lookup.js';
import type { Transport } from './transport.js';
import { TransportSetupError } from './errors.js';
import type { UdpMediumContext } from './ucast.js';
import { udpTransport } from './udp-transport.js';

type BcastMedium = Extract<Medium, { kind: 'bcast' }>;

export async function openBcast(medium: BcastMedium, ctx: UdpMediumContext): Promise<Transport> {
  const { info, primary } = requireInterface(ctx.interfaces, medium.iface, medium.id);
  const withBrd = info.ipv4.find((a) => a.broadcast !== undefined && a.broadcast !== '0.0.0.0');
  if (withBrd?.broadcast === undefined) {
    throw new TransportSetupError(
      medium.id,
      `interface ${medium.iface} has no broadcast address (add the address with 'brd +', ` +
        `e.g. ip addr add ${primary.address}/${primary.prefixLength} brd + dev ${medium.iface}); ` +
        `real Heartbeat would send to 0.0.0.0 and silently never reach its peers`,
    );
  }
  const broadcast = withBrd.broadcast;
  const subnets = info.ipv4;
  const receiver = await ctx.receivers.subscribe(ctx.bindAddress ?? '0.0.0.0', medium.port, (bytes, from) => {
    if (subnets.some((a) => inSubnet(from.address, a))) ctx.handlers.onPacket(medium.id, bytes, from.address);
  });
  return udpTransport(
    `bcast ${medium.iface} ${broadcast}:${medium.port}`,
    receiver,
    {
      medium: medium.id,
      localAddress: ctx.localAddress ?? withBrd.address,
      handlers: ctx.handlers,
      setup: (s) => s.setBroadcast(true),
    },
    { address: broadcast, port: medium.port },
  );
}
