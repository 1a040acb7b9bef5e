#!/usr/bin/env node
// `cl_status`, Heartbeat's status tool, for heartbeat-ts (installed as a package bin; Debian's
// heartbeat package owns /usr/bin/cl_status, which this never replaces). Asks the read-only status
// socket (members of the haclient group, or root), falling back to the control socket (root).
// The run dir is /run/heartbeat-ts, or $HBTS_RUN_DIR.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseHaCf } from '../../config/parse-ha-cf.js';
import type { HaCf } from '../../config/types.js';
import { answerClStatus, type ClStatusView } from '../../daemon/cl-status-answer.js';
import { DEFAULT_RUN_DIR } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { controlRequest } from '../../daemon/control-server.js';
import type { DaemonStatus } from '../../daemon/daemon-status.js';
import { STATUS_SOCKET_NAME } from '../../daemon/status-socket.js';

/** Heartbeat's cl_status gives up after 5 s (exit 12). */
const TIMEOUT_MS = 5000;
const TIMEOUT = 12;

async function fetchStatus(runDir: string): Promise<{ status?: DaemonStatus; reason?: string }> {
  let reason = 'no daemon running';
  for (const name of [STATUS_SOCKET_NAME, CONTROL_SOCKET_NAME]) {
    try {
      const reply = await controlRequest(join(runDir, name), { cmd: 'status' }, TIMEOUT_MS);
      if (reply['ok'] === true) return { status: reply['status'] as DaemonStatus };
      reason = String(reply['error']);
    } catch (err) {
      reason = (err as Error).message;
    }
  }
  return { reason };
}

function readHaCf(configDir: string): HaCf | undefined {
  try {
    const haCf = readFileSync(join(configDir, 'ha.cf'), 'utf8');
    let hbtsCf: string | undefined;
    try {
      hbtsCf = readFileSync(join(configDir, 'hbts.cf'), 'utf8');
    } catch {
      hbtsCf = undefined;
    }
    return parseHaCf(haCf, 'ha.cf', hbtsCf === undefined ? undefined : { text: hbtsCf, file: 'hbts.cf' })
      .haCf;
  } catch {
    return undefined;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return `heartbeat-ts ${pkg.version} (Heartbeat 3.0.6 compatible)`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Heartbeat's cl_log lines on stderr: `Nov 29 18:27:16 node1 cl_status: [12581]: ERROR: ...`. */
function logLines(err: string): string {
  const d = new Date();
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${MONTHS[d.getMonth()] ?? ''} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return err.replace(/^cl_status: ERROR: /gm, `${stamp} ${hostname()} cl_status: [${process.pid}]: ERROR: `);
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = argv[0];
  if (cmd === undefined || cmd === '-h' || !argv.length) {
    const a = answerClStatus(argv, { status: undefined, version: '' });
    process.stdout.write(a.out);
    return a.code;
  }
  const runDir = process.env['HBTS_RUN_DIR'] ?? DEFAULT_RUN_DIR;
  const timer = setTimeout(() => process.exit(TIMEOUT), TIMEOUT_MS + 1000);
  const { status, reason } = await fetchStatus(runDir);
  clearTimeout(timer);
  const view: ClStatusView = {
    status,
    version: version(),
    ...(reason !== undefined ? { unreachable: reason } : {}),
    ...(cmd === 'hbparameter' && status !== undefined ? { haCf: readHaCf(status.configDir) } : {}),
  };
  const a = answerClStatus(argv, view);
  process.stdout.write(a.out);
  process.stderr.write(logLines(a.err));
  return a.code;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`cl_status: ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 13;
  },
);
