// Logging: one line per event, key=value (node, medium, group), to the ha.cf `logfile`, the
// `debugfile` (everything, debug included), syslog for `logfacility`, and stderr in --foreground.
// Node cannot open the unix datagram socket /dev/log, so syslog lines go through one long-lived
// `logger --prio-prefix` child (util-linux), started only when /dev/log exists.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClusterEvent } from '../cluster/types.js';
import type { ClusterConfig } from '../config/types.js';
import { printable } from '../config/printable.js';
import { LOG_LINES_PER_SECOND, LineBudget } from './log-limits.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'crit';

const SEVERITY: Record<LogLevel, number> = { crit: 2, error: 3, warn: 4, info: 6, debug: 7 };
const FACILITIES: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export interface LogTargets {
  readonly logfile?: string | undefined;
  readonly debugfile?: string | undefined;
  readonly logfacility?: string | undefined;
  readonly stderr: boolean;
  readonly debug: boolean;
  /** The syslog socket; default /dev/log (tests point it elsewhere). */
  readonly syslogSocket?: string;
}

/** The targets a config asks for (`--foreground` adds stderr). */
export function logTargets(config: ClusterConfig, foreground: boolean): LogTargets {
  return {
    logfile: config.logfile,
    debugfile: config.debugfile,
    logfacility: config.logfacility,
    stderr: foreground,
    debug: config.debugLevel > 0,
  };
}

function quote(v: string): string {
  // JSON escapes C0 controls; DEL, C1 and bidi overrides (a packet's claimed name) are escaped too.
  return /^[A-Za-z0-9_.:/@,+-]*$/.test(v) && v !== '' ? v : printable(JSON.stringify(v));
}

export function formatFields(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${quote(String(v))}`)
    .join(' ');
}

export class EventLog {
  private targets: LogTargets;
  private syslog: ChildProcess | undefined;
  private syslogFacility = 3;
  private readonly fileErrors = new Set<string>();
  /** All targets together take at most LOG_LINES_PER_SECOND lines (a flood must not fill the disk). */
  private readonly budget = new LineBudget();
  private droppedSinceLast = 0;
  private droppedTotal = 0;
  private lastDropNoticeMs = -Infinity;

  constructor(
    private readonly node: string,
    targets: LogTargets,
  ) {
    this.targets = targets;
    this.openSyslog();
  }

  /** Switch targets (SIGHUP reload). */
  retarget(targets: LogTargets): void {
    const syslogChanged = targets.logfacility !== this.targets.logfacility;
    this.targets = targets;
    if (syslogChanged) {
      this.closeSyslog();
      this.openSyslog();
    }
  }

  event(e: ClusterEvent): void {
    const level: LogLevel = e.level;
    this.write(
      level,
      `${e.kind} ${formatFields({ node: e.node, medium: e.medium, group: e.group })}${
        e.node || e.medium || e.group ? ' ' : ''
      }text=${quote(e.text)}`,
    );
  }

  log(level: LogLevel, what: string, fields: Record<string, string | number | undefined> = {}): void {
    const f = formatFields(fields);
    this.write(level, f ? `${what} ${f}` : what);
  }

  close(): void {
    this.closeSyslog();
  }

  /** Lines dropped by the rate limit since the start. */
  get droppedLines(): number {
    return this.droppedTotal;
  }

  private write(level: LogLevel, body: string): void {
    if (level === 'debug' && !this.targets.debug && this.targets.debugfile === undefined) return;
    const now = performance.now();
    // What was dropped is said at most once a second (that line is not counted against the budget).
    if (this.droppedSinceLast > 0 && now - this.lastDropNoticeMs >= 1000) {
      this.emit(
        'warn',
        `log rate limit: ${this.droppedSinceLast} lines dropped (more than ${LOG_LINES_PER_SECOND} a second)`,
      );
      this.droppedSinceLast = 0;
      this.lastDropNoticeMs = now;
    }
    if (!this.budget.take(now)) {
      if (this.droppedSinceLast === 0 && now - this.lastDropNoticeMs >= 1000) this.lastDropNoticeMs = now;
      this.droppedSinceLast++;
      this.droppedTotal++;
      return;
    }
    this.emit(level, body);
  }

  private emit(level: LogLevel, body: string): void {
    const line = `${new Date().toISOString()} ${this.node} hbts[${process.pid}]: ${level}: ${body}\n`;
    if (this.targets.stderr && (level !== 'debug' || this.targets.debug)) process.stderr.write(line);
    if (level !== 'debug' && this.targets.logfile !== undefined) this.append(this.targets.logfile, line);
    if (this.targets.debugfile !== undefined) this.append(this.targets.debugfile, line);
    if (this.syslog?.stdin?.writable && level !== 'debug') {
      this.syslog.stdin.write(`<${this.syslogFacility * 8 + SEVERITY[level]}>${level}: ${body}\n`);
    }
  }

  private append(file: string, line: string): void {
    try {
      appendFileSync(file, line);
    } catch (err) {
      try {
        mkdirSync(dirname(file), { recursive: true });
        appendFileSync(file, line);
        return;
      } catch {
        // fall through to report once
      }
      if (!this.fileErrors.has(file)) {
        this.fileErrors.add(file);
        process.stderr.write(`hbts: cannot write log file ${file}: ${(err as Error).message}\n`);
      }
    }
  }

  private openSyslog(): void {
    const fac = this.targets.logfacility;
    if (fac === undefined || fac === 'none') return;
    const code = FACILITIES[fac];
    if (code === undefined) {
      process.stderr.write(`hbts: unknown logfacility ${fac}; syslog logging off\n`);
      return;
    }
    const socket = this.targets.syslogSocket ?? '/dev/log';
    if (!existsSync(socket)) return;
    this.syslogFacility = code;
    try {
      const child = spawn(
        'logger',
        ['--socket', socket, '--socket-errors=off', '--prio-prefix', '-t', 'heartbeat-ts'],
        {
          stdio: ['pipe', 'ignore', 'ignore'],
        },
      );
      child.on('error', () => {
        this.syslog = undefined;
      });
      child.stdin.on('error', () => undefined);
      child.unref();
      this.syslog = child;
    } catch {
      this.syslog = undefined;
    }
  }

  private closeSyslog(): void {
    this.syslog?.stdin?.end();
    this.syslog = undefined;
  }
}
