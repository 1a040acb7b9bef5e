// `hbts why [GROUP]`: in plain words, why each group is where it is, reasoned from the daemon's
// status (home node, owners, placement target, failback policy, failures) and its event history
// (who was declared dead when, which links went first, gate and fence outcomes, starts and stops).
// Pure: the CLI fetches status and events over the control socket and prints what this returns.
import type { ClusterStatus, GroupStatusEntry } from '../cluster/types.js';
import type { RecordedEvent } from './event-history.js';

/** How many of a node's or group's past events are quoted at most (the newest). */
const MAX_QUOTED = 6;
/** Events quoted about one node's death: the late heartbeats and links before it, what followed. */
const MAX_AROUND_DEATH = 12;

function when(e: RecordedEvent): string {
  return e.time.replace('T', ' ');
}

function quoted(events: readonly RecordedEvent[], max = MAX_QUOTED): string[] {
  const shown = events.slice(-max);
  const hidden = events.length - shown.length;
  return [
    ...(hidden > 0 ? [`    (${hidden} earlier event${hidden === 1 ? '' : 's'} not shown)`] : []),
    ...shown.map((e) => `    ${when(e)}  ${e.text}${e.medium !== undefined ? ` [${e.medium}]` : ''}`),
  ];
}

function where(c: ClusterStatus, g: GroupStatusEntry): string {
  const here = g.localState;
  if (g.owners.length > 1) return `is held by ${g.owners.join(' and ')} at once (a conflict being resolved)`;
  if (here === 'starting') return `is starting here on ${c.self}`;
  if (here === 'stopping') return `is stopping here on ${c.self}`;
  const owner = g.owners[0];
  if (owner === undefined)
    return here === 'failed' ? 'runs nowhere (its start or stop failed here)' : 'runs nowhere';
  return `runs on ${owner}${owner === c.self ? ' (this node)' : ''}`;
}

function policy(c: ClusterStatus, g: GroupStatusEntry): string {
  const owner = g.owners[0];
  const home = c.nodes.find((n) => n.name === g.homeNode);
  const homeDead = home === undefined || home.status === 'dead' || home.status === 'init';
  const awayFromHome = owner !== undefined && owner !== g.homeNode;
  switch (c.mode) {
    case 'on':
      if (!awayFromHome) return 'auto_failback on: it belongs on its home node, and is there.';
      return homeDead
        ? `auto_failback on: it moves back to ${g.homeNode} as soon as ${g.homeNode} is up again (now ${home?.status ?? 'unknown'}).`
        : `auto_failback on: ${g.homeNode} is ${home?.status ?? 'unknown'}, so it should move back there (a failback is due or under way).`;
    case 'off':
      return awayFromHome
        ? `auto_failback off: it stays on ${owner} even when ${g.homeNode} is up; move it with \`hbts takeover\` on ${g.homeNode} or \`hbts standby\` on ${owner}.`
        : 'auto_failback off: it stays wherever it runs.';
    case 'legacy':
      return `auto_failback legacy: ${g.homeNode} asks for it back when ${g.homeNode} starts; standby and takeover do nothing in this mode.`;
  }
}

function explainGroup(c: ClusterStatus, g: GroupStatusEntry, events: readonly RecordedEvent[]): string[] {
  const out = [`group ${g.id} (home ${g.homeNode}) ${where(c, g)}.`];
  out.push(`  ${policy(c, g)}`);
  if (g.target !== undefined && !g.owners.includes(g.target))
    out.push(`  Placement wants it on ${g.target} now: a move is under way or waiting (see below).`);
  if (c.phase !== 'stable')
    out.push(`  This node is ${c.phase}: it places and runs groups only once stable.`);
  if (c.selfFenced !== undefined)
    out.push(`  This node is self-fenced (${c.selfFenced}): it released everything and takes nothing.`);
  if (g.failedOn.length > 0)
    out.push(
      `  Its start failed on ${g.failedOn.join(', ')}: placement avoids ${g.failedOn.length === 1 ? 'that node' : 'those nodes'} until an admin command (standby/takeover) clears it.`,
    );
  if (g.detail !== undefined) out.push(`  Here: ${g.detail}.`);

  const mine = events.filter((e) => e.group === g.id);
  const moves = mine.filter((e) =>
    [
      'takeover',
      'acquired',
      'acquire-failed',
      'release',
      'released',
      'release-failed',
      'gate-refused',
    ].includes(e.kind),
  );
  if (moves.length > 0) out.push(`  On this node (${c.self}):`, ...quoted(moves));

  // The nodes that matter: its home, whoever holds it, and any node a takeover here names.
  const named = new Set<string>([g.homeNode, ...g.owners]);
  for (const e of mine) for (const m of e.text.matchAll(/from ([A-Za-z0-9._-]+)/g)) if (m[1]) named.add(m[1]);
  for (const node of [...named].filter((n) => n !== c.self).sort()) {
    const about = events.filter(
      (e) =>
        e.node === node &&
        [
          'peer-late',
          'peer-dead',
          'peer-up',
          'peer-restarted',
          'link-dead',
          'link-up',
          'fence',
          'shutdown-notice',
          'partition-healed',
        ].includes(e.kind),
    );
    const lastDead = [...about].reverse().find((e) => e.kind === 'peer-dead');
    if (lastDead === undefined) continue;
    const lastUp = [...about].reverse().find((e) => e.kind === 'peer-up' || e.kind === 'partition-healed');
    const back = lastUp !== undefined && lastUp.seq > lastDead.seq;
    out.push(
      `  ${node} was declared dead at ${when(lastDead)}${back ? ` and was heard again at ${when(lastUp)}` : ''}:`,
    );
    // What led up to it (late heartbeats, the links lost, in order, on which media) and what came
    // after (fencing, its return): from just after it was last seen healthy.
    let from = about.indexOf(lastDead);
    while (from > 0 && ['link-dead', 'peer-late'].includes(about[from - 1]?.kind ?? '')) from--;
    out.push(...quoted(about.slice(from), MAX_AROUND_DEATH));
  }
  return out;
}

/** The whole answer; `group` undefined: every group. Unknown group: undefined. */
export function explainWhy(
  c: ClusterStatus,
  events: readonly RecordedEvent[],
  group?: string,
): string | undefined {
  const groups = group === undefined ? c.groups : c.groups.filter((g) => g.id === group);
  if (groups.length === 0) return group === undefined ? 'no resource groups are configured\n' : undefined;
  const out: string[] = [];
  const first = events[0];
  for (const g of groups) out.push(...explainGroup(c, g, events), '');
  if (first === undefined) out.push(`(no events recorded by the daemon on ${c.self} yet)`);
  else if (first.seq > 1)
    out.push(
      `(the event history on ${c.self} starts at ${when(first)}, event ${first.seq}: earlier ones are forgotten)`,
    );
  else out.push(`(from the events of the daemon on ${c.self} since it started at ${when(first)})`);
  return out.join('\n').trimEnd() + '\n';
}
