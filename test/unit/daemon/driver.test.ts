import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupId, MediumId } from '../../../src/config/types.js';
import type { Action, ClusterStatus, Input, Output } from '../../../src/cluster/types.js';
import type { ActionOutcome, ActionRunner } from '../../../src/daemon/driver.js';
import { Driver } from '../../../src/daemon/driver.js';

const g = (s: string): GroupId => s as GroupId;
const m = (s: string): MediumId => s as MediumId;

function out(partial: Partial<Output>): Output {
  return { packets: [], actions: [], events: [], wakeAtMs: Infinity, stopped: false, ...partial };
}

/** A scripted core: answers each input with the next queued output (or an empty one). */
class ScriptedCore {
  readonly inputs: Input[] = [];
  constructor(private readonly reply: (input: Input, n: number) => Output) {}
  step(input: Input): Output {
    this.inputs.push(input);
    return this.reply(input, this.inputs.length);
  }
  status(): ClusterStatus {
    throw new Error('not used');
  }
}

function runner(
  results: Partial<Record<Action['kind'], ActionOutcome>> = {},
): ActionRunner & { calls: string[] } {
  const calls: string[] = [];
  const r = (kind: Action['kind'], group: GroupId): Promise<ActionOutcome> => {
    calls.push(`${kind} ${group}`);
    return new Promise((res) => setTimeout(() => res(results[kind] ?? { ok: true }), 5));
  };
  return {
    calls,
    acquire: (group) => r('acquire', group),
    release: (group) => r('release', group),
    probe: (group) => r('probe', group),
    gate: (group) => r('gate', group),
  };
}

const clock = { nowMs: () => performance.now() };
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void describe('Driver', () => {
  void it('sends each packet on the media it names, or on every medium when it names none', () => {
    const sent: string[] = [];
    const core = new ScriptedCore(() =>
      out({
        packets: [
          { bytes: Buffer.from('all') },
          { bytes: Buffer.from('one'), media: [m('ucast:eth1:198.18.17.2')] },
        ],
      }),
    );
    const d = new Driver(
      core,
      { send: (medium, bytes) => sent.push(`${medium ?? '*'}=${Buffer.from(bytes).toString()}`) },
      runner(),
      { onEvent: () => {}, onActionDone: () => {}, onStopped: () => {} },
      clock,
    );
    d.start();
    assert.deepEqual(sent, ['*=all', 'ucast:eth1:198.18.17.2=one']);
    assert.equal(core.inputs[0]?.kind, 'timer');
    d.halt();
  });

  void it('runs actions and feeds their results back with the same id', async () => {
    const core: ScriptedCore = new ScriptedCore((input, n) =>
      input.kind === 'timer' && n === 1
        ? out({
            actions: [
              { kind: 'acquire', id: 7, group: g('web'), reason: 'placement' },
              { kind: 'probe', id: 8, group: g('db') },
            ],
          })
        : out({}),
    );
    const r = runner({ probe: { ok: false, detail: 'not running' } });
    const done: string[] = [];
    const d = new Driver(
      core,
      { send: () => {} },
      r,
      { onEvent: () => {}, onActionDone: (a, o) => done.push(`${a.kind}:${o.ok}`), onStopped: () => {} },
      clock,
    );
    d.start();
    assert.equal(d.inFlight.size, 2);
    await settle(30);
    const results = core.inputs.filter((i) => i.kind === 'action-result');
    assert.deepEqual(
      results.map((i) => (i.kind === 'action-result' ? [i.actionId, i.ok, i.detail] : [])).sort(),
      [
        [7, true, undefined],
        [8, false, 'not running'],
      ],
    );
    assert.deepEqual(r.calls.sort(), ['acquire web', 'probe db']);
    assert.equal(d.inFlight.size, 0);
    assert.deepEqual(done.sort(), ['acquire:true', 'probe:false']);
    d.halt();
  });

  void it('keeps exactly one timer armed, at the latest wakeAtMs asked for', async () => {
    const t0 = performance.now();
    let n = 0;
    const core = new ScriptedCore((input) => {
      n++;
      // first answer: wake in 200 ms; the packet input moves it to 20 ms; the timer then stops
      if (input.kind === 'timer' && n === 1) return out({ wakeAtMs: t0 + 200 });
      if (input.kind === 'packet') return out({ wakeAtMs: t0 + 20 });
      return out({ wakeAtMs: Infinity });
    });
    const d = new Driver(
      core,
      { send: () => {} },
      runner(),
      { onEvent: () => {}, onActionDone: () => {}, onStopped: () => {} },
      clock,
    );
    d.start();
    d.packet(m('bcast:eth0'), Buffer.from('x'));
    await settle(80);
    const timers = core.inputs.filter((i) => i.kind === 'timer');
    assert.equal(
      timers.length,
      2,
      'the start kick and one wake-up at +20 ms; the +200 ms timer was replaced',
    );
    assert.ok((timers[1]?.nowMs ?? 0) - t0 >= 19);
    await settle(200);
    assert.equal(core.inputs.filter((i) => i.kind === 'timer').length, 2);
    d.halt();
  });

  void it('reports stopped once and ignores inputs afterwards', () => {
    let stopped = 0;
    const core = new ScriptedCore((input) => out({ stopped: input.kind === 'admin' }));
    const d = new Driver(
      core,
      { send: () => {} },
      runner(),
      { onEvent: () => {}, onActionDone: () => {}, onStopped: () => stopped++ },
      clock,
    );
    d.start();
    d.admin({ kind: 'shutdown' });
    d.packet(m('bcast:eth0'), Buffer.from('late'));
    assert.equal(stopped, 1);
    assert.equal(d.isStopped(), true);
    assert.deepEqual(
      core.inputs.map((i) => i.kind),
      ['timer', 'admin'],
    );
  });

  void it('turns a runner that throws into a failed result instead of crashing', async () => {
    const core = new ScriptedCore((input, n) =>
      n === 1 ? out({ actions: [{ kind: 'release', id: 1, group: g('web'), reason: 'standby' }] }) : out({}),
    );
    const bad: ActionRunner = {
      acquire: () => Promise.reject(new Error('boom')),
      release: () => Promise.reject(new Error('boom')),
      probe: () => Promise.reject(new Error('boom')),
      gate: () => Promise.reject(new Error('boom')),
    };
    const d = new Driver(
      core,
      { send: () => {} },
      bad,
      { onEvent: () => {}, onActionDone: () => {}, onStopped: () => {} },
      clock,
    );
    d.start();
    await settle(10);
    const r = core.inputs.find((i) => i.kind === 'action-result');
    assert.ok(r?.kind === 'action-result' && !r.ok && /boom/.test(r.detail ?? ''));
    d.halt();
  });

  void it('survives a core that throws on one input and keeps serving the next', () => {
    const errors: string[] = [];
    const core = new ScriptedCore((input) => {
      if (input.kind === 'packet') throw new Error('core bug');
      return out({ packets: [{ bytes: Buffer.from('hb') }] });
    });
    const sent: string[] = [];
    const d = new Driver(
      core,
      { send: (_m, b) => sent.push(Buffer.from(b).toString()) },
      runner(),
      {
        onEvent: () => {},
        onActionDone: () => {},
        onStopped: () => {},
        onCoreError: (input, err) => errors.push(`${input.kind}: ${String(err)}`),
      },
      clock,
    );
    d.start();
    d.packet(m('bcast:eth0'), Buffer.from('x'));
    d.admin({ kind: 'standby', set: 'all' });
    assert.deepEqual(errors, ['packet: Error: core bug']);
    assert.deepEqual(sent, ['hb', 'hb']);
    d.halt();
  });
});
