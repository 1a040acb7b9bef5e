// Human-readable `hbts status`: who is up, which links work, who owns which group.
import type { DaemonStatus } from './daemon-status.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length + 2)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/** Ping nodes (pseudo-nodes with their own state, as in Heartbeat) and quorum. */
function arbitrationLines(s: DaemonStatus): string[] {
  const c = s.cluster;
  const out: string[] = [];
  // Daemons of an older version report neither.
  if (c.pingNodes !== undefined && c.pingNodes.length > 0) {
    const rows = [['PING NODE', 'STATUS', 'COUNTS', 'LAST ANSWER', 'REACHED BY']];
    for (const p of c.pingNodes) {
      const reachedBy = c.nodes.filter((n) => n.pingNodes?.includes(p.name)).map((n) => n.name);
      const last =
        p.lastReplyMs !== undefined ? `${Math.max(0, Math.round(c.nowMs - p.lastReplyMs))} ms ago` : 'never';
      const name = p.kind === 'ping_group' ? `${p.name} (${p.addresses.join(' ')})` : p.name;
      rows.push([name, p.status, p.counted ? 'yes' : 'no', last, reachedBy.join(',') || '-']);
    }
    out.push(table(rows), '');
  }
  const q = c.quorum;
  if (q !== undefined && q.enforced) {
    const word = q.quorate ? 'yes' : 'NO (releases everything, takes nothing)';
    out.push(
      `quorum: ${word}: ${q.reason}; members ${q.members.join(',')} (${q.needed} of ${q.configured} needed)`,
      '',
    );
  }
  return out;
}

export function formatStatus(s: DaemonStatus): string {
  const c = s.cluster;
  const out: string[] = [];
  out.push(
    `node ${s.node}: ${c.phase}, holds ${c.resourceHold} (pid ${s.pid}, generation ${s.generation}, auto_failback ${c.mode})`,
  );
  if (c.configMismatch) out.push('WARNING: a peer runs a different configuration (see the log)');
  out.push('');
  const nodeRows = [['NODE', 'STATUS', 'LINKS', 'HOLDS']];
  for (const n of c.nodes) {
    // a ucast medium only ever carries its own peer: "never heard" there is not a failure
    const word = (l: (typeof n.links)[number]): string =>
      l.status === 'dead' && l.lastHeardMs === undefined ? 'never heard' : l.status;
    const links = n.self ? '(self)' : n.links.map((l) => `${l.medium} ${word(l)}`).join(', ') || '-';
    // joined: on no node line, admitted by ha.cf autojoin (now or remembered in the state dir)
    const name = `${n.name}${n.self ? '*' : ''}${n.joined === true ? ' (joined)' : ''}`;
    nodeRows.push([name, n.status, links, n.holds.join(' ') || '-']);
  }
  out.push(table(nodeRows));
  if (c.joinedNodes !== undefined)
    out.push(
      c.joinedNodes.length === 0
        ? 'autojoin: no node has joined'
        : `autojoin: joined and remembered: ${c.joinedNodes.join(', ')}`,
    );
  out.push('');
  const groupRows = [['GROUP', 'HOME', 'OWNER', 'HERE', 'NOTE']];
  for (const g of c.groups) {
    const note = [g.failedOn.length ? `failed on ${g.failedOn.join(',')}` : '', g.detail ?? '']
      .filter((x) => x)
      .join('; ');
    groupRows.push([g.id, g.homeNode, g.owners.join(',') || '-', g.localState, note || '-']);
  }
  out.push(table(groupRows));
  out.push('');
  const health = c.groups.flatMap((g) => (g.health !== undefined ? [[g, g.health] as const] : []));
  if (health.length > 0) {
    const healthRows = [['HEALTH', 'RESOURCE', 'CHECK', 'STATE', 'LAST']];
    for (const [g, h] of health) {
      for (const r of h.resources) {
        const ago = r.lastCheckMs !== undefined ? `${Math.round(c.nowMs - r.lastCheckMs)} ms ago` : '-';
        healthRows.push([g.id, r.resource, r.check, r.state, ago]);
      }
    }
    out.push(table(healthRows));
    for (const [g, h] of health) {
      const counts = h.failCounts.map((f) => `${f.node}=${f.count}`).join(' ') || 'none';
      const p = h.policy;
      out.push(
        `${g.id}: ${h.down ? 'DOWN (failed on every node that may run it; hbts cleanup to retry)' : 'fail counts ' + counts}` +
          `${h.down ? `, fail counts ${counts}` : ''}; restarts ${h.restartsInWindow}/${p.restarts} in ${Math.round(p.windowMs / 1000)} s, migration_threshold ${p.migrationThreshold}`,
      );
      if (h.lastFailure !== undefined) {
        const f = h.lastFailure;
        out.push(
          `  last failure: ${f.resource} on ${f.node}, ${Math.round(c.nowMs - f.atMs)} ms ago: ${f.detail}`,
        );
      }
    }
    out.push('');
  }
  if (s.diskLock !== undefined) {
    const d = s.diskLock;
    const how = d.lost ? 'LOST' : d.lastError !== undefined ? `failing: ${d.lastError}` : 'ok';
    out.push(`disk lock ${d.device}: slot ${d.slot}, ${how} (last good read ${d.lastGoodAgoMs} ms ago)`, '');
  }
  out.push(...arbitrationLines(s));
  if (s.arbiter !== undefined) out.push(...arbiterLines(s), '');
  if (c.selfFenced !== undefined)
    out.push(`SELF-FENCED: ${c.selfFenced} (releases everything, takes nothing)`, '');
  // A daemon of an older version reports no fencing field.
  const fencing = c.fencing ?? [];
  if (fencing.length > 0) {
    const fenceRows = [['FENCING', 'STATE', 'ATTEMPTS', 'NEXT', 'LAST ERROR']];
    for (const f of fencing) {
      const state = f.state === 'fenced' ? `fenced by ${f.fencedBy ?? '?'}` : f.state;
      const next =
        f.nextAttemptMs !== undefined ? `in ${Math.max(0, Math.round(f.nextAttemptMs - c.nowMs))} ms` : '-';
      fenceRows.push([f.node, state, String(f.attempts), next, f.lastError ?? '-']);
    }
    out.push(table(fenceRows), '');
  }
  const mediaRows = [['MEDIUM', 'HOW', 'SEND ERRORS']];
  for (const m of s.media)
    mediaRows.push([m.id, m.description, m.sendErrors ? `${m.sendErrors} (${m.lastError ?? ''})` : '0']);
  out.push(table(mediaRows));
  const rej = Object.entries(s.endpoint.rejected)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  out.push('');
  out.push(
    `packets: sent ${s.endpoint.sent}, received ${s.endpoint.received}, duplicates ${s.endpoint.duplicates}, lost ${s.endpoint.lostPackets}, rejected ${rej || '0'}`,
  );
  const notify = s.events?.notify;
  if (notify !== undefined && notify.hooks > 0)
    out.push(
      `notify hooks: ${notify.hooks}; runs ok ${notify.ok}, failed ${notify.failed}, killed at timeout ${notify.timedOut}, dropped ${notify.dropped}, waiting ${notify.queued}`,
    );
  // a daemon of an older version reports no event-loop field
  const l = s.eventLoop as DaemonStatus['eventLoop'] | undefined;
  if (l !== undefined)
    out.push(
      `event loop: lag ${l.lastMs} ms (max ${l.recentMaxMs} ms in 10 s, ${l.maxMs} ms since start; ${l.lateWakeups} of ${l.wakeups} wake-ups later than a keepalive), scheduling ${l.scheduling}`,
    );
  const e = s.echo as DaemonStatus['echo'] | undefined;
  if (e !== undefined && e.copies !== 'off')
    out.push(
      `packet copies (fast timings): ${e.copies === 'on' ? 'on, the links lost a packet in the last minute' : 'idle, no loss seen lately'}; ${e.copiesDropped} second copies dropped on arrival`,
    );
  if (s.held.failed.length)
    out.push(`groups whose stop failed (may still run here): ${s.held.failed.join(', ')}`);
  if (s.actionsInFlight.length) out.push(`in progress: ${s.actionsInFlight.join(', ')}`);
  return out.join('\n') + '\n';
}

/** `arbiter etcd`: the lease, its time left, and who holds each group's key. */
function arbiterLines(s: DaemonStatus): string[] {
  const a = s.arbiter;
  if (a === undefined) return [];
  const blocked = s.cluster.arbiter?.blocked;
  const lease =
    a.leaseId !== undefined
      ? `lease ${a.leaseId}, ttl ${a.ttlMs / 1000} s, ${a.ttlLeftMs ?? 0} ms left before release without an answer`
      : 'NO LEASE';
  const reach = a.reachable
    ? 'etcd answers'
    : `etcd NOT answering${a.lastError !== undefined ? `: ${a.lastError}` : ''}`;
  const rows = [['GROUP', 'KEY HOLDER', 'FENCING TOKEN']];
  for (const [group, holder] of Object.entries(a.holders))
    rows.push([group, holder ?? '-', a.tokens[group] ?? '-']);
  return [
    `arbiter etcd ${a.endpoints.join(',')} (${a.prefix}): ${lease}; ${reach}`,
    ...(blocked !== undefined ? [`ARBITER: ${blocked} (releases everything, takes nothing)`] : []),
    table(rows),
  ];
}
