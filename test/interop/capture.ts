// A tcpdump capture on the lab switch and a small reader for its pcap file, to check on the wire
// what each side of a mixed cluster sent (retransmit requests and their answers).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';

export interface WireMessage {
  readonly timeSec: number;
  readonly bytes: Buffer;
  /** String fields by name (first occurrence), decoded loosely from the netstring encoding. */
  readonly fields: ReadonlyMap<string, string>;
}

/** UDP port-694 payloads of a classic pcap file (Ethernet, IPv4), in capture order. */
export function readHeartbeatPcap(file: string): WireMessage[] {
  const data = readFileSync(file);
  if (data.length < 24 || data.readUInt32LE(0) !== 0xa1b2c3d4) return [];
  const out: WireMessage[] = [];
  let off = 24;
  while (off + 16 <= data.length) {
    const sec = data.readUInt32LE(off);
    const usec = data.readUInt32LE(off + 4);
    const incl = data.readUInt32LE(off + 8);
    off += 16;
    const frame = data.subarray(off, off + incl);
    off += incl;
    if (frame.length < 42 || frame.readUInt16BE(12) !== 0x0800 || frame[23] !== 17) continue;
    const ihl = ((frame[14] ?? 0) & 0x0f) * 4;
    const udp = frame.subarray(14 + ihl);
    if (udp.length < 8 || (udp.readUInt16BE(0) !== 694 && udp.readUInt16BE(2) !== 694)) continue;
    const bytes = Buffer.from(udp.subarray(8, udp.readUInt16BE(4)));
    out.push({ timeSec: sec + usec / 1e6, bytes, fields: netstringFields(bytes) });
  }
  return out;
}

function netstringFields(b: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  if (b.subarray(0, 4).toString('latin1') !== '###\n') return fields;
  let off = 4;
  while (off < b.length && b.subarray(off, off + 4).toString('latin1') !== '%%%\n') {
    const colon = b.indexOf(0x3a, off);
    if (colon < 0) break;
    const len = Number(b.subarray(off, colon).toString('latin1'));
    if (!Number.isInteger(len)) break;
    const body = b.subarray(colon + 1, colon + 1 + len).toString('latin1');
    const m = /^\(0\)([^=]*)=(.*)$/s.exec(body);
    if (m?.[1] !== undefined && m[2] !== undefined && !fields.has(m[1])) fields.set(m[1], m[2]);
    off = colon + 2 + len;
  }
  return fields;
}

export class SwitchCapture {
  readonly file: string;
  private readonly child: ChildProcess;

  constructor(
    readonly lab: Lab,
    name: string,
  ) {
    this.file = join(lab.dir, `${name}.pcap`);
    this.child = lab.spawnIn(lab.sw, 'tcpdump', [
      '-i',
      'br0',
      '-U',
      '-s',
      '0',
      '-w',
      this.file,
      'udp port 694',
    ]);
  }

  async stop(): Promise<WireMessage[]> {
    await new Promise((r) => setTimeout(r, 500));
    this.lab.kill(this.child, 'SIGINT');
    await this.lab.waitExit(this.child, 3000);
    return readHeartbeatPcap(this.file);
  }
}

/**
 * Retransmit requests sent by `requester` to `sender`, each with whether `sender` sent that seq
 * again after the request (Heartbeat resends the identical bytes).
 */
export function rexmitOutcomes(
  msgs: readonly WireMessage[],
  requester: string,
  sender: string,
): { seq: number; answered: boolean }[] {
  const out: { seq: number; answered: boolean }[] = [];
  const seen = new Set<number>();
  msgs.forEach((m, i) => {
    if (m.fields.get('t') !== 'NS_rexmit' || m.fields.get('src') !== requester) return;
    if (m.fields.get('dest') !== sender) return;
    const first = Number(m.fields.get('firstseq'));
    const last = Number(m.fields.get('lastseq'));
    if (!Number.isInteger(first) || !Number.isInteger(last)) return;
    for (let seq = first; seq <= last && seq - first < 50; seq++) {
      if (seen.has(seq)) continue;
      seen.add(seq);
      const answered = msgs
        .slice(i + 1)
        .some((x) => x.fields.get('src') === sender && x.fields.get('seq') === seq.toString(16));
      out.push({ seq, answered });
    }
  });
  return out;
}
