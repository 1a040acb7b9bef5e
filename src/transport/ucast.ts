// `ucast IFACE PEER`: datagrams to PEER:udpport. Receiving shares the INADDR_ANY:udpport socket
// with the other UDP media (like Heartbeat) and keeps only datagrams whose source is PEER.
// node:dgram has no SO_BINDTODEVICE: the send socket is bound to IFACE's address instead, so the
// kernel picks the route by destination; the interface tie is by address, not by device.
import { isIPv4 } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Medium } from '../config/media-config.js';
import type { InterfaceInfo } from './interfaces.js';
import { requireInterface } from './iface-lookup.js';
import type { Transport, TransportHandlers } from './transport.js';
import { TransportSetupError } from './errors.js';
import type { UdpReceiverPool } from './udp-receivers.js';
import { udpTransport } from './udp-transport.js';

type UcastMedium = Extract<Medium, { kind: 'ucast' }>;

export interface UdpMediumContext {
  readonly interfaces: ReadonlyMap<string, InterfaceInfo>;
  readonly receivers: UdpReceiverPool;
  readonly handlers: TransportHandlers;
  /** Receive-socket address; default 0.0.0.0 (Heartbeat binds INADDR_ANY). Tests bind loopback aliases. */
  readonly bindAddress?: string;
  /** Source address for sending; default the interface's first IPv4 address. */
  readonly localAddress?: string;
}

async function resolvePeer(peer: string, id: string): Promise<string> {
  if (isIPv4(peer)) return peer;
  try {
    return (await lookup(peer, { family: 4 })).address;
  } catch (err) {
    throw new TransportSetupError(id, `cannot resolve peer host name ${peer}`, { cause: err });
  }
}

export async function openUcast(medium: UcastMedium, ctx: UdpMediumContext): Promise<Transport> {
  const { primary } = requireInterface(ctx.interfaces, medium.iface, medium.id);
  const peer = await resolvePeer(medium.peer, medium.id);
  const localAddress = ctx.localAddress ?? primary.address;
  const receiver = await ctx.receivers.subscribe(ctx.bindAddress ?? '0.0.0.0', medium.port, (bytes, from) => {
    if (from.address === peer) ctx.handlers.onPacket(medium.id, bytes, from.address);
  });
  return udpTransport(
    `ucast ${medium.iface} ${peer}:${medium.port}`,
    receiver,
    { medium: medium.id, localAddress, handlers: ctx.handlers },
    { address: peer, port: medium.port },
  );
}
