// What a finished group action means for the group: the state it moves to, what we claim and who
// held it last, and the event that says so. LocalGroups (local-groups.ts) matches the result to
// its pending action and counts the start-up probes; everything after that is here.
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';
import type { LocalGroup } from './local-group.js';
import type { Outbox } from './outbox.js';
import type { Action } from './outputs.js';

/** The parts of LocalGroups a result updates. */
export interface ResultContext {
  readonly out: Outbox;
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly claims: Set<GroupId>;
  readonly lastHolder: Map<GroupId, NodeName>;
}

/** Applies the result of `g`'s `kind` action, its pending slot already cleared. */
export function applyActionResult(
  ctx: ResultContext,
  g: LocalGroup,
  kind: Action['kind'],
  ok: boolean,
  why: string,
): void {
  switch (kind) {
    case 'probe':
      onProbed(ctx, g, ok);
      break;
    case 'gate':
      onGate(ctx, g, ok, why);
      break;
    case 'arbiter-claim':
      onArbiterClaim(ctx, g, ok, why);
      break;
    case 'acquire':
      onAcquired(ctx, g, ok, why);
      break;
    case 'release':
      onReleased(ctx, g, ok, why);
      break;
    case 'restart':
      onRestarted(ctx, g, ok, why);
      break;
    case 'monitor':
    case 'announce':
    case 'fence':
      // Never a group's pending action (health.ts and fencing.ts own theirs).
      break;
  }
}

function onProbed(ctx: ResultContext, g: LocalGroup, running: boolean): void {
  if (!running) return;
  g.state = 'running';
  ctx.lastHolder.set(g.group.id, ctx.self);
  ctx.out.emit('note', 'warn', `group ${g.group.id} is already running here (found at start-up)`, {
    group: g.group.id,
  });
}

function onGate(ctx: ResultContext, g: LocalGroup, ok: boolean, why: string): void {
  const gid = g.group.id;
  if (ok) {
    g.gatePassedFrom = ctx.lastHolder.get(gid);
    return;
  }
  g.gateRetryAtMs = ctx.out.nowMs + ctx.config.keepaliveMs;
  ctx.out.advertDirty = true;
  ctx.out.emit('gate-refused', 'warn', `gate refused taking ${gid} now${why}; asking again later`, {
    group: gid,
  });
}

function onArbiterClaim(ctx: ResultContext, g: LocalGroup, ok: boolean, why: string): void {
  const gid = g.group.id;
  const lease = g.arbiterClaimLease;
  g.arbiterClaimLease = undefined;
  if (ok) {
    // Valid only while that lease is the current one (arbiter.ts checks). A group already
    // running here (found at start-up) now holds its key; any other waits for its start.
    if (g.state === 'running') g.arbiterHeld = lease;
    else g.arbiterGrant = lease;
    g.arbiterRefusal = undefined;
    ctx.out.emit('arbiter', 'info', `key for ${gid} is ours under lease ${lease ?? '?'}${why}`, {
      group: gid,
    });
    return;
  }
  g.gateRetryAtMs = ctx.out.nowMs + ctx.config.keepaliveMs;
  // Asked again every keepalive while another node holds it: say so once per reason.
  if (g.arbiterRefusal === why) return;
  g.arbiterRefusal = why;
  ctx.out.emit(
    'gate-refused',
    'warn',
    `arbiter refused the key for ${gid}${why}; asking again every keepalive`,
    {
      group: gid,
    },
  );
}

function onAcquired(ctx: ResultContext, g: LocalGroup, ok: boolean, why: string): void {
  const gid = g.group.id;
  if (ok) {
    g.state = 'running';
    g.detail = undefined;
    ctx.lastHolder.set(gid, ctx.self);
    ctx.out.emit('acquired', 'info', `group ${gid} is running here`, { group: gid });
  } else {
    g.state = 'failed';
    g.arbiterHeld = undefined;
    g.failedHere = true;
    g.failures++;
    g.detail = `start failed${why}`;
    ctx.out.counters.acquireFailures++;
    ctx.claims.delete(gid);
    if (ctx.lastHolder.get(gid) === ctx.self) ctx.lastHolder.delete(gid);
    ctx.out.emit(
      'acquire-failed',
      'crit',
      `group ${gid} failed to start here${why}; released, another node may try (not retried here until an admin command or restart)`,
      { group: gid },
    );
  }
  ctx.out.advertDirty = true;
}

function onRestarted(ctx: ResultContext, g: LocalGroup, ok: boolean, why: string): void {
  const gid = g.group.id;
  if (ok) {
    g.detail = undefined;
    ctx.out.emit('restarted', 'info', `group ${gid} restarted in place and running here`, { group: gid });
    return;
  }
  // The shell stopped the whole group after the failed start, as after a failed acquire.
  g.state = 'failed';
  g.failedHere = true;
  g.failures++;
  g.detail = `restart in place failed${why}`;
  ctx.claims.delete(gid);
  if (ctx.lastHolder.get(gid) === ctx.self) ctx.lastHolder.delete(gid);
  ctx.out.advertDirty = true;
  ctx.out.emit(
    'restart-failed',
    'crit',
    `group ${gid} failed to restart here${why}; released, another node may take it (not chosen here until hbts cleanup)`,
    { group: gid },
  );
}

function onReleased(ctx: ResultContext, g: LocalGroup, ok: boolean, why: string): void {
  const gid = g.group.id;
  if (ok) {
    g.state = 'stopped';
    g.arbiterHeld = undefined;
    g.detail = undefined;
    if (ctx.lastHolder.get(gid) === ctx.self) ctx.lastHolder.delete(gid);
    ctx.out.emit('released', 'info', `group ${gid} released`, { group: gid });
  } else {
    g.state = 'failed';
    g.stopFailed = true;
    g.handoffTo = undefined;
    g.detail = `stop failed${why}: may still be running here, nobody else will start it`;
    ctx.out.emit(
      'release-failed',
      'crit',
      `group ${gid} failed to stop${why}; it stays marked as held here (no reboot), operator action needed`,
      { group: gid },
    );
  }
  ctx.out.advertDirty = true;
}
