// Human-readable `hbts status`: who is up, which links work, who owns which group.
import type { DaemonStatus } from './daemon.js';

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
    nodeRows.push([`${n.name}${n.self ? '*' : ''}`, n.status, links, n.holds.join(' ') || '-']);
  }
  out.push(table(nodeRows));
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
  if (s.diskLock !== undefined) {
    const d = s.diskLock;
    const how = d.lost ? 'LOST' : d.lastError !== undefined ? `failing: ${d.lastError}` : 'ok';
    out.push(`disk lock ${d.device}: slot ${d.slot}, ${how} (last good read ${d.lastGoodAgoMs} ms ago)`, '');
  }
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
  // a daemon of an older version reports no event-loop field
  const l = s.eventLoop as DaemonStatus['eventLoop'] | undefined;
  if (l !== undefined)
    out.push(
      `event loop: lag ${l.lastMs} ms (max ${l.recentMaxMs} ms in 10 s, ${l.maxMs} ms since start; ${l.lateWakeups} of ${l.wakeups} wake-ups later than a keepalive), scheduling ${l.scheduling}`,
    );
  if (s.held.failed.length)
    out.push(`groups whose stop failed (may still run here): ${s.held.failed.join(', ')}`);
  if (s.actionsInFlight.length) out.push(`in progress: ${s.actionsInFlight.join(', ')}`);
  return out.join('\n') + '\n';
}
