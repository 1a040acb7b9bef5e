// Turns one recording run of real Heartbeat (a pcap of UDP port 694, or a socat -v -x log of a
// serial link) into fixture files: one raw file per message (exact bytes, nothing appended) plus
// entries in test/fixtures/heartbeat/manifest.json. Called by scripts/record-fixtures.sh.
//
//   node scripts/fixtures-extract.mjs --run NAME --out DIR --phases FILE
//        (--pcap FILE | --socat-log FILE) --method sha1|md5|crc --key-index N [--secret S]
//        --medium bcast|ucast|serial --description TEXT [--config-dir DIR ...] [--skip-sport PORT]
//
// Every message is parsed and its signature checked against the given key (both the netstring
// trailer and, when present, the inner classic `auth` field): a fixture that does not verify is a
// recording bug and aborts the run. Volume is kept small by keeping at most a few messages per
// (scenario, type, detail).
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { udpDatagrams } from './pcap-udp.mjs';

const args = parseArgs(process.argv.slice(2));
const required = ['run', 'out', 'phases', 'method', 'key-index', 'medium', 'description'];
for (const r of required) if (!args[r]) fail(`missing --${r}`);
if (!args.pcap && !args['socat-log']) fail('need --pcap or --socat-log');
const method = args.method[0];
if (!['sha1', 'md5', 'crc'].includes(method)) fail(`unknown method ${method}`);
const secret = method === 'crc' ? null : (args.secret?.[0] ?? fail('--secret required for sha1/md5'));
const keyIndex = Number(args['key-index'][0]);
const run = args.run[0];
const outDir = args.out[0];
const medium = args.medium[0];
const transport = medium === 'serial' ? 'serial' : 'udp';
const phases = readPhases(args.phases[0]);

/** Raw messages with their capture time. */
let raw = [];
if (args.pcap) {
  for (const d of udpDatagrams(readFileSync(args.pcap[0]))) {
    if (d.sport !== 694 && d.dport !== 694) continue;
    if (args['skip-sport']?.includes(String(d.sport))) continue; // our own injected messages
    raw.push({ timeSec: d.timeSec, bytes: d.payload, wire: `${d.src}:${d.sport} > ${d.dst}:${d.dport}` });
  }
} else {
  raw = serialMessages(readFileSync(args['socat-log'][0], 'latin1'));
}
if (raw.length === 0) fail('no heartbeat messages in the capture');

const kept = new Map();
const seenBytes = new Map(); // hex digest of bytes -> first index
const entries = [];
const counts = { total: raw.length, retransmittedCopies: 0, kept: 0 };
rmSync(join(outDir, run), { recursive: true, force: true });
mkdirSync(join(outDir, run), { recursive: true });

raw.forEach((m, index) => {
  const parsed = parse(m.bytes);
  if (parsed.error) fail(`message ${index} (${m.wire ?? 'serial'}): ${parsed.error}`);
  verify(parsed, m.bytes, index);
  const digest = createHash('sha1').update(m.bytes).digest('hex');
  const firstIndex = seenBytes.get(digest);
  const t = get(parsed.fields, 't') ?? '?';
  // Identical bytes seen again: for a message with a seq that is a retransmission (Heartbeat
  // resends byte-identical copies); for NS_* messages (no seq) it is just a repeated request.
  const isCopy = firstIndex !== undefined && get(parsed.fields, 'seq') !== undefined;
  if (firstIndex !== undefined && !isCopy) return;
  if (isCopy) counts.retransmittedCopies++;
  else seenBytes.set(digest, index);
  const scenario = phaseAt(m.timeSec);
  const f = parsed.fields;
  const detail = [get(f, 'st'), get(f, 'info'), get(f, 'rsc_hold'), get(f, 'result'), get(f, 'weown')]
    .filter((x) => x !== undefined)
    .map((x) => x.replace(/[^A-Za-z0-9_]+/g, '_').replace(/_+$/, ''))
    .join('-');
  const key = dedupeKey(scenario, t, detail, get(f, 'src'), isCopy);
  const limit = scenario === 'rexmit' && (isCopy || t.startsWith('NS_')) ? 2 : 1;
  const n = kept.get(key) ?? 0;
  if (n >= limit) return;
  kept.set(key, n + 1);
  const base = `${String(index).padStart(4, '0')}-${scenario}-${t}${detail ? `-${detail}` : ''}${isCopy ? '-rexmit-copy' : ''}`;
  const file = `${run}/${base}.${parsed.encoding === 'classic' ? 'txt' : 'bin'}`;
  writeFileSync(join(outDir, file), m.bytes);
  counts.kept++;
  const entry = {
    file,
    run,
    scenario,
    transport,
    medium,
    encoding: parsed.encoding,
    auth: { method, keyIndex, secret },
    innerAuth: f.some((x) => x.name === 'auth'),
    t,
    src: get(f, 'src') ?? null,
    length: m.bytes.length,
  };
  for (const name of ['dest', 'seq', 'st', 'info', 'rsc_hold', 'rtype', 'isstable', 'result', 'node', 'ackseq', 'firstseq', 'lastseq', 'ipaddr', 'weown', 'ok', 'nodelist', 'dt']) {
    const v = get(f, name);
    if (v !== undefined) entry[name] = v;
  }
  if (isCopy) entry.retransmittedCopyOf = `capture message #${firstIndex}`;
  if (m.wire) entry.wire = m.wire;
  entries.push(entry);
});

// Merge into the manifest: this run's entries replace the previous ones of the same run.
const manifestPath = join(outDir, 'manifest.json');
const manifest = existsSync(manifestPath)
  ? JSON.parse(readFileSync(manifestPath, 'utf8'))
  : { generatedBy: 'scripts/record-fixtures.sh', runs: {}, packets: [] };
manifest.note =
  'Raw messages captured from real Heartbeat 3.0.6 by scripts/record-fixtures.sh. Keys are test keys, printed on purpose. ' +
  'Each file holds the exact UDP payload (udp) or the exact >>>...<<< bytes from the serial byte stream (serial).';
manifest.runs[run] = {
  description: args.description[0],
  heartbeat: args['hb-version']?.[0] ?? null,
  recordedAt: new Date().toISOString(),
  medium,
  auth: { method, keyIndex, secret },
  messagesCaptured: counts.total,
  retransmittedCopiesCaptured: counts.retransmittedCopies,
  config: Object.fromEntries(
    (args['config-dir'] ?? []).map((dir) => {
      const node = dir.split('/').filter(Boolean).at(-2) ?? dir;
      const read = (name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : null);
      return [node, { 'ha.cf': read('ha.cf'), authkeys: read('authkeys'), haresources: read('haresources') }];
    }),
  ),
};
manifest.packets = manifest.packets.filter((p) => p.run !== run).concat(entries);
manifest.packets.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
writeFileSync(manifestPath, manifestText(manifest));
const types = [...new Set(entries.map((e) => e.t))].sort().join(' ');
console.log(`${run}: ${counts.total} messages captured (${counts.retransmittedCopies} retransmitted copies), ${counts.kept} kept; types: ${types}`);

// ---------------------------------------------------------------------------------------------

/** Pretty JSON, except that each packet entry takes one line (keeps the file small and diffable). */
function manifestText(m) {
  const { packets, ...rest } = m;
  const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
  return `${head},\n  "packets": [\n${packets.map((p) => `    ${JSON.stringify(p)}`).join(',\n')}\n  ]\n}\n`;
}

/**
 * Which messages count as "the same kind" for keeping fixture volume small: one per (scenario,
 * type, detail), except that plain status heartbeats and ACKs look alike in every scenario (one
 * per sender and status is enough), resource reports are kept once per (info, rsc_hold), and
 * start-up is kept per sender.
 */
function dedupeKey(scenario, t, detail, src, isCopy) {
  if (isCopy) return `${scenario}|copy|${t}|${detail}`;
  if (scenario !== 'rexmit' && scenario !== 'startup' && (t === 'status' || t === 'NS_ackmsg')) return `*|${t}|${detail}|${src}`;
  if (t === 'resource') return `*|${t}|${detail}`;
  if (scenario === 'startup') return `${scenario}|${t}|${detail}|${src}`;
  return `${scenario}|${t}|${detail}`;
}

function parseArgs(list) {
  const out = {};
  for (let i = 0; i < list.length; i += 2) {
    const k = list[i];
    if (!k?.startsWith('--') || list[i + 1] === undefined) fail(`bad argument ${k}`);
    (out[k.slice(2)] ??= []).push(list[i + 1]);
  }
  return out;
}

function fail(msg) {
  console.error(`fixtures-extract: ${msg}`);
  process.exit(1);
}

function readPhases(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [t, name] = l.trim().split(/\s+/);
      return { timeSec: Number(t), name };
    });
}

function phaseAt(timeSec) {
  let name = phases[0]?.name ?? 'unknown';
  for (const p of phases) if (p.timeSec <= timeSec) name = p.name;
  return name;
}

function get(fields, name) {
  const f = fields.find((x) => x.name === name && x.type === 0);
  return f ? f.value.toString('latin1') : undefined;
}

/** Decodes netstring (`###`) or classic (`>>>`) bytes into fields; trailer kept for netstring. */
function parse(b) {
  const head = b.subarray(0, 4).toString('latin1');
  if (head === '###\n') return parseNetstring(b);
  if (head === '>>>\n') return parseClassic(b);
  return { error: `unknown start ${JSON.stringify(head)}` };
}

function parseNetstring(b) {
  const fields = [];
  let off = 4;
  while (off < b.length) {
    if (b.subarray(off, off + 4).toString('latin1') === '%%%\n') break;
    const colon = b.indexOf(0x3a, off);
    if (colon < 0) return { error: 'netstring: missing length' };
    const len = Number(b.subarray(off, colon).toString('latin1'));
    const body = b.subarray(colon + 1, colon + 1 + len);
    if (!Number.isInteger(len) || body.length !== len || b[colon + 1 + len] !== 0x2c) return { error: 'netstring: bad field' };
    const m = /^\((\d)\)([^=]*)=/.exec(body.toString('latin1'));
    if (!m) return { error: 'netstring: bad field body' };
    fields.push({ type: Number(m[1]), name: m[2], value: body.subarray(m[0].length) });
    off = colon + 2 + len;
  }
  const signedEnd = off + 4;
  const rest = b.subarray(signedEnd).toString('latin1');
  const tm = /^(\d+):(\d+) ([0-9a-f]+),$/.exec(rest);
  if (!tm || Number(tm[1]) !== tm[2].length + 1 + tm[3].length) return { error: `netstring: bad trailer ${JSON.stringify(rest)}` };
  return { encoding: 'netstring', fields, signedEnd, trailer: { index: Number(tm[2]), hex: tm[3] } };
}

function parseClassic(b) {
  const text = b.toString('latin1');
  if (!text.endsWith('<<<\n')) return { error: 'classic: no <<< end' };
  const lines = text.slice(4, -4).split('\n').slice(0, -1);
  const fields = lines.map((line) => {
    const m = /^(?:\((\d)\))?([^=]*)=(.*)$/s.exec(line);
    if (!m) return { type: -1, name: '', value: Buffer.alloc(0), line };
    const type = m[1] === undefined ? 0 : Number(m[1]);
    const value = type === 1 ? Buffer.from(m[3], 'base64') : Buffer.from(m[3], 'latin1');
    return { type, name: m[2], value, line };
  });
  if (fields.some((f) => f.type < 0)) return { error: 'classic: bad line' };
  return { encoding: 'classic', fields, lines };
}

function digest(data) {
  if (method === 'sha1' || method === 'md5') return createHmac(method, Buffer.from(secret, 'latin1')).update(data).digest('hex');
  return crc32posix(data).toString(16);
}

function crc32posix(data) {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Classic serialization used by the inner auth field: every field but `auth`, one per line. */
function classicSigned(fields) {
  return Buffer.concat(
    fields
      .filter((f) => f.name !== 'auth')
      .map((f) =>
        f.type === 1
          ? Buffer.from(`(1)${f.name}=${f.value.toString('base64')}\n`, 'latin1')
          : Buffer.concat([Buffer.from(`${f.name}=`, 'latin1'), f.value, Buffer.from('\n')]),
      ),
  );
}

function verify(parsed, bytes, index) {
  if (parsed.encoding === 'netstring') {
    const want = digest(bytes.subarray(0, parsed.signedEnd));
    if (parsed.trailer.index !== keyIndex || parsed.trailer.hex !== want)
      fail(`message ${index}: netstring trailer ${parsed.trailer.index} ${parsed.trailer.hex} does not verify (expected ${keyIndex} ${want})`);
  }
  const inner = parsed.fields.find((f) => f.name === 'auth');
  if (inner) {
    const m = /^(\d+) ([0-9a-f]+)$/.exec(inner.value.toString('latin1'));
    const want = digest(parsed.encoding === 'classic' ? Buffer.from(parsed.lines.filter((l) => !l.startsWith('auth=')).map((l) => `${l}\n`).join(''), 'latin1') : classicSigned(parsed.fields));
    if (!m || Number(m[1]) !== keyIndex || m[2] !== want) fail(`message ${index}: inner auth ${inner.value} does not verify (expected ${keyIndex} ${want})`);
  } else if (parsed.encoding === 'classic') {
    fail(`message ${index}: classic message without auth field`);
  }
}

/**
 * Rebuilds both directions of a `socat -v -x` log and cuts them into `>>>\n ... <<<\n` messages.
 * The time of a message is the time of the chunk in which it starts.
 */
function serialMessages(log) {
  const streams = { '>': { bytes: [], times: [] }, '<': { bytes: [], times: [] } };
  let cur = null;
  let curTime = 0;
  for (const line of log.split('\n')) {
    const h = /^([<>]) (\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)/.exec(line);
    if (h) {
      cur = streams[h[1]];
      const [, , y, mo, d, hh, mi, ss, frac] = h;
      curTime = Date.UTC(+y, +mo - 1, +d, +hh, +mi, +ss) / 1000 + Number(`0.${frac}`);
      continue;
    }
    const x = /^ ((?:[0-9a-f]{2} )+)/.exec(line);
    if (x && cur) {
      for (const hex of x[1].trim().split(' ')) {
        cur.bytes.push(parseInt(hex, 16));
        cur.times.push(curTime);
      }
    }
  }
  const out = [];
  for (const dir of ['>', '<']) {
    const s = streams[dir];
    const buf = Buffer.from(s.bytes);
    let from = 0;
    for (;;) {
      const start = buf.indexOf('>>>\n', from, 'latin1');
      if (start < 0) break;
      const end = buf.indexOf('<<<\n', start, 'latin1');
      if (end < 0) break;
      out.push({ timeSec: s.times[start], bytes: Buffer.from(buf.subarray(start, end + 4)), wire: `serial ${dir === '>' ? 'tty1->tty2' : 'tty2->tty1'}` });
      from = end + 4;
    }
  }
  out.sort((a, b) => a.timeSec - b.timeSec);
  return out;
}
