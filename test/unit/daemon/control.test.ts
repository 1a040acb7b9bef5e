import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { describe, it } from 'node:test';
import { parseControlRequest } from '../../../src/daemon/control-protocol.js';
import { ControlServer, controlRequest } from '../../../src/daemon/control-server.js';
import { ControlSocketError } from '../../../src/daemon/errors.js';
import { formatFields } from '../../../src/daemon/event-log.js';
import { parseArgs } from '../../../src/daemon/cli-args.js';

void describe('control protocol', () => {
  void it('parses the commands and explains bad ones', () => {
    assert.deepEqual(parseControlRequest('{"cmd":"status"}'), { cmd: 'status' });
    assert.deepEqual(parseControlRequest('{"cmd":"standby","set":"foreign"}'), {
      cmd: 'standby',
      set: 'foreign',
    });
    assert.deepEqual(parseControlRequest('{"cmd":"takeover"}'), { cmd: 'takeover', set: 'all' });
    assert.match(
      String(parseControlRequest('{"cmd":"standby","set":"some"}')),
      /set must be one of all, local, foreign/,
    );
    assert.match(String(parseControlRequest('{"cmd":"reboot"}')), /unknown cmd "reboot"/);
    assert.equal(parseControlRequest('nope'), 'not JSON');
  });

  void it('serves line-delimited JSON on a 0600 unix socket and refuses a second server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-ctl-'));
    const path = join(dir, 'hbts.sock');
    const seen: string[] = [];
    const server = await ControlServer.listen(path, (req) => {
      seen.push(req.cmd);
      return Promise.resolve({ ok: true, echo: req.cmd });
    });
    try {
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.deepEqual(await controlRequest(path, { cmd: 'status' }), { ok: true, echo: 'status' });
      // garbage gets an error reply, not a crash
      const reply = await new Promise<string>((resolve) => {
        const c = net.createConnection(path, () => c.write('{bad\n'));
        c.on('data', (b) => {
          resolve(b.toString());
          c.destroy();
        });
      });
      assert.deepEqual(JSON.parse(reply), { ok: false, error: 'not JSON' });
      await assert.rejects(
        ControlServer.listen(path, () => Promise.resolve({})),
        /another daemon answers/,
      );
      assert.deepEqual(seen, ['status']);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await assert.rejects(controlRequest(path, { cmd: 'status' }), /no daemon running/);
    // a named error that keeps the system error behind it
    const failure = await controlRequest(path, { cmd: 'status' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(failure instanceof ControlSocketError);
    assert.equal((failure.cause as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
  });
});

void describe('log line fields', () => {
  void it('formats key=value, quoting values with spaces and skipping undefined', () => {
    assert.equal(
      formatFields({ node: 'node2', medium: 'ucast:eth0:198.18.16.2', group: undefined, text: 'is dead' }),
      'node=node2 medium=ucast:eth0:198.18.16.2 text="is dead"',
    );
  });
});

void describe('cli args', () => {
  void it('parses values, flags and positionals, and rejects unknown options', () => {
    const p = parseArgs(['--run-dir', '/r', '--json', 'all', '--x=1'], {
      values: ['run-dir', 'x'],
      flags: ['json'],
    });
    assert.ok(typeof p !== 'string');
    assert.equal(p.values.get('run-dir'), '/r');
    assert.equal(p.values.get('x'), '1');
    assert.ok(p.flags.has('json'));
    assert.deepEqual(p.positional, ['all']);
    assert.equal(parseArgs(['--nope'], { values: [], flags: [] }), 'unknown option --nope');
    assert.equal(parseArgs(['--run-dir'], { values: ['run-dir'], flags: [] }), '--run-dir needs a value');
  });
});
