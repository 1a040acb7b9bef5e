// `hbts daemon` refuses to start, loudly and with the reason, where Heartbeat would fail silently
// or vaguely. Runs the real command against generated config directories (no root needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hbtsMain } from '../../../src/lab/dist-paths.js';
import { imageSkipReason, tempImage } from '../fencing/sbd-helpers.js';

function tryStart(
  haCf: string | undefined,
  extra: Readonly<Record<string, string>> = {},
): { code: number | null; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-start-'));
  try {
    const cfg = join(dir, 'ha.d');
    mkdirSync(cfg);
    if (haCf !== undefined) writeFileSync(join(cfg, 'ha.cf'), haCf);
    writeFileSync(join(cfg, 'authkeys'), 'auth 1\n1 sha1 s\n', { mode: 0o600 });
    chmodSync(join(cfg, 'authkeys'), 0o600);
    writeFileSync(join(cfg, 'haresources'), '');
    for (const [name, body] of Object.entries(extra)) writeFileSync(join(cfg, name), body);
    const r = spawnSync(
      process.execPath,
      [
        hbtsMain,
        'daemon',
        '--foreground',
        '--config-dir',
        cfg,
        '--node-name',
        'a',
        '--run-dir',
        join(dir, 'run'),
        '--state-dir',
        join(dir, 'st'),
      ],
      { encoding: 'utf8', timeout: 15000 },
    );
    return { code: r.status, err: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = (media: string): string =>
  `keepalive 1\ndeadtime 5\ninitdead 10\n${media}\nauto_failback on\nnode a b\n`;

void describe('hbts daemon start-up refusals', () => {
  void it('a missing ha.cf: exit 6 naming the file', () => {
    const r = tryStart(undefined);
    assert.equal(r.code, 6);
    assert.match(r.err, /ha\.cf: file is missing/);
  });

  void it('an interface that does not exist is an error for the daemon (only a warning for check)', () => {
    const r = tryStart(base('ucast hbtsnope0 198.18.16.2'));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /hbtsnope0/);
  });

  void it('bcast on an interface without a broadcast address is refused', () => {
    const r = tryStart(base('bcast lo'));
    assert.notEqual(r.code, 0);
    assert.match(r.err, /broadcast/);
  });

  void it(
    'a disk_lock device that is not SBD-formatted: exit 6, saying how to create it',
    { skip: imageSkipReason() },
    () => {
      const img = tempImage();
      try {
        const r = tryStart(base('ucast lo 127.0.0.2'), { 'hbts.cf': `disk_lock ${img.path}\n` });
        assert.equal(r.code, 6, r.err);
        assert.match(r.err, new RegExp(`disk_lock: ${img.path} is not an SBD device: no SBD header`));
        assert.match(r.err, new RegExp(`sbd -d ${img.path} create`));
        assert.doesNotMatch(r.err, /'disk_lock' is parsed, not acted on/);
      } finally {
        img.cleanup();
      }
    },
  );

  void it('an unknown flag is a usage error', () => {
    const r = spawnSync(process.execPath, [hbtsMain, 'daemon', '--bogus'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option --bogus/);
  });
});
