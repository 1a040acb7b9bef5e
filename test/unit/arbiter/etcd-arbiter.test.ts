// The etcd client of the arbiter against a real etcd 3.4 (Debian's etcd-server) on loopback, in a
// temporary data dir, stopped by PID afterwards: two clients as two nodes; the first takes a
// group's key (its create revision is the fencing token), the second is refused and told who holds
// it; once the first gives it back the second gets it with a larger token; a stopped client's
// lease expires with its key; keepalive answers reach the core hook as "valid until send + ttl/2".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EtcdArbiter } from '../../../src/arbiter/etcd-arbiter.js';
import type { ArbiterConfig } from '../../../src/config/arbitration-config.js';
import type { GroupId } from '../../../src/config/types.js';

const ETCD = '/usr/bin/etcd';
const skip = existsSync(ETCD) ? false : "needs Debian's etcd-server (/usr/bin/etcd)";
const G = 'IPaddr2::198.18.0.200/24/eth0' as GroupId;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Node {
  arbiter: EtcdArbiter;
  leases: { id: string; validUntilMs: number; atMs: number }[];
  lost: string[];
}

void describe('etcd arbiter client against a real etcd', { skip }, () => {
  let etcd: ChildProcess;
  let dir: string;
  let config: ArbiterConfig;
  const nodes: Node[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hbts-etcd-'));
    const client = await freePort();
    const peer = await freePort();
    etcd = spawn(
      ETCD,
      [
        '--name',
        'unit',
        '--data-dir',
        join(dir, 'data'),
        '--listen-client-urls',
        `http://127.0.0.1:${client}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${client}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${peer}`,
        '--initial-cluster',
        `unit=http://127.0.0.1:${peer}`,
        '--heartbeat-interval',
        '50',
        '--election-timeout',
        '500',
        '--log-level',
        'warn',
      ],
      { stdio: 'ignore' },
    );
    config = {
      kind: 'etcd',
      endpoints: [`127.0.0.1:${client}`],
      prefix: '/hbts/unit',
      ttlMs: 2000,
      tls: undefined,
      at: { file: 'test', line: 1 },
    };
    await until(
      'etcd to answer',
      () =>
        spawnSync('etcdctl', [
          '--endpoints',
          `http://127.0.0.1:${client}`,
          '--dial-timeout=300ms',
          'endpoint',
          'health',
        ]).status === 0,
      15_000,
    );
    for (const name of ['node1', 'node2']) {
      const n: Node = { arbiter: undefined as unknown as EtcdArbiter, leases: [], lost: [] };
      n.arbiter = await EtcdArbiter.start(
        config,
        name,
        [G],
        {
          lease: (id, validUntilMs) => n.leases.push({ id, validUntilMs, atMs: performance.now() }),
          lost: (reason) => n.lost.push(reason),
          log: () => undefined,
        },
        () => performance.now(),
      );
      nodes.push(n);
    }
  });

  after(async () => {
    for (const n of nodes) await n.arbiter.close(false);
    if (etcd.pid !== undefined) process.kill(etcd.pid, 'SIGKILL');
    await new Promise((r) => (etcd.exitCode !== null ? r(undefined) : etcd.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  });

  void it('grants a lease and reports keepalive answers valid until send time + ttl/2', async () => {
    const [a, b] = nodes;
    assert.ok(a && b);
    await until('both leases', () => a.leases.length >= 3 && b.leases.length >= 1, 5000);
    for (const l of a.leases) {
      assert.ok(l.validUntilMs <= l.atMs + 1000 && l.validUntilMs > l.atMs + 1000 - 400, JSON.stringify(l));
    }
    assert.equal(new Set(a.leases.map((l) => l.id)).size, 1, 'one lease, kept alive');
    assert.notEqual(a.leases[0]?.id, b.leases[0]?.id);
  });

  void it('the key goes to one node only; the other is told who holds it; tokens grow', async () => {
    const [a, b] = nodes;
    assert.ok(a && b);
    const first = await a.arbiter.claim(G);
    assert.equal(first.ok, true, first.detail);
    const token1 = Number(a.arbiter.token(G));
    assert.ok(token1 > 0);
    assert.equal((await a.arbiter.claim(G)).ok, true, 'claiming again under the same lease is ours');
    const refused = await b.arbiter.claim(G);
    assert.equal(refused.ok, false);
    assert.match(refused.detail, /^held by node1 \(lease /);
    // node1 stops the group: no claim from it while the key is being given back, then node2 gets it
    a.arbiter.stoppingGroup(G);
    assert.match((await a.arbiter.claim(G)).detail, /still giving back/);
    await a.arbiter.stoppedGroup(G, true);
    const second = await b.arbiter.claim(G);
    assert.equal(second.ok, true, second.detail);
    assert.ok(Number(b.arbiter.token(G)) > token1, 'a later holder carries a larger fencing token');
    await until('node1 sees node2 as holder', () => a.arbiter.status().holders[G] === 'node2', 3000);
  });

  void it('a node that stops keeping its lease alive loses its key when the lease expires', async () => {
    const [a, b] = nodes;
    assert.ok(a && b);
    await b.arbiter.close(false); // no revoke: the lease must run out on its own
    const t0 = performance.now();
    let got = false;
    while (!got && performance.now() - t0 < 6000) {
      got = (await a.arbiter.claim(G)).ok;
      if (!got) await sleep(100);
    }
    const waited = performance.now() - t0;
    assert.ok(got, "node1 got the key once node2's lease expired");
    assert.ok(waited > 1000 && waited < 4500, `waited ${Math.round(waited)} ms for a 2 s lease`);
    nodes.pop();
  });

  void it("a restarted daemon's claim moves its previous run's key under its new lease, same token", async () => {
    const a = nodes.shift();
    assert.ok(a);
    const token = a.arbiter.token(G);
    assert.ok(token !== undefined, 'node1 holds the key');
    await a.arbiter.close(false); // the old lease lives on until its ttl
    const again: Node = { arbiter: undefined as unknown as EtcdArbiter, leases: [], lost: [] };
    again.arbiter = await EtcdArbiter.start(
      config,
      'node1',
      [G],
      {
        lease: (id, validUntilMs) => again.leases.push({ id, validUntilMs, atMs: performance.now() }),
        lost: (reason) => again.lost.push(reason),
        log: () => undefined,
      },
      () => performance.now(),
    );
    nodes.push(again);
    await until('a new lease', () => again.leases.length > 0, 5000);
    const out = await again.arbiter.claim(G);
    assert.equal(out.ok, true, out.detail);
    assert.equal(again.arbiter.token(G), token, 'the fencing token is unchanged');
    await sleep(2500); // the old lease expires: the key must survive under the new one
    assert.equal((await again.arbiter.claim(G)).ok, true);
    assert.equal(again.arbiter.status().holders[G], 'node1');
  });
});
