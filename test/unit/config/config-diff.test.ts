// src/config/config-diff.ts: what a reload changes, sorted into what a running daemon applies and
// what waits for a restart. Includes the two settings the old restart check missed (udpport, msgfmt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDiff, diffConfigs, diffIsEmpty } from '../../../src/config/config-diff.js';
import type { ClusterConfig } from '../../../src/config/types.js';
import { errorsOf, resolve, texts, withHaCf } from './config-fixtures.js';

function configOf(t: Parameters<typeof resolve>[0]): ClusterConfig {
  const r = resolve(t, 'node1');
  assert.deepEqual(errorsOf(r), []);
  assert.ok(r.config !== undefined);
  return r.config;
}
const BASE = (): ClusterConfig => configOf(texts());
const haCf = (from: string, to: string): ClusterConfig =>
  configOf(texts({ haCf: texts().haCf.replace(from, to) }));

void test('config diff: nothing for the same files or for logging only', () => {
  assert.ok(diffIsEmpty(diffConfigs(BASE(), BASE())));
  assert.ok(diffIsEmpty(diffConfigs(BASE(), configOf(withHaCf('logfile /var/log/ha-log', 'debug 1')))));
});

void test('config diff: timings, with their old and new values', () => {
  const d = diffConfigs(BASE(), haCf('deadtime 10', 'deadtime 15'));
  assert.deepEqual(d.timings, [{ name: 'deadtime', fromMs: 10_000, toMs: 15_000 }]);
  assert.deepEqual(describeDiff(d), ['deadtime 10000 ms -> 15000 ms']);
  assert.deepEqual(d.needRestart, []);
});

void test('config diff: nodes added and removed', () => {
  const d = diffConfigs(BASE(), haCf('node node1 node2', 'node node1 node3'));
  assert.deepEqual(d.nodesAdded, ['node3']);
  assert.deepEqual(d.nodesRemoved, ['node2']);
});

void test('config diff: udpport reopens the media on the new port (the old restart check missed it)', () => {
  const d = diffConfigs(BASE(), haCf('udpport 694', 'udpport 695'));
  assert.deepEqual(d.mediaAdded, ['bcast:eth0']);
  assert.deepEqual(d.mediaRemoved, ['bcast:eth0']);
  assert.ok(describeDiff(d).includes('medium reopened with new settings: bcast:eth0'));
  const added = diffConfigs(BASE(), configOf(withHaCf('bcast eth1')));
  assert.deepEqual(added.mediaAdded, ['bcast:eth1']);
  assert.deepEqual(added.mediaRemoved, []);
});

void test('config diff: msgfmt waits for a restart (the old restart check missed it)', () => {
  const d = diffConfigs(BASE(), configOf(withHaCf('msgfmt netstring')));
  assert.deepEqual(d.needRestart, ['msgfmt']);
  assert.ok(!diffIsEmpty(d));
  assert.match(describeDiff(d).join('\n'), /next restart: msgfmt/);
});

void test('config diff: fencing waits for a restart; moving a line is no change', () => {
  const d = diffConfigs(BASE(), configOf(withHaCf('fence node2 fence_ipmilan ip=198.18.0.52')));
  assert.deepEqual(d.needRestart, ['fencing']);
});

void test('config diff: auth keys, a second key or another active one', () => {
  assert.ok(diffConfigs(BASE(), configOf(texts({ authkeys: 'auth 1\n1 sha1 another\n' }))).authChanged);
  assert.ok(
    diffConfigs(BASE(), configOf(texts({ authkeys: 'auth 1\n1 sha1 s3cret\n2 sha1 next\n' }))).authChanged,
  );
  assert.ok(!diffConfigs(BASE(), BASE()).authChanged);
});

void test('config diff: groups added, removed, changed by their first resource; order alone is no change', () => {
  const two = 'node1 198.18.0.100 apache\nnode2 198.18.0.101\n';
  const base = configOf(texts({ haresources: two }));
  const swapped = configOf(texts({ haresources: 'node2 198.18.0.101\nnode1 198.18.0.100 apache\n' }));
  const sd = diffConfigs(base, swapped);
  assert.deepEqual([sd.groupsAdded, sd.groupsRemoved, sd.groupsChanged], [[], [], []]);
  const next = configOf(texts({ haresources: 'node1 198.18.0.100 nginx\nnode2 198.18.0.102\n' }));
  const d = diffConfigs(base, next);
  assert.deepEqual(d.groupsAdded, ['198.18.0.102']);
  assert.deepEqual(d.groupsRemoved, ['198.18.0.101']);
  assert.deepEqual(d.groupsChanged, ['198.18.0.100']);
  const rehomed = configOf(texts({ haresources: 'node2 198.18.0.100 apache\nnode2 198.18.0.101\n' }));
  assert.deepEqual(diffConfigs(base, rehomed).groupsChanged, ['198.18.0.100']);
});
