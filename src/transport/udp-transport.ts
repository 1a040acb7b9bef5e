// The common end of opening a UDP medium (bcast, mcast, ucast): the send socket, then one
// Transport that sends every packet to the medium's destination and closes both halves.
import type { Transport } from './transport.js';
import { TransportSetupError } from './errors.js';
import type { ReceiverHandle } from './udp-receivers.js';
import { UdpSender, type UdpSenderOptions } from './udp-sender.js';

/**
 * Opens the send socket for a medium whose receive subscription is already taken. When the send
 * socket cannot be opened the subscription is released before the error, so a refused medium
 * leaves nothing open.
 */
export async function udpTransport(
  description: string,
  receiver: ReceiverHandle,
  sending: UdpSenderOptions,
  to: { readonly address: string; readonly port: number },
): Promise<Transport> {
  let sender: UdpSender;
  try {
    sender = await UdpSender.open(sending);
  } catch (err) {
    await receiver.release();
    throw new TransportSetupError(
      sending.medium,
      `cannot open send socket on ${sending.localAddress}: ${String(err)}`,
      { cause: err },
    );
  }
  return {
    id: sending.medium,
    description,
    send: (bytes) => sender.send(bytes, to.port, to.address),
    close: async () => {
      await sender.close();
      await receiver.release();
    },
  };
}
