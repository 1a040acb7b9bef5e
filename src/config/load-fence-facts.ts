// Host facts about fencing: secrets are kept from other users (a `password=` only in a file no one
// else can read, a password_file of mode 600, like authkeys), password files and the disk_lock
// device exist, and, through the fencing code's own inspector (config may not import it), each
// fence agent exists and takes the options its line gives, each stonith device type exists and
// gets its parameters.
import { readFileSync, statSync } from 'node:fs';
import type { FenceMethod, StonithDevice } from './fencing-config.js';
import type { SourceLocation } from './source-location.js';
import type { ClusterConfig } from './types.js';

/** What the fencing code finds wrong with one agent or device on this host. */
export interface FenceCheck {
  /** The fence would fail (an error for the daemon, a warning in `hbts check`). */
  readonly needed: readonly string[];
  /** It works, but should be changed. */
  readonly advice: readonly string[];
}

export interface FenceInspector {
  agent(agent: string, options: readonly (readonly [string, string])[]): FenceCheck;
  stonith(device: StonithDevice): FenceCheck;
}

export interface FenceFactSinks {
  /** Always an error, whoever asks: a secret others can read. */
  readonly secret: (at: SourceLocation, message: string) => void;
  readonly needed: (at: SourceLocation, message: string) => void;
  readonly advise: (at: SourceLocation, message: string) => void;
}

const SECRET_KEYS = ['password', 'passwd'];

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode;
  } catch {
    return undefined;
  }
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

function passwordFacts(m: Extract<FenceMethod, { kind: 'fence-agent' }>, sink: FenceFactSinks): void {
  const inline = m.options.find(([k]) => SECRET_KEYS.includes(k));
  const lineMode = modeOf(m.at.file);
  if (inline !== undefined && lineMode !== undefined && (lineMode & 0o044) !== 0) {
    sink.secret(
      m.at,
      `fence ${m.target}: ${inline[0]}= in ${m.at.file}, which group or others can read (mode ${octal(lineMode)}): ` +
        `put the password alone in a file of mode 600 and write password_file=/etc/ha.d/fence-${m.target}.pw instead`,
    );
  }
  const file = m.options.find(([k]) => k === 'password_file')?.[1];
  if (file === undefined) return;
  const mode = modeOf(file);
  if (mode === undefined) {
    sink.needed(m.at, `fence ${m.target}: password_file ${file} does not exist`);
    return;
  }
  if ((mode & 0o044) !== 0) {
    sink.secret(
      m.at,
      `fence ${m.target}: password_file ${file} is readable by group or others (mode ${octal(mode)}): run \`chmod 600 ${file}\``,
    );
  }
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    sink.needed(
      m.at,
      `fence ${m.target}: cannot read password_file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (text === '') sink.needed(m.at, `fence ${m.target}: password_file ${file} is empty`);
  if (text !== undefined && /[\r\n]/.test(text))
    sink.needed(
      m.at,
      `fence ${m.target}: password_file ${file} holds more than one line; write the password alone`,
    );
}

function diskLockFacts(config: ClusterConfig, sink: FenceFactSinks): void {
  const lock = config.diskLock;
  if (lock === undefined) return;
  let isBlock: boolean;
  try {
    isBlock = statSync(lock.device).isBlockDevice();
  } catch {
    sink.needed(lock.at, `disk_lock device ${lock.device} does not exist`);
    return;
  }
  if (!isBlock) sink.advise(lock.at, `disk_lock ${lock.device} is not a block device; sbd works only on one`);
}

export function fenceFacts(
  config: ClusterConfig,
  inspector: FenceInspector | undefined,
  sink: FenceFactSinks,
): void {
  for (const m of config.fence ?? []) {
    if (m.kind !== 'fence-agent') continue;
    passwordFacts(m, sink);
    if (inspector === undefined) continue;
    const found = inspector.agent(m.agent, m.options);
    for (const n of found.needed) sink.needed(m.at, `fence ${m.target}: ${n}`);
    for (const a of found.advice) sink.advise(m.at, `fence ${m.target}: ${a}`);
  }
  diskLockFacts(config, sink);
  const usable = config.stonith.filter((d) => d.host === '*' || d.host === config.localNode);
  const exposed = usable.find((d) => d.kind === 'stonith_host' && d.params.length > 0);
  const haCfMode = exposed === undefined ? undefined : modeOf(exposed.at.file);
  if (exposed !== undefined && haCfMode !== undefined && (haCfMode & 0o004) !== 0) {
    sink.advise(
      exposed.at,
      `stonith_host parameters (device passwords) in ${exposed.at.file} are readable by every local user (mode ${octal(haCfMode)}): ` +
        `chmod 600 it (Heartbeat reads it as root), or use \`stonith <type> <configfile>\` with a mode-600 file`,
    );
  }
  if (inspector === undefined) return;
  for (const d of usable) {
    const found = inspector.stonith(d);
    for (const n of found.needed) sink.needed(d.at, `${d.kind} ${d.type}: ${n}`);
    for (const a of found.advice) sink.advise(d.at, `${d.kind} ${d.type}: ${a}`);
  }
}
