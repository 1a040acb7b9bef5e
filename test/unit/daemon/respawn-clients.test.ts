// Heartbeat's respawn clients run by the daemon: as the line's user, with the HA_* environment,
// restarted when they exit, not after exit code 100, given up after more than 10 quick restarts;
// the ipfail line is not run (the daemon does its job); stop() ends them by PID.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ClientProgram } from '../../../src/config/program-config.js';
import type { ClusterConfig } from '../../../src/config/types.js';
import { RespawnClients, lookupUser, respawnedClients } from '../../../src/daemon/respawn-clients.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';

const at = { file: 'ha.cf', line: 1 };
const me = userInfo().username;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function configWith(clients: ClientProgram[]): ClusterConfig {
  return { ...simClusterConfig({ nodes: 2, keepaliveMs: 100, deadtimeMs: 500 }), clients };
}

function script(dir: string, name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const lines = (file: string): string[] => {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
};

void describe('respawn clients', () => {
  void it('looks users up in passwd; the ipfail line is not among the clients run', () => {
    assert.deepEqual(lookupUser('root'), { uid: 0, gid: 0 });
    assert.equal(lookupUser('no-such-user-hbts'), undefined);
    const c = configWith([
      { kind: 'respawn', user: 'hacluster', path: '/usr/lib/heartbeat/ipfail', args: [], at },
      { kind: 'respawn', user: me, path: '/bin/true', args: [], at },
      { kind: 'failfast', user: me, path: '/bin/true', args: [], at },
    ]);
    assert.deepEqual(
      respawnedClients(c).map((x) => x.path),
      ['/bin/true'],
    );
  });

  void it('runs the client with HA_ variables, restarts it when it exits, and not after exit code 100', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-respawn-'));
    try {
      const runs = join(dir, 'runs');
      const stops = join(dir, 'stops');
      // first two runs exit 1 at once, the third exits 100: never started again
      const flaky = script(
        dir,
        'flaky',
        `echo "$HA_CURHOST $1" >> ${runs}\nn=$(wc -l < ${runs})\n[ "$n" -ge 3 ] && exit 100\nexit 1`,
      );
      const steady = script(
        dir,
        'steady',
        `trap 'echo stopped >> ${stops}; exit 0' TERM\nwhile :; do sleep 0.05; done`,
      );
      const logs: string[] = [];
      const clients = RespawnClients.start({
        config: configWith([
          { kind: 'respawn', user: me, path: flaky, args: ['arg1'], at },
          { kind: 'respawn', user: me, path: steady, args: [], at },
        ]),
        self: 'node1',
        restartDelayMs: 50,
        log: (_l, text, f) => logs.push(`${text} ${JSON.stringify(f ?? {})}`),
      });
      await sleep(800);
      assert.deepEqual(lines(runs), ['node1 arg1', 'node1 arg1', 'node1 arg1']);
      assert.ok(logs.some((l) => l.includes('exited with 100: not respawned')));
      await clients.stop();
      assert.deepEqual(lines(stops), ['stopped'], 'the running client got SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('a client that keeps dying within 30 s is given up after 10 restarts ("respawning too fast")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hbts-respawn-'));
    try {
      const runs = join(dir, 'runs');
      const dying = script(dir, 'dying', `echo x >> ${runs}\nexit 3`);
      const logs: string[] = [];
      const clients = RespawnClients.start({
        config: configWith([{ kind: 'respawn', user: me, path: dying, args: [], at }]),
        self: 'node1',
        restartDelayMs: 10,
        log: (level, text) => logs.push(`${level} ${text}`),
      });
      await sleep(1500);
      await clients.stop();
      assert.equal(lines(runs).length, 11);
      assert.ok(logs.includes('crit respawn client respawning too fast: left dead'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('a user unknown here is logged and its client not started', async () => {
    const logs: string[] = [];
    const clients = RespawnClients.start({
      config: configWith([{ kind: 'respawn', user: 'no-such-user-hbts', path: '/bin/true', args: [], at }]),
      self: 'node1',
      log: (level, text) => logs.push(`${level} ${text}`),
    });
    await clients.stop();
    assert.deepEqual(logs, ['error respawn client not started: unknown user']);
  });
});
