// The etcd lease arbiter modelled (sim-arbiter.ts: a linearizable lease service with its own
// partitions, lease expiry on the service's clock): never two holders at any moment, partitioned or
// not, under crashes, restarts, heartbeat partitions, nodes cut from the arbiter, the arbiter cut
// from everyone, pauses shorter and longer than the lease, standby/takeover and failing starts;
// fencing tokens only grow; and every group runs once after the heal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../src/sim/scenarios.js';
import { assertNoViolations, runSeeds } from './helpers.js';

void test('arbiter: never two holders, growing fencing tokens, then convergence, 500 seeds', () => {
  assertNoViolations(runSeeds('arbiter', 500));
});

void test('arbiter: the scenario really exercises the lease (keys refused, leases lost, groups released for it)', () => {
  let refused = 0;
  let lost = 0;
  let releasedForLease = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = runScenario('arbiter', seed, { trace: true });
    for (const line of r.trace) {
      if (/gate-refused: arbiter refused the key/.test(line)) refused++;
      if (/crit arbiter: no keepalive answer/.test(line)) lost++;
      if (/releasing group .*\(arbiter: /.test(line)) releasedForLease++;
    }
  }
  assert.ok(refused > 20, `keys refused: ${refused}`);
  assert.ok(lost > 10, `leases lost: ${lost}`);
  assert.ok(releasedForLease > 5, `groups released for a lost lease: ${releasedForLease}`);
});
