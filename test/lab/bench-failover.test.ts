// Smoke test of the failover benchmark (bench/failover): one run of every scenario for ours, real
// Heartbeat and keepalived at the 250 ms detection window (the one all three can run at), short
// partition and heal windows. Checks the report's shape and that every figure is a measured
// number, never the timings themselves: those are printed, not asserted (a loaded CI machine
// says nothing about them).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distRoot, labSkipReason } from './lab.js';
import { realHeartbeatSkipReason } from './real-heartbeat.js';

const skip =
  labSkipReason() ??
  realHeartbeatSkipReason() ??
  (existsSync('/usr/sbin/keepalived') ? undefined : 'Debian package keepalived is not installed');

interface RunJson {
  readonly ok: boolean;
  readonly error?: string;
  readonly outageMs?: number;
  readonly maxGapMs?: number;
  readonly startupMs?: number;
  readonly vipMs?: number;
}
interface ReportJson {
  readonly profiles: readonly {
    readonly impl: string;
    readonly window: string;
    readonly skipped?: string;
    readonly scenarios: Record<string, RunJson[]>;
    readonly idle: readonly {
      readonly rssKb: number;
      readonly distinctKb?: number;
      readonly cpuPct: number;
      readonly processes: number;
    }[];
  }[];
}

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(distRoot, 'bench', 'failover.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), 540_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const impls = ['ours', 'heartbeat', 'keepalived'];
const scenarios = ['crash', 'graceful', 'partition'];

void describe('bench/failover smoke test (N=1, 250 ms window)', { skip: skip ?? false }, () => {
  void it(
    'reports a measured row per implementation and scenario, as JSON and Markdown',
    { timeout: 600_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hbts-bench-'));
      try {
        const json = join(dir, 'report.json');
        const md = join(dir, 'report.md');
        const r = await run([
          '--runs',
          '1',
          '--windows',
          'w250ms',
          '--idle-ms',
          '1000',
          '--idle-after-ms',
          '0',
          '--partition-ms',
          '1500',
          '--heal-window-ms',
          '2000',
          '--net',
          '44',
          '--json',
          json,
          '--md',
          md,
        ]);
        process.stdout.write(r.stdout);
        assert.equal(r.code, 0, `bench exited ${r.code}:\n${r.stderr.slice(-3000)}`);
        const report = JSON.parse(readFileSync(json, 'utf8')) as ReportJson;
        const table = readFileSync(md, 'utf8');
        assert.equal(table, r.stdout, 'the Markdown file is what was printed');
        for (const impl of impls) {
          const p = report.profiles.find((x) => x.impl === impl && x.window === 'w250ms');
          assert.ok(p, `a profile for ${impl}`);
          assert.equal(p.skipped, undefined, `${impl} ran`);
          assert.equal(p.idle.length, 2, `${impl}: an idle sample per node`);
          for (const s of p.idle) {
            assert.ok(
              s.processes >= 1 && s.rssKb > 1000,
              `${impl}: idle sample counts real processes: ${JSON.stringify(s)}`,
            );
            assert.ok(Number.isFinite(s.cpuPct) && s.cpuPct >= 0);
            // as root the page frames are readable: each page once is at most the RSS sum (read a
            // moment earlier: a daemon may have grown by a few pages in between)
            assert.ok(
              s.distinctKb !== undefined && s.distinctKb > 500 && s.distinctKb <= s.rssKb + 2048,
              `${impl}: distinct pages measured: ${JSON.stringify(s)}`,
            );
          }
          for (const scenario of scenarios) {
            const runs = p.scenarios[scenario];
            assert.ok(runs?.length === 1, `${impl} ${scenario}: one run`);
            const [one] = runs;
            assert.ok(one?.ok, `${impl} ${scenario} ran: ${one?.error ?? ''}`);
            for (const k of ['outageMs', 'maxGapMs', 'startupMs'] as const)
              assert.ok(
                Number.isFinite(one[k]) && (one[k] ?? -1) >= 0,
                `${impl} ${scenario} ${k}: ${one[k]}`,
              );
            if (scenario !== 'partition')
              assert.ok((one.outageMs ?? 0) > 0, `${impl} ${scenario}: a failover is never free`);
            const row = new RegExp(
              `^\\| ${scenario} \\| w250ms \\| ${impl} \\| [^|]+ \\| 1/1 \\| \\d+ / \\d+ / \\d+ \\|`,
              'm',
            );
            assert.match(table, row, `Markdown row for ${impl} ${scenario}`);
          }
        }
        for (const peer of ['heartbeat', 'keepalived'])
          assert.match(
            table,
            new RegExp(`^\\| crash \\| w250ms \\| ${peer} \\|.*\\| \\d+(\\.\\d+)? \\|$`, 'm'),
            `ratio on the ${peer} crash row`,
          );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
