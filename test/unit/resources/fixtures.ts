// Test fixtures for the resource layer: a ClusterConfig, temporary resource.d / init.d / OCF
// trees, and scripts written by the test itself.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceGroup, ResourceSpec } from '../../../src/config/resource-config.js';
import type { ClusterConfig, GroupId, NodeName } from '../../../src/config/types.js';
import {
  createResourceRunner,
  type LogLevel,
  type ResourceRunnerOptions,
} from '../../../src/resources/index.js';

export const node = (n: string): NodeName => n as NodeName;

/** Same split as the haresources parser: bare IPv4 → IPaddr, else NAME::a::b. */
export function rsc(raw: string): ResourceSpec {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/.test(raw)) return { raw, agent: 'IPaddr', args: [raw] };
  const [agent = '', ...args] = raw.split('::');
  return { raw, agent, args };
}

export function group(home: string, ...raws: string[]): ResourceGroup {
  const resources = raws.map(rsc);
  return {
    id: raws[0] as GroupId,
    homeNode: node(home),
    resources,
    at: { file: 'haresources', line: 1 },
  };
}

export function makeConfig(
  configDir: string,
  groups: ResourceGroup[] = [],
  extra: Partial<ClusterConfig> = {},
): ClusterConfig {
  return {
    configDir,
    nodes: [node('alpha'), node('beta')],
    keepaliveMs: 2000,
    deadtimeMs: 10000,
    warntimeMs: 6000,
    initdeadMs: 20000,
    deadpingMs: 20000,
    udpPort: 694,
    baud: 19200,
    media: [],
    pingTargets: [],
    autoFailback: 'on',
    hopfudge: 1,
    maxRexmitDelayMs: 250,
    msgfmt: 'classic',
    autojoin: 'none',
    clusterName: 'linux-ha',
    logfile: '/var/log/ha-log',
    debugfile: undefined,
    logfacility: 'local0',
    debugLevel: 0,
    stonith: [],
    auth: { file: join(configDir, 'authkeys'), activeIndex: 1, keys: new Map() },
    resourceGroups: groups,
    directives: new Map([
      ['keepalive', ['2']],
      ['deadtime', ['10']],
      ['auto_failback', ['on']],
      ['node', ['alpha', 'beta']],
    ]),
    ...extra,
  };
}

export interface Sandbox {
  readonly root: string;
  readonly configDir: string;
  readonly resourceDir: string;
  readonly initDir: string;
  readonly ocfRoot: string;
  /** Where scripts write their traces. */
  readonly traceFile: string;
  script(dir: string, name: string, body: string, mode?: number): string;
  trace(): string[];
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'hbts-res-'));
  const configDir = join(root, 'ha.d');
  const resourceDir = join(configDir, 'resource.d');
  const initDir = join(root, 'init.d');
  const ocfRoot = join(root, 'ocf');
  for (const d of [resourceDir, initDir, join(ocfRoot, 'resource.d')]) mkdirSync(d, { recursive: true });
  const traceFile = join(root, 'trace');
  writeFileSync(traceFile, '');
  return {
    root,
    configDir,
    resourceDir,
    initDir,
    ocfRoot,
    traceFile,
    script(dir, name, body, mode = 0o755) {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, `#!/bin/sh\nTRACE='${traceFile}'\n${body}\n`);
      chmodSync(path, mode);
      return path;
    },
    trace() {
      if (!existsSync(traceFile)) return [];
      return readFileSync(traceFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface CapturedLog {
  readonly lines: { line: string; level: LogLevel | undefined }[];
  readonly log: (line: string, level?: LogLevel) => void;
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: { line: string; level: LogLevel | undefined }[] = [];
  return {
    lines,
    log: (line, level) => lines.push({ line, level }),
    text: () => lines.map((l) => l.line).join('\n'),
  };
}

/** A runner for node alpha on the sandbox's directories (short stop retries), logging into a CapturedLog. */
export function sandboxRunner(
  box: Sandbox,
  groups: ResourceGroup[],
  extra: Partial<ResourceRunnerOptions> = {},
): { r: ReturnType<typeof createResourceRunner>; log: CapturedLog } {
  const log = captureLog();
  const r = createResourceRunner({
    config: makeConfig(box.configDir, groups),
    self: node('alpha'),
    initDir: box.initDir,
    ocfRoot: box.ocfRoot,
    log: log.log,
    stopRetryDelayMs: 10,
    ...extra,
  });
  return { r, log };
}

/** Whether a pid is alive: it exists and is not a zombie (signal 0 succeeds on zombies). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Children of this process that are zombies (never reaped). */
export function zombieChildren(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z' && Number(after[1]) === process.pid) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
}
