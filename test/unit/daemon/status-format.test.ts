import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonStatus } from '../../../src/daemon/daemon-status.js';
import { formatStatus } from '../../../src/daemon/status-format.js';

const status = {
  pid: 42,
  node: 'node2',
  generation: 7,
  configDir: '/etc/ha.d',
  media: [
    { id: 'bcast:eth0', description: 'bcast eth0 198.18.16.255:694', sendErrors: 0 },
    {
      id: 'ucast:eth1:198.18.17.1',
      description: 'ucast eth1 198.18.17.1:694',
      sendErrors: 3,
      lastError: 'send to 198.18.17.1:694: ENETUNREACH',
    },
  ],
  cluster: {
    self: 'node2',
    nowMs: 1000,
    phase: 'stable',
    mode: 'on',
    resourceHold: 'none',
    configFingerprint: 'abc',
    configMismatch: false,
    nodes: [
      {
        name: 'node1',
        self: false,
        status: 'active',
        links: [
          { medium: 'bcast:eth0', status: 'up', lastHeardMs: 990 },
          { medium: 'ucast:eth1:198.18.17.1', status: 'dead', lastHeardMs: 10 },
          { medium: 'ucast:eth1:198.18.17.9', status: 'dead', lastHeardMs: undefined },
        ],
        lastHeardMs: 990,
        generation: 3,
        deadtimeMs: 1000,
        configFingerprint: 'abc',
        configMatches: true,
        implementation: 'hbts',
        holds: ['IPaddr2::198.18.16.210/24/eth0'],
        phase: 'stable',
      },
      {
        name: 'node2',
        self: true,
        status: 'active',
        links: [],
        lastHeardMs: 1000,
        generation: 7,
        deadtimeMs: 1000,
        configFingerprint: 'abc',
        configMatches: true,
        implementation: 'hbts',
        holds: [],
        phase: 'stable',
      },
    ],
    groups: [
      {
        id: 'IPaddr2::198.18.16.210/24/eth0',
        homeNode: 'node1',
        owners: ['node1'],
        target: 'node1',
        localState: 'stopped',
        failures: 0,
        failedOn: ['node2'],
        detail: undefined,
      },
    ],
    counters: {},
  },
  endpoint: {
    sent: 10,
    received: 20,
    rejected: { malformed: 2, 'bad-auth': 0 },
    duplicates: 9,
    lostPackets: 0,
    rexmitRequestsSent: 0,
    rexmitRequestsAnswered: 0,
    naksSent: 0,
  },
  held: { groups: [], failed: ['web'] },
  actionsInFlight: ['acquire web'],
} as unknown as DaemonStatus;

void describe('hbts status (human form)', () => {
  void it('shows nodes with per-medium links, groups with owners, media errors and counters', () => {
    const text = formatStatus(status);
    assert.match(text, /^node node2: stable, holds none \(pid 42, generation 7, auto_failback on\)\n/);
    assert.match(
      text,
      /node1 +active +bcast:eth0 up, ucast:eth1:198\.18\.17\.1 dead, ucast:eth1:198\.18\.17\.9 never heard +IPaddr2::198\.18\.16\.210\/24\/eth0\n/,
    );
    assert.match(text, /node2\* +active +\(self\) +-\n/);
    assert.match(text, /IPaddr2::198\.18\.16\.210\/24\/eth0 +node1 +node1 +stopped +failed on node2\n/);
    assert.match(
      text,
      /ucast:eth1:198\.18\.17\.1 +ucast eth1 198\.18\.17\.1:694 +3 \(send to 198\.18\.17\.1:694: ENETUNREACH\)\n/,
    );
    assert.match(text, /packets: sent 10, received 20, duplicates 9, lost 0, rejected malformed=2\n/);
    assert.match(text, /groups whose stop failed \(may still run here\): web\n/);
    assert.match(text, /in progress: acquire web\n/);
  });
});

void describe('hbts status: fencing', () => {
  void it('shows each node being fenced with state, attempts, next attempt and last error', () => {
    const s = {
      ...status,
      cluster: {
        ...status.cluster,
        nowMs: 1000,
        fencing: [
          {
            node: 'node2',
            state: 'retrying',
            attempts: 3,
            lastError: 'fence_ipmilan: exit 1',
            nextAttemptMs: 5000,
            fencedBy: undefined,
          },
          {
            node: 'node3',
            state: 'fenced',
            attempts: 1,
            lastError: undefined,
            nextAttemptMs: undefined,
            fencedBy: 'node1',
          },
        ],
        selfFenced: 'disk lock lost',
      },
    } as unknown as DaemonStatus;
    const text = formatStatus(s);
    assert.match(text, /SELF-FENCED: disk lock lost/);
    assert.match(text, /node2\s+retrying\s+3\s+in 4000 ms\s+fence_ipmilan: exit 1/);
    assert.match(text, /node3\s+fenced by node1\s+1\s+-\s+-/);
  });

  void it('notify hook counters, when hooks are configured', () => {
    const withHooks = {
      ...status,
      events: { lastSeq: 12, notify: { hooks: 2, ok: 20, failed: 1, timedOut: 1, dropped: 0, queued: 2 } },
    } as unknown as DaemonStatus;
    assert.match(
      formatStatus(withHooks),
      /^notify hooks: 2; runs ok 20, failed 1, killed at timeout 1, dropped 0, waiting 2$/m,
    );
    const none = {
      ...status,
      events: { lastSeq: 3, notify: { hooks: 0, ok: 0, failed: 0, timedOut: 0, dropped: 0, queued: 0 } },
    };
    assert.doesNotMatch(formatStatus(none as unknown as DaemonStatus), /notify hooks/);
  });
});

void describe('hbts status: ping nodes and quorum', () => {
  void it('shows each ping node with its state, whether it counts, its last answer and who reaches it; then quorum', () => {
    const c = status.cluster;
    const s = {
      ...status,
      cluster: {
        ...c,
        nowMs: 5000,
        nodes: c.nodes.map((n) => ({
          ...n,
          pingNodes: n.name === 'node1' ? ['198.18.0.254'] : [],
          quorum: true,
        })),
        pingNodes: [
          {
            name: '198.18.0.254',
            kind: 'ping',
            addresses: ['198.18.0.254'],
            status: 'dead',
            counted: false,
            lastReplyMs: 2500,
          },
          {
            name: 'gw',
            kind: 'ping_group',
            addresses: ['198.18.0.1', '198.18.0.2'],
            status: 'init',
            counted: false,
            lastReplyMs: undefined,
          },
        ],
        quorum: {
          enforced: true,
          quorate: false,
          members: ['node2'],
          configured: 3,
          needed: 2,
          reason: '1 of 3 nodes: 2 needed',
        },
      },
    } as unknown as DaemonStatus;
    const text = formatStatus(s);
    assert.match(text, /PING NODE +STATUS +COUNTS +LAST ANSWER +REACHED BY\n/);
    assert.match(text, /198\.18\.0\.254 +dead +no +2500 ms ago +node1\n/);
    assert.match(text, /gw \(198\.18\.0\.1 198\.18\.0\.2\) +init +no +never +-\n/);
    assert.match(
      text,
      /quorum: NO \(releases everything, takes nothing\): 1 of 3 nodes: 2 needed; members node2 \(2 of 3 needed\)\n/,
    );
  });

  void it('says nothing about them when none are configured (or an older daemon answers)', () => {
    const text = formatStatus(status);
    assert.doesNotMatch(text, /PING NODE|quorum:/);
  });
});
