// Shared UDP receive sockets. Several media listen on the same address:port (every `ucast` line of
// an identical ha.cf, bcast next to ucast), and Linux hands a unicast datagram to only one of
// several SO_REUSEADDR sockets, so each address:port gets exactly one socket and the media
// subscribe to it with a filter on the source address.
import dgram from 'node:dgram';

export type DatagramListener = (bytes: Uint8Array, from: { address: string; port: number }) => void;

interface Entry {
  socket: dgram.Socket;
  listeners: Set<DatagramListener>;
  ready: Promise<void>;
  memberships: Map<string, number>;
}

export interface ReceiverHandle {
  /** Join a multicast group on the interface with address `ifaceAddress` (reference counted). */
  addMembership(group: string, ifaceAddress: string): void;
  release(): Promise<void>;
}

export class UdpReceiverPool {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly onSocketError: (key: string, message: string) => void) {}

  /** Subscribe to datagrams arriving on address:port; the first subscriber binds the socket. */
  async subscribe(address: string, port: number, listener: DatagramListener): Promise<ReceiverHandle> {
    const key = `${address}:${port}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      const listeners = new Set<DatagramListener>();
      const ready = new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address, port }, () => {
          socket.off('error', reject);
          socket.on('error', (err) => this.onSocketError(key, err.message));
          resolve();
        });
      });
      socket.on('message', (msg, rinfo) => {
        for (const l of listeners) l(msg, rinfo);
      });
      entry = { socket, listeners, ready, memberships: new Map() };
      this.entries.set(key, entry);
      try {
        await ready;
      } catch (err) {
        this.entries.delete(key);
        socket.close();
        throw err;
      }
    } else {
      await entry.ready;
    }
    const e = entry;
    e.listeners.add(listener);
    const joined: string[] = [];
    return {
      addMembership: (group, ifaceAddress) => {
        const mkey = `${group}@${ifaceAddress}`;
        const n = e.memberships.get(mkey) ?? 0;
        if (n === 0) e.socket.addMembership(group, ifaceAddress);
        e.memberships.set(mkey, n + 1);
        joined.push(mkey);
      },
      release: async () => {
        e.listeners.delete(listener);
        for (const mkey of joined) {
          const n = (e.memberships.get(mkey) ?? 1) - 1;
          e.memberships.set(mkey, n);
          if (n === 0) {
            const [group, iface] = mkey.split('@') as [string, string];
            try {
              e.socket.dropMembership(group, iface);
            } catch {
              // the interface may be gone already; closing the socket drops it anyway
            }
          }
        }
        if (e.listeners.size === 0 && this.entries.get(key) === e) {
          this.entries.delete(key);
          await new Promise<void>((resolve) => e.socket.close(() => resolve()));
        }
      },
    };
  }
}
