// What parsing ha.cf has gathered so far, and the checks directive handlers share. Directives take
// effect in file order, as in Heartbeat, so the handlers read this state as it stands on their
// line (a medium uses the udpport and baud set above it) and add to it; ha-cf-finish.ts turns it
// into the HaCf once the whole file is read.
import type { ArbiterConfig } from './arbitration-config.js';
import type { FenceMethod, StonithDevice } from './fencing-config.js';
import type { MonitorLines } from './health-config.js';
import type { Medium, PingTarget } from './media-config.js';
import type { NotifyHook } from './notify-config.js';
import type { ApiAuthEntry, ClientProgram } from './program-config.js';
import type { AutoFailback } from './resource-config.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { HaCf, MediumId, NodeEntry } from './types.js';
import { errorAt, warningAt } from './config-issues.js';
import type { DirectiveLine } from './ha-cf-lines.js';
import { BOOLEAN_HELP, interfaceNameProblem, parseBoolean, parseIntegerIn } from './config-values.js';
import { DEFAULT_HOPFUDGE, DEFAULT_MAX_REXMIT_DELAY_MS, DEFAULT_UDP_PORT } from './ha-cf-defaults.js';

/** What the handler read; the prefix default needs the cluster name, known at the end. */
export interface ArbiterLine {
  readonly endpoints: readonly string[];
  readonly prefix: string | undefined;
  readonly ttlMs: number;
  readonly tls: ArbiterConfig['tls'];
  readonly at: SourceLocation;
}

/** A value and the line that set it. */
export interface Located<T> {
  readonly value: T;
  readonly at: SourceLocation;
}

/** A time directive's value in ms, as written, and where. */
export interface Timed {
  readonly ms: number;
  readonly text: string;
  readonly at: SourceLocation;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Settings a directive simply sets (the last one wins), starting from Heartbeat's defaults. */
export type PlainSettings = Mutable<
  Pick<
    HaCf,
    | 'hopfudge'
    | 'maxRexmitDelayMs'
    | 'msgfmt'
    | 'autojoin'
    | 'clusterName'
    | 'logfile'
    | 'debugfile'
    | 'logfacility'
    | 'debugLevel'
    | 'watchdog'
  >
>;

export class HaCfBuilder {
  readonly issues: ConfigIssue[];
  readonly directives = new Map<string, string[]>();
  readonly lines = new Map<string, SourceLocation>();
  readonly nodes: NodeEntry[] = [];
  readonly media: Medium[] = [];
  readonly pingTargets: PingTarget[] = [];
  readonly stonith: StonithDevice[] = [];
  readonly fence: FenceMethod[] = [];
  readonly monitorLines: MonitorLines['monitorLines'][number][] = [];
  readonly policyLines: MonitorLines['policyLines'][number][] = [];
  readonly notify: NotifyHook[] = [];
  readonly clients: ClientProgram[] = [];
  readonly apiauth: ApiAuthEntry[] = [];
  readonly times = new Map<string, Timed>();
  readonly plain: PlainSettings = {
    hopfudge: DEFAULT_HOPFUDGE,
    maxRexmitDelayMs: DEFAULT_MAX_REXMIT_DELAY_MS,
    msgfmt: 'classic',
    autojoin: 'none',
    clusterName: 'linux-ha',
    logfile: undefined,
    debugfile: undefined,
    logfacility: undefined,
    debugLevel: 0,
  };
  udpPort: Located<number> | undefined;
  baud: Located<number> | undefined;
  /** The first serial medium: Heartbeat opens it at the baud in effect on its line. */
  firstSerial: Medium | undefined;
  /** In effect so far: set by auto_failback, or by nice_failback the way Heartbeat maps it. */
  autoFailback: (Located<AutoFailback> & { readonly fromNiceFailback?: true }) | undefined;
  useLogd: Located<boolean> | undefined;
  crm: Located<string> | undefined;
  diskLock: Located<string> | undefined;
  /** api_listen, api_token_file, ... as written (checked together by finishApi). */
  readonly api = new Map<string, Located<string>>();
  quorum: Located<boolean> | undefined;
  pingPolicy: Located<'off' | 'ipfail'> | undefined;
  arbiter: ArbiterLine | undefined;
  private readonly mediumLines = new Map<MediumId, SourceLocation>();

  constructor(
    readonly file: string,
    issues: readonly ConfigIssue[],
  ) {
    this.issues = [...issues];
  }

  err(at: SourceLocation, message: string): void {
    this.issues.push(errorAt(at, message));
  }

  warn(at: SourceLocation, message: string): void {
    this.issues.push(warningAt(at, message));
  }

  errorCount(): number {
    return this.issues.filter((i) => i.severity === 'error').length;
  }

  /** The udpport a medium written here gets. */
  currentPort(): number {
    return this.udpPort?.value ?? DEFAULT_UDP_PORT;
  }

  bool(name: string, value: string, at: SourceLocation): boolean | undefined {
    const b = parseBoolean(value);
    if (b === undefined) this.err(at, `${name} takes a boolean (${BOOLEAN_HELP}), got '${value}'`);
    return b;
  }

  int(name: string, value: string, at: SourceLocation, min: number, max: number): number | undefined {
    const n = parseIntegerIn(value, min, max);
    if (n === undefined) this.err(at, `${name} takes a whole number from ${min} to ${max}, got '${value}'`);
    return n;
  }

  oneOf<T extends string>(
    name: string,
    value: string,
    at: SourceLocation,
    allowed: readonly T[],
  ): T | undefined {
    const found = allowed.find((a) => a === value.toLowerCase());
    if (found === undefined) this.err(at, `${name} takes one of ${allowed.join(', ')}, got '${value}'`);
    return found;
  }

  checkIface(iface: string, at: SourceLocation): boolean {
    const problem = interfaceNameProblem(iface);
    if (problem !== undefined) this.err(at, problem);
    return problem === undefined;
  }

  addMedium(m: Medium): void {
    const earlier = this.mediumLines.get(m.id);
    if (earlier !== undefined) {
      this.warn(m.at, `medium ${m.id} is already defined on line ${earlier.line}; this duplicate is ignored`);
      return;
    }
    this.mediumLines.set(m.id, m.at);
    this.media.push(m);
    if (m.kind === 'serial' && this.firstSerial === undefined) this.firstSerial = m;
  }

  addPing(p: PingTarget): void {
    const earlier = this.pingTargets.find((t) => t.name === p.name);
    if (earlier !== undefined) {
      this.warn(
        p.at,
        `ping node '${p.name}' is already defined on line ${earlier.at.line}; this duplicate is ignored`,
      );
      return;
    }
    this.pingTargets.push(p);
  }
}

/**
 * Applies one value of a directive's line to the builder (for a `line` directive, the whole rest of
 * the line); problems become issues on the builder, never exceptions.
 */
export type DirectiveHandler = (b: HaCfBuilder, value: string, line: DirectiveLine) => void;
