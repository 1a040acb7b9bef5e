// A real etcd (Debian's etcd-server, /usr/bin/etcd 3.4) for the arbiter lab tests: one member, or
// a cluster of members, each in a namespace of its own on the lab's service net (198.18.x.y), with
// its data under the lab dir (removed with it) and ended by PID at cleanup like every lab process.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Lab } from './lab.js';
import { sh, waitUntil } from './lab.js';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export const ETCD = '/usr/bin/etcd';

export function etcdSkipReason(): string | undefined {
  return existsSync(ETCD) ? undefined : "etcd arbiter tests need Debian's etcd-server (/usr/bin/etcd)";
}

export interface EtcdMember {
  readonly name: string;
  readonly ns: string;
  readonly addr: string;
  readonly endpoint: string;
  process: ChildProcess | undefined;
}

/** Starts `count` members on host indexes 150, 151, ... and waits until the cluster answers. */
export async function startEtcd(lab: Lab, count: number): Promise<EtcdMember[]> {
  const members: EtcdMember[] = [];
  for (let i = 0; i < count; i++) {
    const host = lab.addHost(`et${i + 1}`, 150 + i);
    members.push({
      name: `m${i + 1}`,
      ns: host.ns,
      addr: host.addr,
      endpoint: `${host.addr}:2379`,
      process: undefined,
    });
  }
  const initialCluster = members.map((m) => `${m.name}=http://${m.addr}:2380`).join(',');
  for (const m of members) {
    const dataDir = join(lab.dir, `etcd-${m.name}`);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    m.process = lab.spawnIn(
      m.ns,
      ETCD,
      [
        '--name',
        m.name,
        '--data-dir',
        dataDir,
        '--listen-client-urls',
        `http://${m.addr}:2379`,
        '--advertise-client-urls',
        `http://${m.addr}:2379`,
        '--listen-peer-urls',
        `http://${m.addr}:2380`,
        '--initial-advertise-peer-urls',
        `http://${m.addr}:2380`,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        lab.prefix,
        // a LAN of namespaces: fast elections
        '--heartbeat-interval',
        '50',
        '--election-timeout',
        '500',
        '--logger',
        'zap',
        '--log-level',
        'warn',
      ],
      join(lab.dir, `etcd-${m.name}.log`),
    );
  }
  // etcdctl writes its verdict to stderr; the exit status says whether every endpoint is healthy.
  const healthy = (): boolean => etcdctl(members, ['endpoint', 'health']).status === 0;
  await waitUntil(`etcd (${count} member${count === 1 ? '' : 's'}) healthy`, healthy, 20_000, 200);
  return members;
}

/** Drop every packet between a node and etcd's client port (both ways), or let it through again. */
export function cutFromEtcd(ns: string, cut: boolean): void {
  if (cut) {
    sh('ip', ['netns', 'exec', ns, 'nft', 'add', 'table', 'inet', 'hbtsetcd']);
    sh('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'add',
      'chain',
      'inet',
      'hbtsetcd',
      'out',
      '{ type filter hook output priority 0 ; }',
    ]);
    sh('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'add',
      'chain',
      'inet',
      'hbtsetcd',
      'in',
      '{ type filter hook input priority 0 ; }',
    ]);
    sh('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'add',
      'rule',
      'inet',
      'hbtsetcd',
      'out',
      'tcp',
      'dport',
      '2379',
      'drop',
    ]);
    sh('ip', [
      'netns',
      'exec',
      ns,
      'nft',
      'add',
      'rule',
      'inet',
      'hbtsetcd',
      'in',
      'tcp',
      'sport',
      '2379',
      'drop',
    ]);
  } else sh('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', 'hbtsetcd']);
}

/**
 * A member that is not the raft leader. Killing the leader starts an election, during which etcd
 * answers no keepalive at all, so a short ttl lapses (safely: the holder releases); the "a dead
 * member is skipped" test kills a follower.
 */
export function follower(members: readonly EtcdMember[]): EtcdMember {
  const r = etcdctl(members, ['endpoint', 'status', '-w', 'json']);
  const rows = JSON.parse(r.stdout || '[]') as {
    Endpoint: string;
    Status: { header: { member_id: number | string }; leader: number | string };
  }[];
  const row = rows.find((x) => String(x.Status.header.member_id) !== String(x.Status.leader));
  const m = members.find((x) => row !== undefined && row.Endpoint === `http://${x.endpoint}`);
  if (m === undefined) throw new Error(`no etcd follower found: ${r.stdout} ${r.stderr}`);
  return m;
}

/** etcdctl against every member, run in the first member's namespace (5 s at the most). */
function etcdctl(members: readonly EtcdMember[], args: readonly string[]): SpawnSyncReturns<string> {
  const endpoints = members.map((m) => `http://${m.endpoint}`).join(',');
  return spawnSync(
    'ip',
    [
      'netns',
      'exec',
      members[0]?.ns ?? '',
      'etcdctl',
      '--endpoints',
      endpoints,
      '--dial-timeout=500ms',
      ...args,
    ],
    { encoding: 'utf8', timeout: 5000 },
  );
}
