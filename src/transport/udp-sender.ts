// The sending half of a UDP medium: one socket bound to the interface's own address (so the
// source address is the one peers filter on), with errors counted instead of thrown.
import dgram from 'node:dgram';
import type { MediumId } from '../config/types.js';
import type { TransportHandlers } from './transport.js';

export interface UdpSenderOptions {
  readonly medium: MediumId;
  readonly localAddress: string;
  readonly handlers: TransportHandlers;
  readonly setup?: (socket: dgram.Socket) => void;
}

export class UdpSender {
  private closed = false;
  private constructor(
    private readonly socket: dgram.Socket,
    private readonly options: UdpSenderOptions,
  ) {}

  static open(options: UdpSenderOptions): Promise<UdpSender> {
    const socket = dgram.createSocket({ type: 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: options.localAddress, port: 0 }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => options.handlers.onError(options.medium, `send socket: ${err.message}`));
        try {
          options.setup?.(socket);
        } catch (err) {
          socket.close();
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        resolve(new UdpSender(socket, options));
      });
    });
  }

  send(bytes: Uint8Array, port: number, address: string): void {
    if (this.closed) return;
    try {
      this.socket.send(bytes, port, address, (err) => {
        // ENETUNREACH/EPERM while a link is down: the core notices the silence; we only report.
        if (err)
          this.options.handlers.onError(this.options.medium, `send to ${address}:${port}: ${err.message}`);
      });
    } catch (err) {
      this.options.handlers.onError(
        this.options.medium,
        `send to ${address}:${port}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
