// What every medium looks like to the daemon: bytes out with send(), bytes in through the
// onPacket handler. One Transport per ha.cf media line, named by its MediumId.
import type { MediumId } from '../config/types.js';

export interface Transport {
  readonly id: MediumId;
  /** Human description for logs and status, e.g. `ucast eth0 198.18.16.2:694`. */
  readonly description: string;
  /** Queue bytes for sending. Never throws: failures go to TransportHandlers.onError. */
  send(bytes: Uint8Array): void;
  close(): Promise<void>;
}

export interface TransportHandlers {
  /** One datagram (or one serial frame) arrived on `medium`; `from` is the source address or device. */
  onPacket(medium: MediumId, bytes: Uint8Array, from: string): void;
  /** A send/receive failure that does not stop the medium (logged, rate limited by the caller). */
  onError(medium: MediumId, message: string): void;
}
