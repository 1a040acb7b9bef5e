// Codec throughput: encode+sign and verify+decode of a heartbeat-sized status message (about
// 310 bytes, as real Heartbeat sends every keepalive), for crc, md5 and sha1, on one core.
// Run: npm run bench:codec   (BENCH_MS=2000 for longer runs)
import type { AuthMethod } from '../src/config/auth-config.js';
import type { MediumId, NodeName } from '../src/config/types.js';
import { Authenticator } from '../src/protocol/auth.js';
import { decodePacket } from '../src/protocol/codec.js';
import { createEndpoint } from '../src/protocol/create-endpoint.js';
import type { ProtocolEndpoint } from '../src/protocol/endpoint.js';
import type { Field } from '../src/protocol/message.js';

const RUN_MS = Number(process.env['BENCH_MS'] ?? 1000);
const TARGET_SHA1_VERIFY_DECODE = 200_000;

const STATUS: Field[] = [
  { name: 't', type: 'string', value: 'status' },
  { name: 'st', type: 'string', value: 'active' },
  { name: 'dt', type: 'string', value: '2710' },
  { name: 'protocol', type: 'string', value: '1' },
];
const LOAD = '0.03 0.13 0.07 1/119 12614';
const WALL = 0x6b06d776 * 1000;

function endpoint(self: string, method: AuthMethod): ProtocolEndpoint {
  return createEndpoint({
    self: self as NodeName,
    uuid: Uint8Array.from({ length: 16 }, (_, i) => i * 17 + self.length),
    generation: 0x6b06d74f,
    auth: {
      file: 'bench',
      activeIndex: 1,
      keys: new Map([[1, { index: 1, method, secret: method === 'crc' ? '' : 'heartbeat-ts-lab-secret' }]]),
    },
    innerAuth: true,
    knownNodes: ['node1', 'node2'] as NodeName[],
    pingNodes: [],
    ttl: 3,
    maxRexmitDelayMs: 250,
    random: { next: () => 0.5 },
  });
}

/**
 * Runs fn in batches for RUN_MS of CPU time; returns operations per CPU second (= per core: the
 * loop is single-threaded, and CPU time is not inflated when other processes share the machine).
 */
function rate(fn: (i: number) => void): number {
  for (let i = 0; i < 20_000; i++) fn(i); // warm-up
  let ops = 0;
  const start = process.cpuUsage();
  let usedUs = 0;
  while (usedUs < RUN_MS * 1000) {
    for (let i = 0; i < 5000; i++) fn(ops + i);
    ops += 5000;
    const u = process.cpuUsage(start);
    usedUs = u.user + u.system;
  }
  return (ops * 1e6) / usedUs;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(11);
}

const medium = 'bcast:eth0' as MediumId;
const rows: string[] = [];
let sha1VerifyDecode = 0;
for (const method of ['crc', 'md5', 'sha1'] as const) {
  const sender = endpoint('node1', method);
  const sample = sender.send(STATUS, 0, { wallMs: WALL, loadAvg: LOAD });
  const auth = new Authenticator({
    file: 'bench',
    activeIndex: 1,
    keys: new Map([[1, { index: 1, method, secret: method === 'crc' ? '' : 'heartbeat-ts-lab-secret' }]]),
  });
  let sink = 0;
  const encodeSign = rate(() => {
    sink += sender.send(STATUS, 0, { wallMs: WALL, loadAvg: LOAD }).length;
  });
  const verifyDecode = rate(() => {
    const d = decodePacket(sample);
    if (!d.ok || !auth.verify(d, sample).ok) throw new Error('bench packet did not verify');
    sink += d.message.fields.length;
  });
  // the endpoint's full receive path on a stream of fresh sequence numbers
  const stream: Uint8Array[] = [];
  const streamSender = endpoint('node1', method);
  for (let i = 0; i < 100_000; i++)
    stream.push(streamSender.send(STATUS, 0, { wallMs: WALL, loadAvg: LOAD }));
  let receiver = endpoint('node2', method);
  let pos = 0;
  const receive = rate(() => {
    if (pos === stream.length) {
      receiver = endpoint('node2', method);
      pos = 0;
    }
    const r = receiver.receive(stream[pos++] as Uint8Array, medium, 0, WALL);
    if (r.received.kind !== 'message') throw new Error(`bench stream rejected: ${r.received.kind}`);
  });
  if (sink === 0) throw new Error('unreachable');
  if (method === 'sha1') sha1VerifyDecode = verifyDecode;
  rows.push(
    `${method.padEnd(6)}${String(sample.length).padStart(7)}${fmt(encodeSign)}${fmt(verifyDecode)}${fmt(receive)}`,
  );
}

process.stdout.write(
  `codec throughput, messages per CPU-second on one core (${RUN_MS} ms CPU per figure, node ${process.version})\n` +
    `method  bytes  encode+sign verify+decode endpoint.receive\n` +
    rows.join('\n') +
    '\n' +
    `sha1 verify+decode: ${Math.round(sha1VerifyDecode)}/s (target >= ${TARGET_SHA1_VERIFY_DECODE}: ` +
    `${sha1VerifyDecode >= TARGET_SHA1_VERIFY_DECODE ? 'met' : 'NOT met'})\n` +
    'encode+sign = endpoint.send(): stamping + inner auth field + trailer (two digests); ' +
    'verify+decode = decodePacket + trailer check; endpoint.receive adds seq tracking and ACKs.\n',
);
