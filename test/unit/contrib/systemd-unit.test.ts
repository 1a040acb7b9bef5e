// contrib/systemd/hbts.service, checked by systemd itself (`systemd-analyze verify`, which works
// without systemd as PID 1) and for the choices docs/operations.md explains: the supervisor gets SIGTERM
// and forwards it, systemd restarts the service after the supervisor gave up, and no WatchdogSec=
// since the daemon does not speak sd_notify.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distRoot, hbtsMain } from '../../../src/lab/dist-paths.js';

const unitPath = join(distRoot, '..', 'contrib', 'systemd', 'hbts.service');
const unit = readFileSync(unitPath, 'utf8');
const skip =
  spawnSync('systemd-analyze', ['--version'], { timeout: 10000 }).status === 0
    ? false
    : 'systemd-analyze not installed (Debian package systemd)';

/** `systemd-analyze verify` on a copy of the unit text; its complaints (stderr + stdout). */
function verify(text: string): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-unit-'));
  try {
    const file = join(dir, 'hbts.service');
    writeFileSync(file, text);
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', file], {
      encoding: 'utf8',
      timeout: 30000,
    });
    return { status: r.status, out: `${r.stderr}${r.stdout}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The unit with ExecStart pointing at this build (verify checks that the program exists). */
const here = unit.replaceAll('/usr/local/bin/hbts', `${process.execPath} ${hbtsMain}`);

const directives = (section: string): Map<string, string> => {
  const body = unit.split(/^\[/m).find((s) => s.startsWith(`${section}]`)) ?? '';
  return new Map(
    body
      .split('\n')
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );
};

void describe('contrib/systemd/hbts.service', () => {
  void it('systemd-analyze verify finds nothing to say', { skip }, () => {
    const r = verify(here);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, '', 'no warning at all');
  });

  void it('the check can fail: a misspelt key and a bad Restart= are reported', { skip }, () => {
    const r = verify(here.replace('Restart=on-failure', 'Restart=sometimes\nKilMode=mixed'));
    assert.match(r.out, /Unknown key( name)? 'KilMode'/);
    assert.match(r.out, /restart specifier.*sometimes/);
  });

  void it('runs the supervised daemon, forwards signals through it, and claims no watchdog', () => {
    const s = directives('Service');
    assert.match(s.get('ExecStart') ?? '', /^\/usr\/local\/bin\/hbts daemon --foreground /);
    assert.doesNotMatch(s.get('ExecStart') ?? '', /--no-supervise/);
    assert.equal(s.get('Type'), 'simple');
    assert.equal(s.get('KillMode'), 'mixed');
    assert.equal(s.get('Restart'), 'on-failure');
    assert.equal(s.get('ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.ok(!s.has('WatchdogSec') && !s.has('NotifyAccess'), 'no sd_notify, so no WatchdogSec');
    // longer than the daemon's own 10-minute graceful hand-over
    assert.equal(s.get('TimeoutStopSec'), '11min');
    // traversal for the haclient group's read-only status socket, no listing, no writing
    assert.equal(s.get('RuntimeDirectoryMode'), '0711');
  });
});
