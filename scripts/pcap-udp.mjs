// Extracts UDP datagrams from a classic libpcap file (what `tcpdump -w` writes):
// Ethernet or Linux-cooked (SLL) link layer, IPv4, UDP. No third-party modules.
// Used by scripts/fixtures-extract.mjs; also runnable on its own:
//   node scripts/pcap-udp.mjs FILE.pcap [PORT]   -> one line per datagram (time, src > dst, length)
import { readFileSync } from 'node:fs';

/**
 * @param {Buffer} data whole pcap file
 * @returns {{ timeSec: number, src: string, sport: number, dst: string, dport: number, payload: Buffer }[]}
 */
export function udpDatagrams(data) {
  if (data.length < 24) throw new Error('pcap: file shorter than its 24-byte header');
  const magicLE = data.readUInt32LE(0);
  let le;
  let nano;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else if (data.readUInt32BE(0) === 0xa1b2c3d4 || data.readUInt32BE(0) === 0xa1b23c4d) {
    le = false;
    nano = data.readUInt32BE(0) === 0xa1b23c4d;
  } else {
    throw new Error('pcap: not a classic pcap file (pcapng is not supported; use tcpdump -w)');
  }
  const u32 = (off) => (le ? data.readUInt32LE(off) : data.readUInt32BE(off));
  const linkType = u32(20);
  const out = [];
  let off = 24;
  while (off + 16 <= data.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    off += 16;
    if (off + incl > data.length) break; // truncated last record
    const frame = data.subarray(off, off + incl);
    off += incl;
    let l3;
    if (linkType === 1) {
      if (frame.length < 14 || frame.readUInt16BE(12) !== 0x0800) continue;
      l3 = frame.subarray(14);
    } else if (linkType === 113) {
      if (frame.length < 16 || frame.readUInt16BE(14) !== 0x0800) continue;
      l3 = frame.subarray(16);
    } else {
      throw new Error(`pcap: unsupported link type ${linkType}`);
    }
    if (l3.length < 20 || l3[0] >> 4 !== 4 || l3[9] !== 17) continue;
    const ihl = (l3[0] & 0x0f) * 4;
    const fragment = l3.readUInt16BE(6) & 0x3fff; // MF flag or fragment offset
    if (fragment !== 0) continue; // heartbeat datagrams are far below the MTU
    const udp = l3.subarray(ihl);
    if (udp.length < 8) continue;
    const ulen = udp.readUInt16BE(4);
    if (ulen < 8 || ulen > udp.length) continue;
    out.push({
      timeSec: sec + frac / (nano ? 1e9 : 1e6),
      src: `${l3[12]}.${l3[13]}.${l3[14]}.${l3[15]}`,
      sport: udp.readUInt16BE(0),
      dst: `${l3[16]}.${l3[17]}.${l3[18]}.${l3[19]}`,
      dport: udp.readUInt16BE(2),
      payload: Buffer.from(udp.subarray(8, ulen)),
    });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/pcap-udp.mjs FILE.pcap [PORT]');
    process.exit(2);
  }
  const port = Number(process.argv[3] ?? 694);
  for (const d of udpDatagrams(readFileSync(file))) {
    if (d.sport !== port && d.dport !== port) continue;
    const t = /\(0\)t=([A-Za-z_-]+)/.exec(d.payload.toString('latin1'))?.[1] ?? '?';
    console.log(`${d.timeSec.toFixed(6)} ${d.src}:${d.sport} > ${d.dst}:${d.dport} len=${d.payload.length} t=${t}`);
  }
}
