// The summary `hbts check` prints and the JSON form of a resolved config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configToJson, describeConfig } from '../../../src/config/describe-config.js';
import { errorsOf, resolve, texts } from './config-fixtures.js';

void test('summary lists every medium kind, ping nodes with deadping, stonith, extra keys and groups in order', () => {
  const r = resolve(
    texts({
      haCf: [
        'keepalive 500ms',
        'deadtime 3',
        'baud 115200',
        'serial /dev/ttyS1',
        'mcast eth1 239.0.0.9 6940 2 1',
        'ucast eth0 198.18.0.2',
        'ping 198.18.0.254',
        'ping_group gw 198.18.0.1 198.18.0.253',
        'stonith_host node2 external/ipmi node2 198.18.0.60 admin pw',
        'auto_failback off',
        'node node1 node2',
      ].join('\n'),
      authkeys: 'auth 2\n2 md5 k\n3 md5 k\n',
      haresources: 'node2 apache\nnode1 198.18.0.100 Filesystem::/dev/sdb1::/data::ext4\n',
    }),
  );
  assert.deepEqual(errorsOf(r), []);
  assert.ok(r.config !== undefined);
  assert.equal(
    describeConfig(r.config),
    [
      'configuration in /etc/ha.d is valid for node node1',
      'cluster:        linux-ha',
      'nodes:          node1 (this node), node2',
      'media:',
      '  serial:/dev/ttyS1            serial /dev/ttyS1 at 115200 baud',
      '  mcast:eth1:239.0.0.9:6940    mcast on eth1 to 239.0.0.9, UDP port 6940, ttl 2, loop on',
      '  ucast:eth0:198.18.0.2        ucast on eth0 to 198.18.0.2, UDP port 694',
      'timing:         keepalive 500 ms, deadtime 3 s, warntime 1500 ms, initdead 12 s, deadping 3 s',
      'ping nodes:     198.18.0.254 (ping), gw (ping_group: 198.18.0.1, 198.18.0.253)',
      'ping_policy:    off: ping nodes are watched and shown, nothing moves for them',
      'quorum:         off (2 nodes, as Heartbeat: each side of a split runs every group; ping nodes do not break the tie)',
      'auto_failback:  off',
      'auth:           key 2 (md5) signs outgoing packets; also accepts keys 3',
      'stonith:        external/ipmi from node2',
      'fence timing:   delay 5 s (when the dead node ran the most groups), timeout 60 s per method',
      'resource groups (2; started in this order, stopped in reverse):',
      '  apache  home node2  (haresources line 1)',
      '      1. apache',
      '  198.18.0.100  home node1  (haresources line 2)',
      '      1. 198.18.0.100 (IPaddr)',
      '      2. Filesystem /dev/sdb1 /data ext4',
      '',
    ].join('\n'),
  );
});

void test('JSON turns Maps into objects and keeps everything else', () => {
  const r = resolve(texts());
  assert.ok(r.config !== undefined);
  const parsed = JSON.parse(configToJson(r.config)) as Record<string, unknown>;
  assert.deepEqual(parsed['auth'], {
    file: 'authkeys',
    activeIndex: 1,
    keys: { '1': { index: 1, method: 'sha1', secret: 's3cret' } },
  });
  assert.deepEqual((parsed['directives'] as Record<string, unknown>)['bcast'], ['eth0']);
  assert.equal(parsed['udpPort'], 694);
});
