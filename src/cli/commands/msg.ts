// hbts msg: look inside Heartbeat packets and build them.
//   hbts msg decode [--authkeys FILE]   raw packet on stdin -> one JSON object on stdout
//   hbts msg encode --authkeys FILE [--classic] [--key N]   that JSON on stdin -> signed packet
// decode then encode of a captured packet with its key gives back the exact bytes.
import { formatIssue } from '../../config/config-issues.js';
import { printable } from '../../config/printable.js';
import { readConfigFile } from '../../config/load-file.js';
import { parseAuthkeys } from '../../config/parse-authkeys.js';
import type { AuthConfig } from '../../config/auth-config.js';
import { Authenticator } from '../../protocol/auth.js';
import { MAX_MESSAGE_BYTES, decodePacket } from '../../protocol/codec.js';
import { checkEncodable, encodeClassic } from '../../protocol/encode.js';
import type { Field, Message } from '../../protocol/message.js';
import { messageFromJson, messageToJson } from '../../protocol/message-json.js';
import { flagArgs } from '../flag-args.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'msg',
  summary: 'decode a Heartbeat packet to JSON, or encode and sign JSON into a packet',
  synopsis: ['msg decode [--authkeys FILE]', 'msg encode --authkeys FILE [--classic] [--key N]'],
  description: [
    'decode reads one raw packet (netstring "###" or classic ">>>" form) on stdin and prints its fields as JSON:',
    '   {"auth": "ok"|"bad"|"unchecked", "encoding": "netstring"|"classic",\n    "fields": [{"name", "type", "value"}, ...]}',
    'Fields are in wire order (the inner "auth" field is one of them). String values are byte strings (one char per byte); binary/compressed values are base64; struct values are nested field lists; list values are string arrays. With --authkeys the signature is verified (the trailer for netstring, the inner auth field for classic); a bad signature or an undecodable packet adds "reason" and exits 1.',
    'encode reads that JSON on stdin (only "fields" is used) and writes the packet to stdout, signed with the active key of FILE (or key N): netstring with its auth trailer by default, --classic for the serial form. An "auth" field in the JSON is recomputed in place; the classic form always gets one (appended when absent).',
  ],
  options: [
    {
      flag: '--authkeys FILE',
      text: 'Heartbeat authkeys file (auth N + keys); sha256/sha512 keys are accepted here',
    },
    { flag: '--classic', text: 'encode the classic (serial) form instead of netstring' },
    { flag: '--key N', text: 'sign with key N instead of the active key' },
  ],
  sections: [
    {
      title: 'exit status',
      paragraphs: ['0 ok, 1 packet rejected (decode) or JSON invalid (encode), 2 bad usage or authkeys'],
    },
  ],
};
export const summary = help.summary;

const USAGE = formatHelp(help);

/** Largest stdin accepted; bigger input is reported as too big without reading it all. */
const MAX_STDIN_BYTES = 16 * 1024 * 1024;

interface MsgArgs {
  readonly mode: 'decode' | 'encode';
  readonly authkeys: string | undefined;
  readonly classic: boolean;
  readonly key: number | undefined;
}

type ParsedArgs = { kind: 'ok'; args: MsgArgs } | { kind: 'help' } | { kind: 'bad'; message: string };

export function parseMsgArgs(argv: readonly string[]): ParsedArgs {
  const [mode, ...rest] = argv;
  if (mode === '--help' || mode === '-h' || mode === 'help') return { kind: 'help' };
  if (mode !== 'decode' && mode !== 'encode') {
    return { kind: 'bad', message: mode === undefined ? 'say decode or encode' : `unknown mode '${mode}'` };
  }
  let authkeys: string | undefined;
  let classic = false;
  let key: number | undefined;
  for (const { arg, flag, value } of flagArgs(rest)) {
    switch (flag) {
      case '--help':
      case '-h':
        return { kind: 'help' };
      case '--authkeys': {
        const v = value();
        if (v === undefined || v === '') return { kind: 'bad', message: '--authkeys needs a file' };
        authkeys = v;
        break;
      }
      case '--classic':
        if (mode !== 'encode') return { kind: 'bad', message: '--classic is an encode option' };
        classic = true;
        break;
      case '--key': {
        const v = value();
        if (mode !== 'encode') return { kind: 'bad', message: '--key is an encode option' };
        if (v === undefined || !/^\d{1,2}$/.test(v) || Number(v) > 15) {
          return { kind: 'bad', message: '--key needs a key index 0-15' };
        }
        key = Number(v);
        break;
      }
      default:
        return { kind: 'bad', message: `unknown argument '${arg}'` };
    }
  }
  if (mode === 'encode' && authkeys === undefined)
    return { kind: 'bad', message: 'encode needs --authkeys FILE' };
  return { kind: 'ok', args: { mode, authkeys, classic, key } };
}

async function readStdin(): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const b = chunk as Buffer;
    total += b.length;
    if (total > MAX_STDIN_BYTES) return { bytes: Buffer.concat(chunks), truncated: true };
    chunks.push(b);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

async function loadAuth(file: string): Promise<AuthConfig | string> {
  const read = await readConfigFile(file, 'latin1');
  if (read.kind !== 'ok')
    return printable(`${file}: ${read.kind === 'missing' ? 'no such file' : read.message}`);
  const parsed = parseAuthkeys(read.text, file);
  const errors = parsed.issues.filter((i) => i.severity === 'error');
  if (parsed.auth === undefined || errors.length > 0) {
    return (
      (errors.length > 0 ? errors : parsed.issues).map(formatIssue).join('\n') || `${file}: no usable key`
    );
  }
  return parsed.auth;
}

function authenticator(auth: AuthConfig, key: number | undefined): Authenticator | string {
  const chosen = key ?? auth.activeIndex;
  if (!auth.keys.has(chosen)) return `${auth.file}: key ${chosen} is not defined`;
  try {
    return new Authenticator({ ...auth, activeIndex: chosen }, { allowExtendedAuth: true });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function fail(message: string): number {
  process.stderr.write(`hbts msg: ${message}\n`);
  return 2;
}

/** The JSON report `hbts msg decode` prints for a packet, and its exit status. */
export function decodeReport(
  bytes: Uint8Array,
  auth: Authenticator | undefined,
): { report: Record<string, unknown>; exitCode: number } {
  const decoded = decodePacket(bytes);
  if (!decoded.ok) {
    return {
      report: {
        auth: 'unchecked',
        encoding: null,
        fields: [],
        reason: `${decoded.reason}: ${decoded.detail}`,
      },
      exitCode: 1,
    };
  }
  const fields = messageToJson(decoded.message);
  if (auth === undefined)
    return { report: { auth: 'unchecked', encoding: decoded.encoding, fields }, exitCode: 0 };
  const verdict = auth.verify(decoded, bytes);
  if (!verdict.ok) {
    return {
      report: {
        auth: 'bad',
        encoding: decoded.encoding,
        fields,
        reason: `${verdict.reason}: ${verdict.detail}`,
      },
      exitCode: 1,
    };
  }
  return { report: { auth: 'ok', encoding: decoded.encoding, fields }, exitCode: 0 };
}

async function decode(args: MsgArgs): Promise<number> {
  let auth: Authenticator | undefined;
  if (args.authkeys !== undefined) {
    const cfg = await loadAuth(args.authkeys);
    if (typeof cfg === 'string') return fail(cfg);
    const a = authenticator(cfg, undefined);
    if (typeof a === 'string') return fail(a);
    auth = a;
  }
  const input = await readStdin();
  // more than MAX_STDIN_BYTES: too big for any packet (decodePacket stops at 256 KiB anyway)
  const { report, exitCode } = input.truncated
    ? {
        report: {
          auth: 'unchecked',
          encoding: null,
          fields: [],
          reason: `too-big: more than ${MAX_STDIN_BYTES} bytes`,
        },
        exitCode: 1,
      }
    : decodeReport(input.bytes, auth);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  return exitCode;
}

/** Recompute the inner auth field in place (classic: append one when absent). */
function withInnerAuth(msg: Message, auth: Authenticator, addIfMissing: boolean): Message {
  const value = auth.innerAuthValue(msg);
  let found = false;
  const fields = msg.fields.map((f): Field => {
    if (f.name !== 'auth') return f;
    found = true;
    return { name: 'auth', type: 'string', value };
  });
  if (!found && addIfMissing) fields.push({ name: 'auth', type: 'string', value });
  return { fields };
}

/**
 * The packet `hbts msg encode` writes for a decoded JSON document (the whole report object or
 * just its fields array), or the reason it cannot.
 */
export function encodeFromJson(
  json: unknown,
  auth: Authenticator,
  classic: boolean,
): Buffer | { error: string } {
  const fieldsJson =
    typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as { fields?: unknown }).fields
      : json;
  const parsed = messageFromJson(fieldsJson);
  if ('error' in parsed) return parsed;
  const encoding = classic ? 'classic' : 'netstring';
  const problem = checkEncodable(parsed, encoding);
  if (problem !== undefined) return { error: `cannot encode as ${encoding}: ${problem}` };
  const msg = withInnerAuth(parsed, auth, classic);
  const bytes = classic ? encodeClassic(msg) : auth.signNetstring(msg);
  if (bytes.length > MAX_MESSAGE_BYTES) {
    return { error: `the packet would be ${bytes.length} bytes, over Heartbeat's ${MAX_MESSAGE_BYTES}` };
  }
  return bytes;
}

async function encode(args: MsgArgs): Promise<number> {
  const cfg = await loadAuth(args.authkeys ?? '');
  if (typeof cfg === 'string') return fail(cfg);
  const auth = authenticator(cfg, args.key);
  if (typeof auth === 'string') return fail(auth);
  const input = await readStdin();
  if (input.truncated) return fail(`input is larger than ${MAX_STDIN_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(input.bytes.toString('utf8'));
  } catch (err) {
    process.stderr.write(
      `hbts msg: stdin is not JSON: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  }
  const out = encodeFromJson(json, auth, args.classic);
  if (!Buffer.isBuffer(out)) {
    process.stderr.write(`hbts msg: ${out.error}\n`);
    return 1;
  }
  process.stdout.write(out);
  return 0;
}

export async function run(argv: readonly string[]): Promise<number> {
  const parsed = parseMsgArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.kind === 'bad') {
    process.stderr.write(`hbts msg: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  return parsed.args.mode === 'decode' ? decode(parsed.args) : encode(parsed.args);
}
