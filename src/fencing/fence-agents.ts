// Runs one Debian fence-agents program the way fence-agents are meant to be driven by a cluster
// manager: no arguments, the options as `key=value` lines on stdin followed by `nodename=` and
// `action=`, no shell, a hard timeout that kills the agent and what it started. Exit codes as
// fence-agents define them: 0 success (for `status`: the power is on), 2 for `status`: the power is
// off, anything else a failure. A `password_file=` option is read here, at the call, and handed to
// the agent as `password=` on its stdin only: the secret never reaches a command line, a log or a
// config dump.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { NodeName } from '../config/types.js';
import { runCommand, type CommandOutcome } from '../resources/run-command.js';
import { fenceEnvironment } from './agent-lookup.js';

export type FenceAgentAction = 'off' | 'reboot' | 'on' | 'status' | 'monitor' | 'metadata';

export interface FenceAgentCall {
  /** The agent's resolved path (agent-lookup.ts). */
  readonly path: string;
  /** The fence line's options, in order. */
  readonly options: readonly (readonly [string, string])[];
  readonly target: NodeName;
  readonly action: FenceAgentAction;
  readonly timeoutMs: number;
}

export interface FenceAgentAnswer {
  /** ok: exit 0; off: `status` exit 2 (the power is off); failed: anything else. */
  readonly result: 'ok' | 'off' | 'failed';
  /** One line for logs and `hbts fence`: the agent, the action, the exit and the agent's message. */
  readonly detail: string;
  readonly durationMs: number;
  /** stdout, for `metadata` and `status` output. */
  readonly stdout: string;
  /** Killed at the timeout: the answer says nothing about the power. */
  readonly timedOut?: true;
}

/** The stdin lines, with password_file= replaced by the password; a string is what went wrong. */
export async function agentInput(
  call: Pick<FenceAgentCall, 'options' | 'target' | 'action'>,
): Promise<{ input: string; secrets: string[] } | string> {
  const lines: string[] = [];
  const secrets: string[] = [];
  for (const [key, value] of call.options) {
    if (key !== 'password_file') {
      lines.push(`${key}=${value}`);
      if (key === 'password' || key === 'passwd') secrets.push(value);
      continue;
    }
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch (err) {
      return `cannot read password_file ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
    }
    const password = text.replace(/\r?\n$/, '');
    if (password === '') return `password_file ${value} is empty`;
    if (/[\r\n]/.test(password))
      return `password_file ${value} holds more than one line; write the password alone`;
    lines.push(`password=${password}`);
    secrets.push(password);
  }
  lines.push(`nodename=${call.target}`, `action=${call.action}`);
  return { input: lines.join('\n') + '\n', secrets };
}

/**
 * The agent's own words: its stderr without Python's warnings about itself, and each message once
 * (fence-agents log every error twice: `ERROR:root:...` and a timestamped `... ERROR: ...`).
 */
export function agentMessage(stderr: string, stdout = ''): string {
  const lines = stderr.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\S+:\d+: \w*Warning: /.test(line)) {
      if (/^\s/.test(lines[i + 1] ?? '')) i++;
      continue;
    }
    const text = line
      .trim()
      .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ /, '')
      .replace(/^(DEBUG|INFO|WARNING|ERROR|CRITICAL)(:root)?: ?/, (_m, level: string) => `${level}: `);
    if (text !== '' && !kept.includes(text)) kept.push(text);
  }
  const text = (kept.length > 0 ? kept : stdout.split('\n').filter((l) => l.trim() !== '')).join(' | ');
  return text.length > 400 ? `…${text.slice(text.length - 400)}` : text;
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('***'), text);
}

function answerOf(call: FenceAgentCall, out: CommandOutcome, secrets: readonly string[]): FenceAgentAnswer {
  const name = `${basename(call.path)} ${call.action}`;
  const durationMs = out.durationMs;
  const stdout = out.kind === 'spawn-error' ? '' : out.stdout;
  const said = out.kind === 'spawn-error' ? '' : agentMessage(out.stderr, out.stdout);
  const tail = said === '' ? '' : `: ${redact(said, secrets)}`;
  switch (out.kind) {
    case 'spawn-error':
      return { result: 'failed', detail: `${name}: cannot run: ${out.message}`, durationMs, stdout };
    case 'timeout':
      return {
        result: 'failed',
        detail: `${name}: no answer within ${call.timeoutMs} ms, killed${tail}`,
        durationMs,
        stdout,
        timedOut: true,
      };
    case 'signalled':
      return { result: 'failed', detail: `${name}: killed by ${out.signal}${tail}`, durationMs, stdout };
    case 'exited': {
      if (out.code === 0) return { result: 'ok', detail: `${name}: exit 0${tail}`, durationMs, stdout };
      if (out.code === 2 && call.action === 'status')
        return { result: 'off', detail: `${name}: exit 2 (power off)${tail}`, durationMs, stdout };
      return { result: 'failed', detail: `${name}: exit ${out.code}${tail}`, durationMs, stdout };
    }
  }
}

export async function runFenceAgent(call: FenceAgentCall): Promise<FenceAgentAnswer> {
  const prepared = await agentInput(call);
  if (typeof prepared === 'string') {
    return {
      result: 'failed',
      detail: `${basename(call.path)} ${call.action}: ${prepared}`,
      durationMs: 0,
      stdout: '',
    };
  }
  const out = await runCommand({
    file: call.path,
    args: [],
    env: fenceEnvironment(),
    timeoutMs: call.timeoutMs,
    killGraceMs: 1000,
    input: prepared.input,
  });
  return answerOf(call, out, prepared.secrets);
}

/** `<agent> -o metadata` (fence-agents' own flag; stdin mode has no metadata before the options). */
export async function fetchFenceMetadata(
  path: string,
  timeoutMs: number,
): Promise<string | { error: string }> {
  const out = await runCommand({
    file: path,
    args: ['-o', 'metadata'],
    env: fenceEnvironment(),
    timeoutMs,
    killGraceMs: 500,
  });
  if (out.kind === 'exited' && out.code === 0) return out.stdout;
  if (out.kind === 'spawn-error') return { error: out.message };
  if (out.kind === 'timeout') return { error: `no answer within ${timeoutMs} ms` };
  return { error: out.kind === 'exited' ? `exit ${out.code}: ${agentMessage(out.stderr)}` : out.signal };
}
