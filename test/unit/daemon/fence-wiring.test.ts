// The daemon's fencing plumbing: the driver answers the core's `fence` action with an
// action-result like any other action, the fence runner's outcome becomes that result (and the
// log), and the control socket's `fence-confirmed` is checked, logged at crit and handed to the core.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AdminCommand, ClusterStatus, Input, Output } from '../../../src/cluster/types.js';
import type { GroupId, NodeName } from '../../../src/config/types.js';
import { parseControlRequest } from '../../../src/daemon/control-protocol.js';
import { Driver, type ActionOutcome, type ActionRunner } from '../../../src/daemon/driver.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import { confirmFenced, withFencing } from '../../../src/daemon/fence-wiring.js';
import type { FenceAction, FenceRunner } from '../../../src/fencing/fence-runner.js';

const N2 = 'node2' as NodeName;
const clock = { nowMs: () => performance.now() };
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const fenceOnce = (): { inputs: Input[]; step(input: Input): Output; status(): ClusterStatus } => {
  const inputs: Input[] = [];
  return {
    inputs,
    step(input) {
      inputs.push(input);
      const actions =
        inputs.length === 1 ? [{ kind: 'fence' as const, id: 3, node: N2, reason: 'node2 is dead' }] : [];
      return { packets: [], actions, events: [], wakeAtMs: Infinity, stopped: false };
    },
    status: () => {
      throw new Error('not used');
    },
  };
};

const groupRunner: ActionRunner = {
  acquire: () => Promise.resolve({ ok: true }),
  release: () => Promise.resolve({ ok: true }),
  probe: () => Promise.resolve({ ok: true }),
  gate: (_g: GroupId) => Promise.resolve({ ok: true }),
};

function withLog<T>(body: (log: EventLog, lines: () => string[]) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-fencelog-'));
  const file = join(dir, 'ha-log');
  const log = new EventLog('node1', { logfile: file, stderr: false, debug: false });
  const lines = (): string[] => {
    try {
      return readFileSync(file, 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return body(log, lines).finally(() => {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

void describe('fencing in the daemon', () => {
  void it('the driver runs a fence action and feeds its outcome back as the action result', async () => {
    await withLog(async (log, lines) => {
      const asked: string[] = [];
      const fencer: FenceRunner = {
        fence: (node: NodeName, action: FenceAction) => {
          asked.push(`${node} ${action}`);
          return Promise.resolve({
            ok: true,
            detail: 'fence_x off: exit 0; confirmed',
            method: 'fence_x (hbts.cf:1)',
          });
        },
      };
      const core = fenceOnce();
      const done: string[] = [];
      const d = new Driver(
        core,
        { send: () => {} },
        withFencing(groupRunner, fencer, log),
        { onEvent: () => {}, onActionDone: (a, o) => done.push(`${a.kind}:${o.ok}`), onStopped: () => {} },
        clock,
      );
      d.start();
      assert.equal(d.inFlight.get(3)?.kind, 'fence');
      await settle(20);
      assert.deepEqual(asked, ['node2 off']);
      const result = core.inputs.find((i) => i.kind === 'action-result');
      assert.deepEqual(result?.kind === 'action-result' ? [result.actionId, result.ok, result.detail] : [], [
        3,
        true,
        'fence_x off: exit 0; confirmed',
      ]);
      assert.deepEqual(done, ['fence:true']);
      assert.match(lines()[0] ?? '', /warn: fencing node node=node2 reason="node2 is dead"$/);
      assert.match(lines()[1] ?? '', /warn: node fenced node=node2 method="fence_x \(hbts\.cf:1\)"/);
      d.halt();
    });
  });

  void it('without a fence runner the fence action fails: no takeover on an unfenced node', async () => {
    const core = fenceOnce();
    const d = new Driver(
      core,
      { send: () => {} },
      groupRunner,
      { onEvent: () => {}, onActionDone: () => {}, onStopped: () => {} },
      clock,
    );
    d.start();
    await settle(10);
    const result = core.inputs.find((i) => i.kind === 'action-result');
    assert.deepEqual(result?.kind === 'action-result' ? [result.ok, result.detail] : [], [
      false,
      'this daemon has no fencing runner',
    ]);
    d.halt();
  });

  void it('a failed fence is logged as an error with what the agent said', async () => {
    await withLog(async (log, lines) => {
      const fencer: FenceRunner = {
        fence: () =>
          Promise.resolve({
            ok: false,
            detail: 'fence_x off: exit 1: Connection timed out',
            method: 'fence_x',
          }),
      };
      const out: ActionOutcome | undefined = await withFencing(groupRunner, fencer, log).fence?.(N2, 'dead');
      assert.deepEqual(out, { ok: false, detail: 'fence_x off: exit 1: Connection timed out' });
      assert.match(
        lines()[1] ?? '',
        /error: fence failed node=node2 method=fence_x detail="fence_x off: exit 1: Connection timed out"/,
      );
    });
  });

  void it('--confirm-off: parsed from the socket, checked, logged at crit, handed to the core', async () => {
    assert.deepEqual(parseControlRequest('{"cmd":"fence-confirmed","node":"node2"}'), {
      cmd: 'fence-confirmed',
      node: 'node2',
    });
    assert.equal(
      parseControlRequest('{"cmd":"fence-confirmed"}'),
      'fence-confirmed needs "node": a node name',
    );
    await withLog((log, lines) => {
      const admin: AdminCommand[] = [];
      const ctx = {
        nodes: ['node1', 'node2'] as NodeName[],
        self: 'node1',
        log,
        admin: (c: AdminCommand) => admin.push(c),
      };
      assert.deepEqual(confirmFenced('NODE2', ctx), {
        ok: true,
        message: 'node2 recorded as fenced by hand; its groups may now be taken over',
      });
      assert.deepEqual(admin, [{ kind: 'fence-confirmed', node: 'node2' }]);
      assert.match(
        lines()[0] ?? '',
        /crit: operator confirms the node is off \(hbts fence --confirm-off\); it counts as fenced node=node2$/,
      );
      assert.deepEqual(confirmFenced('node1', ctx), {
        ok: false,
        error: "'node1' is this node: confirm it from another node",
      });
      assert.deepEqual(confirmFenced('node9', ctx), {
        ok: false,
        error: "'node9' is not a node of this cluster (node1, node2)",
      });
      assert.equal(admin.length, 1);
      return Promise.resolve();
    });
  });
});
