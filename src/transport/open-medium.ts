// Open the transport for one configured medium, whatever its kind.
import type { Medium } from '../config/media-config.js';
import { openBcast } from './bcast.js';
import { openMcast } from './mcast.js';
import { openSerial } from './serial.js';
import type { SerialContext } from './serial.js';
import type { Transport } from './transport.js';
import { TransportSetupError } from './errors.js';
import { openUcast } from './ucast.js';
import type { UdpMediumContext } from './ucast.js';

export type MediumContext = UdpMediumContext & Pick<SerialContext, 'toLine'>;

export function openMedium(medium: Medium, ctx: MediumContext): Promise<Transport> {
  switch (medium.kind) {
    case 'ucast':
      return openUcast(medium, ctx);
    case 'bcast':
      return openBcast(medium, ctx);
    case 'mcast':
      return openMcast(medium, ctx);
    case 'serial':
      return openSerial(medium, ctx.toLine ? { handlers: ctx.handlers, toLine: ctx.toLine } : ctx);
    case 'mcast6':
    case 'ucast6':
      return Promise.reject(
        new TransportSetupError(medium.id, `${medium.kind} (IPv6) is not supported by heartbeat-ts yet`),
      );
  }
}

/** Open every medium; on any failure close the ones already open and rethrow (refuse to start). */
export async function openAllMedia(media: readonly Medium[], ctx: MediumContext): Promise<Transport[]> {
  const open: Transport[] = [];
  try {
    for (const m of media) open.push(await openMedium(m, ctx));
  } catch (err) {
    await Promise.all(open.map((t) => t.close()));
    throw err;
  }
  return open;
}
