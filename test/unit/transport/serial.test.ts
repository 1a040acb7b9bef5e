import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MediumId } from '../../../src/config/types.js';
import { SerialFramer } from '../../../src/transport/serial-framing.js';
import { openSerial } from '../../../src/transport/serial.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const at = { file: 'ha.cf', line: 1 };

void describe('serial framing', () => {
  void it('extracts >>> .. <<< frames across arbitrary chunk boundaries and skips noise', () => {
    const f = new SerialFramer();
    const stream = 'noise\n>>>\nt=status\nsrc=a\n<<<\ngarbage>>>\n>>>\nt=x\n<<<\n';
    const frames: string[] = [];
    for (let i = 0; i < stream.length; i += 3) {
      for (const fr of f.push(Buffer.from(stream.slice(i, i + 3), 'latin1')))
        frames.push(Buffer.from(fr).toString('latin1'));
    }
    assert.deepEqual(frames, ['>>>\nt=status\nsrc=a\n<<<\n', '>>>\nt=x\n<<<\n']);
  });

  void it('restarts on a second >>> inside a frame (a cut-off message)', () => {
    const f = new SerialFramer();
    const frames = f.push(Buffer.from('>>>\nt=cut\n>>>\nt=whole\n<<<\n'));
    assert.deepEqual(
      frames.map((b) => Buffer.from(b).toString()),
      ['>>>\nt=whole\n<<<\n'],
    );
  });
});

void describe('serial over a socat pty pair', { skip: hasSocat ? false : 'socat not installed' }, () => {
  void it('carries frames both ways at 19200 baud', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-serial-'));
    const a = join(dir, 'ttyA');
    const b = join(dir, 'ttyB');
    const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
      stdio: 'ignore',
    });
    try {
      const end = Date.now() + 3000;
      while (!(existsSync(a) && existsSync(b))) {
        if (Date.now() > end) throw new Error('socat did not create the ptys');
        await new Promise((r) => setTimeout(r, 20));
      }
      const gotA: string[] = [];
      const gotB: string[] = [];
      const errors: string[] = [];
      const h = (sink: string[]) => ({
        onPacket: (_m: MediumId, bytes: Uint8Array) => sink.push(Buffer.from(bytes).toString('latin1')),
        onError: (_m: MediumId, msg: string) => errors.push(msg),
      });
      const ta = await openSerial(
        { kind: 'serial', id: `serial:${a}` as MediumId, device: a, baud: 19200, at },
        { handlers: h(gotA) },
      );
      const tb = await openSerial(
        { kind: 'serial', id: `serial:${b}` as MediumId, device: b, baud: 19200, at },
        { handlers: h(gotB) },
      );
      try {
        // bigger than one 512-byte fragment, to exercise fragmenting
        const long = '>>>\nt=status\n' + `pad=${'x'.repeat(700)}\n` + '<<<\n';
        ta.send(Buffer.from(long, 'latin1'));
        tb.send(Buffer.from('>>>\nt=back\n<<<\n'));
        const until = Date.now() + 3000;
        while (gotB.length < 1 || gotA.length < 1) {
          if (Date.now() > until) throw new Error(`timeout; errors: ${errors.join('; ')}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(gotB[0], long);
        assert.equal(gotA[0], '>>>\nt=back\n<<<\n');
      } finally {
        await ta.close();
        await tb.close();
      }
    } finally {
      socat.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('refuses a device that does not exist', async () => {
    await assert.rejects(
      openSerial(
        {
          kind: 'serial',
          id: 'serial:/dev/nonexistent-hbts' as MediumId,
          device: '/dev/nonexistent-hbts',
          baud: 19200,
          at,
        },
        { handlers: { onPacket: () => {}, onError: () => {} } },
      ),
      /cannot open \/dev\/nonexistent-hbts/,
    );
  });
});
