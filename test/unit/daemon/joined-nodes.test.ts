// ha.cf autojoin in the daemon: joined nodes are remembered in the state dir and come back as
// peers at the next start; `hbts status` marks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeName } from '../../../src/config/types.js';
import type { DaemonStatus } from '../../../src/daemon/daemon-status.js';
import {
  JOINED_NODES_FILE,
  readJoinedNodes,
  rememberJoinedNode,
  withJoinedNodes,
} from '../../../src/daemon/joined-nodes.js';
import { formatStatus } from '../../../src/daemon/status-format.js';
import { simClusterConfig } from '../../../src/sim/sim-config.js';

void test('joined nodes are remembered in the state dir, once each, and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-joined-'));
  try {
    assert.deepEqual(readJoinedNodes(dir), []);
    rememberJoinedNode(dir, 'node3' as NodeName);
    rememberJoinedNode(dir, 'node4' as NodeName);
    rememberJoinedNode(dir, 'node3' as NodeName);
    assert.deepEqual(readJoinedNodes(dir), ['node3', 'node4']);
    assert.match(readFileSync(join(dir, JOINED_NODES_FILE), 'utf8'), /^# nodes that joined/);
    // a hand-edited file: case, blanks, comments and junk lines
    writeFileSync(join(dir, JOINED_NODES_FILE), '# x\nNode5\n\n  node6 \nbad name\nnode5\n');
    assert.deepEqual(readJoinedNodes(dir), ['node5', 'node6']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('remembered nodes join the node list at start only with autojoin', () => {
  const base = simClusterConfig({ nodes: 2, groups: 0, keepaliveMs: 1000, deadtimeMs: 5000 });
  const remembered = ['node3', 'node2'] as NodeName[];
  assert.equal(withJoinedNodes(base, remembered), base, 'autojoin none: nothing added');
  const any = withJoinedNodes({ ...base, autojoin: 'any' }, remembered);
  assert.deepEqual(any.nodes, ['node1', 'node2', 'node3']);
  assert.deepEqual(any.joinedNodes, ['node3'], 'a node already on a node line is not "joined"');
});

void test('hbts status marks joined nodes and lists what autojoin remembers', () => {
  const node = (name: string, joined: boolean) => ({
    name,
    self: name === 'node1',
    status: 'active',
    links: [],
    lastHeardMs: 1,
    generation: 1,
    deadtimeMs: 5000,
    configFingerprint: undefined,
    configMatches: undefined,
    implementation: 'hbts',
    holds: [],
    phase: 'stable',
    ...(joined ? { joined: true } : {}),
  });
  const s = {
    pid: 1,
    node: 'node1',
    generation: 1,
    configDir: '/etc/ha.d',
    media: [],
    endpoint: { sent: 0, received: 0, duplicates: 0, lostPackets: 0, rejected: {} },
    held: { groups: [], failed: [] },
    actionsInFlight: [],
    cluster: {
      self: 'node1',
      nowMs: 10,
      phase: 'stable',
      mode: 'on',
      resourceHold: 'none',
      configFingerprint: 'abc',
      configMismatch: false,
      nodes: [node('node1', false), node('node3', true)],
      groups: [],
      fencing: [],
      selfFenced: undefined,
      counters: {},
      joinedNodes: ['node3'],
    },
  } as unknown as DaemonStatus;
  const text = formatStatus(s);
  assert.match(text, /node3 \(joined\)\s+active/);
  assert.match(text, /autojoin: joined and remembered: node3/);
});
