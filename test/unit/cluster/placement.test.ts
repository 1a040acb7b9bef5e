import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderFromHome, placeGroup } from '../../../src/cluster/placement.js';
import type { PlacementView } from '../../../src/cluster/placement.js';
import type { GroupId, NodeName } from '../../../src/config/types.js';

const [A, B, C, D] = ['a', 'b', 'c', 'd'] as NodeName[] as [NodeName, NodeName, NodeName, NodeName];
const G = 'IPaddr::198.18.0.100' as GroupId;

function view(
  candidates: NodeName[],
  facts: {
    holders?: NodeName[];
    claimers?: NodeName[];
    decliners?: NodeName[];
    failedOn?: NodeName[];
    handoffs?: NodeName[];
  } = {},
): PlacementView {
  const set = (xs: NodeName[] | undefined) => () => new Set(xs ?? []);
  return {
    nodes: [A, B, C, D],
    candidates: new Set(candidates),
    holders: set(facts.holders),
    claimers: set(facts.claimers),
    decliners: set(facts.decliners),
    failedOn: set(facts.failedOn),
    handoffs: set(facts.handoffs),
  };
}

void test('order from home wraps around ha.cf node order', () => {
  assert.deepEqual(orderFromHome([A, B, C, D], C), [C, D, A, B]);
});

void test('nobody holds it: the home node, else the first live node after it', () => {
  assert.equal(placeGroup(G, B, view([A, B, C, D])), B);
  assert.equal(placeGroup(G, B, view([A, C, D])), C);
  assert.equal(placeGroup(G, D, view([B, C])), B);
  assert.equal(placeGroup(G, D, view([])), undefined);
});

void test('a live holder keeps it (auto_failback off semantics), a claimer gets it', () => {
  assert.equal(placeGroup(G, A, view([A, B, C], { holders: [C] })), C);
  assert.equal(placeGroup(G, A, view([A, B, C], { holders: [C], claimers: [A] })), A);
});

void test('two holders after a partition: the one first from home keeps it', () => {
  assert.equal(placeGroup(G, B, view([A, B, C, D], { holders: [A, D] })), D);
  assert.equal(placeGroup(G, A, view([A, B, C, D], { holders: [A, D] })), A);
});

void test('standby nodes are skipped unless nobody else is left', () => {
  assert.equal(placeGroup(G, A, view([A, B], { holders: [A], decliners: [A] })), B);
  assert.equal(placeGroup(G, A, view([A], { holders: [A], decliners: [A] })), A);
});

void test('a node where the group failed to start is never chosen', () => {
  assert.equal(placeGroup(G, A, view([A, B, C], { failedOn: [A] })), B);
  assert.equal(placeGroup(G, A, view([A, B], { failedOn: [A, B] })), undefined);
});

void test('a view that knows one more live node either picks it or agrees', () => {
  // Safety argument of the rule: b sees {b,c}; c also sees a (not yet dead to c).
  for (const home of [A, B, C, D]) {
    const small = placeGroup(G, home, view([B, C]));
    const large = placeGroup(G, home, view([A, B, C]));
    assert.ok(large === A || large === small, `home ${home}: ${String(small)} vs ${String(large)}`);
  }
});

void test("a holder's announced handoff wins over a claim a third node may not have seen yet", () => {
  assert.equal(placeGroup(G, D, view([A, B, C, D], { handoffs: [A], claimers: [C] })), A);
  // ...unless the target cannot take it.
  assert.equal(placeGroup(G, D, view([B, C, D], { handoffs: [A], claimers: [C] })), C);
  assert.equal(placeGroup(G, D, view([A, B, C, D], { handoffs: [A], failedOn: [A] })), D);
});

void test('a handoff no longer matters once somebody runs the group', () => {
  assert.equal(placeGroup(G, A, view([A, B, C], { handoffs: [C], holders: [A, B] })), A);
});
