// Sends one hand-made, correctly signed Heartbeat message (netstring encoding, inner classic auth
// field + trailer, like real Heartbeat with msgfmt classic) in a UDP datagram. Used by
// scripts/record-fixtures.sh to provoke replies that real Heartbeat rarely sends on its own
// (e.g. NS_nak_rexmit for a retransmit request it cannot satisfy). Run it inside a lab namespace.
//
//   node scripts/send-hb-message.mjs --to IP[:PORT] [--from-port P] --method sha1|md5|crc [--secret S]
//        [--key-index N] [--uuid-file F] [--generation-file F] name=value ...
//
// String fields are sent in the order given; then src-related fields: srcuuid (16 raw bytes from
// --uuid-file, e.g. the node's /var/lib/heartbeat/hb_uuid), hg (hex of the decimal in
// --generation-file), ts (hex seconds now), then the inner auth field.
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

const opts = {};
const fields = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--')) opts[a.slice(2)] = argv[++i];
  else {
    const eq = a.indexOf('=');
    if (eq <= 0) usage(`bad field ${a}`);
    fields.push({ type: 0, name: a.slice(0, eq), value: Buffer.from(a.slice(eq + 1), 'latin1') });
  }
}
if (!opts.to || !opts.method) usage('need --to and --method');
const method = opts.method;
const keyIndex = Number(opts['key-index'] ?? 1);
if (method !== 'crc' && !opts.secret) usage('--secret required for sha1/md5');
if (opts['uuid-file']) fields.push({ type: 1, name: 'srcuuid', value: readFileSync(opts['uuid-file']).subarray(0, 16) });
if (opts['generation-file'])
  fields.push({ type: 0, name: 'hg', value: Buffer.from(Number(readFileSync(opts['generation-file'], 'latin1').trim()).toString(16)) });
fields.push({ type: 0, name: 'ts', value: Buffer.from(Math.floor(Date.now() / 1000).toString(16)) });

const classic = Buffer.concat(
  fields.map((f) =>
    f.type === 1 ? Buffer.from(`(1)${f.name}=${f.value.toString('base64')}\n`) : Buffer.concat([Buffer.from(`${f.name}=`), f.value, Buffer.from('\n')]),
  ),
);
fields.push({ type: 0, name: 'auth', value: Buffer.from(`${keyIndex} ${digest(classic)}`) });
const body = Buffer.concat([
  Buffer.from('###\n'),
  ...fields.map((f) => {
    const inner = Buffer.concat([Buffer.from(`(${f.type})${f.name}=`), f.value]);
    return Buffer.concat([Buffer.from(`${inner.length}:`), inner, Buffer.from(',')]);
  }),
  Buffer.from('%%%\n'),
]);
const trailer = `${keyIndex} ${digest(body)}`;
const datagram = Buffer.concat([body, Buffer.from(`${trailer.length}:${trailer},`)]);

const [host, port = '694'] = opts.to.split(':');
const sock = createSocket('udp4');
sock.bind(Number(opts['from-port'] ?? 0), () => {
  sock.setBroadcast(true);
  sock.send(datagram, Number(port), host, (err) => {
    if (err) {
      console.error(`send-hb-message: ${err.message}`);
      process.exitCode = 1;
    }
    sock.close();
  });
});

function digest(data) {
  if (method === 'sha1' || method === 'md5') return createHmac(method, Buffer.from(opts.secret, 'latin1')).update(data).digest('hex');
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return ((crc ^ 0xffffffff) >>> 0).toString(16);
}

function usage(msg) {
  console.error(`send-hb-message: ${msg}\nusage: node scripts/send-hb-message.mjs --to IP[:PORT] --method M [--secret S] [--key-index N] [--uuid-file F] [--generation-file F] name=value ...`);
  process.exit(2);
}
