// Reads what the daemon writes to a FIFO standing in for the watchdog device (there is no watchdog
// device on the test machines), one byte at a time with its arrival time. The FIFO is opened
// read-write so that it always has a reader (the daemon's non-blocking open then succeeds) and
// never reports end-of-file between two writers (a daemon and the one that restarts it).
import { constants, openSync } from 'node:fs';
import net from 'node:net';

export interface FifoByte {
  /** The byte as a character: '\0' for a keepalive, 'V' for the magic close. */
  readonly byte: string;
  /** Date.now() when it arrived. */
  readonly at: number;
}

export class FifoReader {
  private readonly got: FifoByte[] = [];

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (b: Buffer) => {
      const at = Date.now();
      for (const c of b.toString('latin1')) this.got.push({ byte: c, at });
    });
    sock.on('error', () => undefined);
  }

  static open(path: string): FifoReader {
    const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    return new FifoReader(new net.Socket({ fd, readable: true, writable: false }));
  }

  bytes(): FifoByte[] {
    return [...this.got];
  }

  close(): void {
    this.sock.destroy();
  }
}
