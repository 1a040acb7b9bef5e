// Cluster messages are decoded once, into typed values; a message whose fields do not parse is
// dropped whole and counted, never half-applied. Broken core invariants throw (tests, simulator)
// or are logged at crit and skipped (daemon).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterNode } from '../../../src/cluster/node.js';
import { ClusterInvariantError } from '../../../src/cluster/errors.js';
import { decodeClusterMessage } from '../../../src/cluster/wire-decode.js';
import type { Message } from '../../../src/protocol/message.js';
import { PlainEndpoint } from '../../../src/sim/plain-endpoint.js';
import { Prng } from '../../../src/sim/prng.js';
import { FakePeer, Harness, N1, N2, config } from './helpers.js';

function msg(fields: Record<string, string>): Message {
  return {
    fields: Object.entries(fields).map(([name, value]) => ({ name, type: 'string' as const, value })),
  };
}

void describe('decodeClusterMessage', () => {
  void it('decodes a status heartbeat with its advert into typed fields', () => {
    const d = decodeClusterMessage(
      msg({
        t: 'status',
        st: 'active',
        dt: '1f4',
        hbts_cfg: 'abc',
        hbts_phase: 'stable',
        hbts_held: 'web db',
        hbts_handoff: 'node2=web',
      }),
      'status',
    );
    assert.ok(d.ok);
    assert.equal(d.message.kind, 'status');
    if (d.message.kind !== 'status') return;
    assert.equal(d.message.st, 'active');
    assert.equal(d.message.deadtimeMs, 500);
    assert.deepEqual(d.message.advert?.held, ['web', 'db']);
    assert.equal(d.message.advert?.handoffs.get('web' as never), 'node2');
  });

  void it('a real Heartbeat status (no hbts fields) has no advert', () => {
    const d = decodeClusterMessage(msg({ t: 'status', st: 'up', dt: '2710' }), 'status');
    assert.ok(d.ok && d.message.kind === 'status' && d.message.advert === undefined);
  });

  void it('requests default to rsc_hold=all when the field is absent, as Heartbeat does', () => {
    const d = decodeClusterMessage(msg({ t: 'hb_takeover' }), 'hb_takeover');
    assert.ok(d.ok && d.message.kind === 'hb_takeover' && d.message.hold === 'all');
  });

  for (const [what, fields, type, reason] of [
    ['a non-hex dt', { t: 'status', st: 'up', dt: 'zz' }, 'status', /dt=zz/],
    ['an unknown status word', { t: 'status', st: 'sleepy' }, 'status', /st=sleepy/],
    [
      'an unknown hbts_phase',
      { t: 'status', st: 'up', hbts_cfg: 'a', hbts_phase: 'dancing' },
      'status',
      /hbts_phase/,
    ],
    [
      'a handoff that is not node=group',
      { t: 'status', hbts_cfg: 'a', hbts_handoff: 'node2web' },
      'status',
      /node=group/,
    ],
    ['an unknown rsc_hold', { t: 'resource', rsc_hold: 'some' }, 'resource', /rsc_hold=some/],
    ['an ip-request without ipaddr', { t: 'ip-request' }, 'ip-request', /no ipaddr/],
    ['an ip-request-resp without ipaddr', { t: 'ip-request-resp', ok: 'OK' }, 'ip-request-resp', /no ipaddr/],
  ] as const) {
    void it(`rejects ${what}`, () => {
      const d = decodeClusterMessage(msg(fields), type);
      assert.equal(d.ok, false);
      if (!d.ok) assert.match(d.reason, reason);
    });
  }
});

void describe('malformed messages in the core', () => {
  void it('are dropped whole and counted: a bad heartbeat neither changes facts nor counts as a heartbeat', () => {
    const h = new Harness(config());
    const peer = new FakePeer(N2);
    h.answerProbes(h.timer(0), 1);
    const before = h.node.status().counters;
    const out = h.packet(
      10,
      peer.send({
        t: 'status',
        st: 'active',
        dt: 'nope',
        hbts_cfg: 'x',
        hbts_phase: 'stable',
        hbts_held: 'g',
      }),
    );
    const after = h.node.status().counters;
    assert.equal(after.malformed, before.malformed + 1);
    assert.equal(after.rejected, before.rejected + 1);
    assert.equal(after.heartbeatsIn, before.heartbeatsIn);
    assert.ok(out.events.some((e) => e.kind === 'malformed' && e.node === N2 && /dt=nope/.test(e.text)));
    assert.equal(h.node.status().nodes.find((n) => n.name === N2)?.configFingerprint, undefined);
  });
});

void describe('core invariants', () => {
  function core(invariants: 'throw' | 'log'): ClusterNode {
    return new ClusterNode({
      config: config(),
      self: N1,
      endpoint: new PlainEndpoint(N1, 7),
      random: new Prng(1),
      nowMs: 0,
      wallClockOffsetMs: 0,
      invariants,
    });
  }

  void it('a result for an action that is not pending throws in tests and the simulator', () => {
    const node = core('throw');
    node.step({ kind: 'timer', nowMs: 0 });
    assert.throws(
      () => node.step({ kind: 'action-result', nowMs: 1, actionId: 999, ok: true }),
      (err: unknown) =>
        err instanceof ClusterInvariantError && /action 999, which is not pending/.test(err.message),
    );
  });

  void it('the same result twice: the second breaks the invariant', () => {
    const node = core('throw');
    const out = node.step({ kind: 'timer', nowMs: 0 });
    const probe = out.actions.find((a) => a.kind === 'probe');
    assert.ok(probe);
    node.step({ kind: 'action-result', nowMs: 1, actionId: probe.id, ok: false });
    assert.throws(
      () => node.step({ kind: 'action-result', nowMs: 2, actionId: probe.id, ok: false }),
      ClusterInvariantError,
    );
  });

  void it('in the daemon (log mode) it is a crit event, counted, and the node keeps running', () => {
    const node = core('log');
    node.step({ kind: 'timer', nowMs: 0 });
    const out = node.step({ kind: 'action-result', nowMs: 1, actionId: 999, ok: true });
    const e = out.events.find((x) => x.kind === 'invariant-broken');
    assert.equal(e?.level, 'crit');
    assert.equal(node.status().counters.invariantsBroken, 1);
    assert.ok(Number.isFinite(node.step({ kind: 'timer', nowMs: 50 }).wakeAtMs));
  });
});
