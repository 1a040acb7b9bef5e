// How one resource's agent is called: resolve it, build its environment, run start/stop/status
// through the right agent kind (built-in address, resource.d, LSB, OCF) and turn the outcome into a
// verdict. Start and stop scripts are announced to the ScriptTracker before they are spawned.
// The group logic (order, rollback, retries) is in runner.ts.
import type { ResourceGroup, ResourceSpec } from '../config/resource-config.js';
import type { ClusterConfig, GroupId } from '../config/types.js';
import { buildAgentEnvironment } from './environment.js';
import { IpAddressAgent, type IpAgentContext } from './ip-address-agent.js';
import { IpBatch } from './ip-batch.js';
import { lookupDirs, resolveAgent, type LookupDirs, type ResolvedAgent } from './resolve-agent.js';
import { describeOutcome, errorText, quote, runCommand, type CommandOutcome } from './run-command.js';
import {
  heartbeatScriptStatus,
  lsbStatus,
  ocfCodeName,
  ocfMonitorStatus,
  OCF_NOT_RUNNING,
} from './status-rules.js';
import type {
  ArpOptions,
  ResourceRunnerOptions,
  ResourceStatus,
  ResourceTimeoutsMs,
  ScriptHandle,
  StatusCheckOptions,
} from './types.js';

export interface OpResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly durationMs: number;
}

type Op = 'start' | 'stop' | 'status';

export class AgentCalls {
  private readonly ipAgent = new IpAddressAgent();
  private readonly ipBatch: IpBatch | undefined;

  constructor(
    private readonly options: ResourceRunnerOptions,
    private readonly config: () => ClusterConfig,
    private readonly timeouts: ResourceTimeoutsMs,
    private readonly arp: ArpOptions,
    private readonly killGraceMs: number,
  ) {
    if (options.ipBatch === true) {
      this.ipBatch = new IpBatch(options.ipCommand ?? 'ip', this.env(), killGraceMs);
      this.ipBatch.warm();
    }
  }

  close(): void {
    this.ipAgent.close();
    this.ipBatch?.close();
  }

  /**
   * The resource's status (OCF: monitor). `check` (health checks): OCF_CHECK_LEVEL and a time limit
   * other than the status timeout.
   */
  async status(rsc: ResourceSpec, check?: StatusCheckOptions): Promise<ResourceStatus> {
    const agent = resolveAgent(rsc, this.dirs());
    if (agent.kind === 'missing')
      return { resource: rsc.raw, state: 'unknown', agent: 'missing', detail: agent.detail };
    const startedMs = performance.now();
    const verdict = await this.runStatus(agent, check);
    const durationMs = Math.round(performance.now() - startedMs);
    this.options.log(
      `resource op=status rsc=${quote(rsc.raw)} agent=${agent.kind} state=${verdict.state} ${verdict.detail} duration_ms=${durationMs}`,
      'debug',
    );
    return { resource: rsc.raw, state: verdict.state, agent: agent.kind, detail: verdict.detail };
  }

  /** True when `start` finds out itself whether the resource already runs (the built-in IP agent). */
  startChecksItself(rsc: ResourceSpec): boolean {
    return resolveAgent(rsc, this.dirs()).kind === 'builtin-ip';
  }

  /** Gratuitous ARP again for the group's built-in virtual IPs (outside the group's queue). */
  async reannounce(group: ResourceGroup): Promise<{ ok: boolean; detail: string }> {
    const ctx = this.ipContext('status');
    const results: { ok: boolean; detail: string }[] = [];
    for (const rsc of group.resources) {
      const agent = resolveAgent(rsc, this.dirs());
      if (agent.kind === 'builtin-ip') results.push(await this.ipAgent.reannounce(agent.spec, ctx));
    }
    if (results.length === 0) return { ok: true, detail: 'no built-in virtual IP in the group' };
    const detail = results.map((r) => r.detail).join('; ');
    this.options.log(
      `resource op=announce group=${quote(group.id)} ${detail}`,
      results.every((r) => r.ok) ? 'info' : 'warn',
    );
    return { ok: results.every((r) => r.ok), detail };
  }

  async runOp(group: GroupId, rsc: ResourceSpec, op: 'start' | 'stop'): Promise<OpResult> {
    const startedMs = performance.now();
    const agent = resolveAgent(rsc, this.dirs());
    const result = await this.runResolvedOp(group, rsc, agent, op);
    const durationMs = Math.round(performance.now() - startedMs);
    this.options.log(
      `resource op=${op} rsc=${quote(rsc.raw)} agent=${agent.kind} ok=${result.ok} ${result.detail} duration_ms=${durationMs}`,
      result.ok ? 'info' : 'error',
    );
    return { ...result, durationMs };
  }

  private async runResolvedOp(
    group: GroupId,
    rsc: ResourceSpec,
    agent: ResolvedAgent,
    op: 'start' | 'stop',
  ): Promise<{ ok: boolean; detail: string }> {
    switch (agent.kind) {
      case 'missing':
        // We cannot have started what we cannot find, so there is nothing to stop; refusing
        // would strand the group forever because of a typo.
        return op === 'stop'
          ? { ok: true, detail: `nothing to stop: ${agent.detail}` }
          : { ok: false, detail: agent.detail };
      case 'builtin-ip': {
        const ctx = this.ipContext(op);
        return op === 'start' ? this.ipAgent.start(agent.spec, ctx) : this.ipAgent.stop(agent.spec, ctx);
      }
      case 'heartbeat':
      case 'lsb': {
        const env = { ...this.env(), ...this.options.groupEnv?.(group) };
        const outcome = await this.exec(agent.path, [...agent.args, op], env, op, { group, rsc });
        return {
          ok: outcome.kind === 'exited' && outcome.code === 0,
          detail: `${agent.path} ${describeOutcome(outcome)}`,
        };
      }
      case 'ocf': {
        const env = { ...this.ocfEnv(agent, op), ...this.options.groupEnv?.(group) };
        const outcome = await this.exec(agent.path, [op], env, op, { group, rsc });
        // OCF: stop of a resource that is not running may answer OCF_NOT_RUNNING; that is stopped.
        const ok =
          outcome.kind === 'exited' &&
          (outcome.code === 0 || (op === 'stop' && outcome.code === OCF_NOT_RUNNING));
        const name = outcome.kind === 'exited' ? ` (${ocfCodeName(outcome.code)})` : '';
        return { ok, detail: `${agent.path} ${describeOutcome(outcome)}${name}` };
      }
    }
  }

  private async runStatus(
    agent: Exclude<ResolvedAgent, { kind: 'missing' }>,
    check: StatusCheckOptions | undefined,
  ): Promise<{ state: ResourceStatus['state']; detail: string }> {
    const limit = check?.timeoutMs !== undefined ? { timeoutMs: check.timeoutMs } : {};
    switch (agent.kind) {
      case 'builtin-ip': {
        const ctx = this.ipContext('status');
        return this.ipAgent.status(agent.spec, { ...ctx, ...limit });
      }
      case 'heartbeat':
      case 'lsb': {
        const outcome = await this.exec(
          agent.path,
          [...agent.args, 'status'],
          this.env(),
          'status',
          undefined,
          check?.timeoutMs,
        );
        if (outcome.kind !== 'exited')
          return { state: 'unknown', detail: `${agent.path} ${describeOutcome(outcome)}` };
        const verdict =
          agent.kind === 'heartbeat'
            ? heartbeatScriptStatus(outcome.stdout)
            : lsbStatus(outcome.code, outcome.stdout);
        return { state: verdict.state, detail: `(${verdict.rule}) ${describeOutcome(outcome)}` };
      }
      case 'ocf': {
        const env = this.ocfEnv(agent, 'monitor');
        if (check?.depth !== undefined && check.depth > 0) env['OCF_CHECK_LEVEL'] = String(check.depth);
        if (check?.timeoutMs !== undefined) env['OCF_RESKEY_CRM_meta_timeout'] = String(check.timeoutMs);
        const outcome = await this.exec(agent.path, ['monitor'], env, 'status', undefined, check?.timeoutMs);
        if (outcome.kind !== 'exited')
          return { state: 'unknown', detail: `${agent.path} ${describeOutcome(outcome)}` };
        const verdict = ocfMonitorStatus(outcome.code);
        return { state: verdict.state, detail: `(${verdict.rule}) ${describeOutcome(outcome)}` };
      }
    }
  }

  /**
   * Runs one agent script. Start and stop are announced to the tracker first (a durable record a
   * restarted daemon can find), status is not: it changes nothing and is bounded by its timeout.
   */
  private async exec(
    file: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    op: Op,
    what?: { group: GroupId; rsc: ResourceSpec },
    timeoutOverrideMs?: number,
  ): Promise<CommandOutcome> {
    const timeoutMs = timeoutOverrideMs ?? this.timeouts[op];
    let handle: ScriptHandle | undefined;
    const tracker = this.options.scripts;
    if (tracker !== undefined && what !== undefined && op !== 'status') {
      try {
        handle = tracker.begin({ group: what.group, resource: what.rsc.raw, op, file, timeoutMs });
      } catch (err) {
        const text = `cannot record the ${op} script before running it: ${errorText(err)}`;
        this.options.log(`resource op=${op} rsc=${quote(what.rsc.raw)} ${text}`, 'error');
        // Without the record a restarted daemon could start the group twice: no start. A stop
        // still runs: refusing it would leave the group stuck here.
        if (op === 'start') return { kind: 'spawn-error', message: text, durationMs: 0 };
      }
    }
    try {
      return await runCommand({
        file,
        args,
        env: handle !== undefined ? { ...env, ...handle.env } : env,
        timeoutMs,
        killGraceMs: this.killGraceMs,
        cwd: '/',
        ...(handle !== undefined ? { onSpawn: handle.spawned } : {}),
      });
    } finally {
      handle?.end();
    }
  }

  // --- environment and lookup -------------------------------------------------------------------

  private dirs(): LookupDirs {
    return lookupDirs({ ...this.options, configDir: this.config().configDir });
  }

  private env(): Record<string, string> {
    const dirs = this.dirs();
    return buildAgentEnvironment({
      config: this.config(),
      self: this.options.self,
      resourceDir: dirs.resourceDir,
      ocfRoot: dirs.ocfRoot,
      inherited: process.env,
      ...(this.options.env ? { extra: this.options.env } : {}),
    });
  }

  private ocfEnv(
    agent: Extract<ResolvedAgent, { kind: 'ocf' }>,
    op: 'start' | 'stop' | 'monitor',
  ): Record<string, string> {
    const timeoutMs = this.timeouts[op === 'monitor' ? 'status' : op];
    return {
      ...this.env(),
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '0',
      OCF_RESOURCE_INSTANCE: agent.instance,
      OCF_RESOURCE_TYPE: agent.type,
      OCF_RESOURCE_PROVIDER: agent.provider,
      // Agents size their internal waits from the operation timeout, as under Pacemaker.
      OCF_RESKEY_CRM_meta_timeout: String(timeoutMs),
      ...agent.params,
    };
  }

  private ipContext(op: Op): IpAgentContext {
    return {
      ipCommand: this.options.ipCommand ?? 'ip',
      arp: this.arp,
      env: this.env(),
      timeoutMs: this.timeouts[op],
      killGraceMs: this.killGraceMs,
      log: this.options.log,
      ...(this.ipBatch !== undefined ? { ipBatch: this.ipBatch } : {}),
    };
  }
}
