// Heartbeat's serial framing: a message is the classic text block from a line `>>>` to a line
// `<<<`; bytes before `>>>` (line noise, a half message after reconnect) are discarded.
// Pure and incremental so it can be fed arbitrary chunks of a byte stream.

const START = '>>>';
const END = '<<<';
/** A frame that never ends is dropped past this size, so garbage cannot grow memory. */
export const MAX_FRAME_BYTES = 64 * 1024;

export class SerialFramer {
  private pending = '';
  private inFrame = false;
  private frame: string[] = [];
  private frameBytes = 0;
  /** Frames dropped because they grew past MAX_FRAME_BYTES. */
  oversized = 0;

  /** Feed bytes; returns the complete frames (`>>>\n...<<<\n`) they finished. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.pending += Buffer.from(chunk).toString('latin1');
    const out: Uint8Array[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      if (!this.inFrame) {
        if (line.startsWith(START)) {
          this.inFrame = true;
          this.frame = [START];
          this.frameBytes = START.length + 1;
        }
        continue;
      }
      if (line.startsWith(START)) {
        // a new start inside a frame: the previous one was cut off
        this.frame = [START];
        this.frameBytes = START.length + 1;
        continue;
      }
      this.frame.push(line);
      this.frameBytes += line.length + 1;
      if (line.startsWith(END)) {
        out.push(Buffer.from(this.frame.join('\n') + '\n', 'latin1'));
        this.inFrame = false;
        this.frame = [];
      } else if (this.frameBytes > MAX_FRAME_BYTES) {
        this.oversized++;
        this.inFrame = false;
        this.frame = [];
      }
    }
    if (this.pending.length > MAX_FRAME_BYTES) this.pending = '';
    return out;
  }
}
