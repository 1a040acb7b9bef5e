// `fence <node> sbd`: SBD fencing through Debian's own `sbd` tool on the disk_lock device, exactly
// as Pacemaker's fence_sbd does it: `sbd -d DEV message NODE off` writes the poison pill into the
// node's slot and returns only after the device's msgwait, by which time a node that can still see
// the disk has acted on it and one that cannot has released everything itself. A node with no slot
// (its daemon never allocated one) cannot be fenced this way: sbd refuses, and so do we.
import type { NodeName } from '../config/types.js';
import { runCommand, type CommandOutcome } from '../resources/run-command.js';
import { fenceEnvironment } from './agent-lookup.js';
import { agentMessage } from './fence-agents.js';

export const SBD_COMMAND = '/usr/sbin/sbd';

export interface SbdAnswer {
  readonly ok: boolean;
  readonly detail: string;
  /** For `list`: the node's slot message (clear, off, reset, test...), if it has a slot. */
  readonly message?: string;
}

function sbd(args: readonly string[], timeoutMs: number): Promise<CommandOutcome> {
  return runCommand({ file: SBD_COMMAND, args, env: fenceEnvironment(), timeoutMs, killGraceMs: 1000 });
}

function failed(what: string, out: CommandOutcome, timeoutMs: number): SbdAnswer {
  switch (out.kind) {
    case 'spawn-error':
      return {
        ok: false,
        detail: `${what}: cannot run ${SBD_COMMAND}: ${out.message} (is the Debian package sbd installed?)`,
      };
    case 'timeout':
      return { ok: false, detail: `${what}: no answer within ${timeoutMs} ms, killed` };
    case 'signalled':
      return { ok: false, detail: `${what}: killed by ${out.signal}` };
    case 'exited': {
      const m = agentMessage(out.stderr, out.stdout);
      return { ok: false, detail: `${what}: exit ${out.code}${m === '' ? '' : `: ${m}`}` };
    }
  }
}

/** Writes `message` into the node's slot; for off/reset, sbd itself waits msgwait before exiting. */
export async function sbdMessage(
  device: string,
  node: NodeName,
  message: 'off' | 'reset' | 'clear',
  timeoutMs: number,
): Promise<SbdAnswer> {
  const what = `sbd -d ${device} message ${node} ${message}`;
  const out = await sbd(['-d', device, 'message', node, message], timeoutMs);
  if (out.kind === 'exited' && out.code === 0) return { ok: true, detail: `${what}: done (msgwait passed)` };
  return failed(what, out, timeoutMs);
}

/** `sbd -d DEV list`: the node's slot and the message in it. */
export async function sbdSlot(device: string, node: NodeName, timeoutMs: number): Promise<SbdAnswer> {
  const what = `sbd -d ${device} list`;
  const out = await sbd(['-d', device, 'list'], timeoutMs);
  if (out.kind !== 'exited' || out.code !== 0) return failed(what, out, timeoutMs);
  for (const line of out.stdout.split('\n')) {
    const [, name, message] = line.trim().split(/\s+/);
    if (name?.toLowerCase() === node && message !== undefined)
      return { ok: true, detail: `${what}: ${node}'s slot holds '${message}'`, message };
  }
  return {
    ok: false,
    detail: `${what}: ${node} has no slot on ${device} (its daemon never started with this disk)`,
  };
}
