// The resource runner the daemon calls: acquire, release and probe whole groups, Heartbeat-style,
// with the failure handling changed where Heartbeat is dangerous (no kill + reboot on a failed stop;
// a failed start releases the group and says so).
import type { ClusterConfig, GroupId, ResourceGroup, ResourceSpec } from '../config/types.js';
import { buildAgentEnvironment } from './environment.js';
import { IpAddressAgent, type IpAgentContext } from './ip-address-agent.js';
import { lookupDirs, resolveAgent, type LookupDirs, type ResolvedAgent } from './resolve-agent.js';
import { describeOutcome, quote, runCommand, type CommandOutcome } from './run-command.js';
import {
  heartbeatScriptStatus,
  lsbStatus,
  ocfCodeName,
  ocfMonitorStatus,
  OCF_NOT_RUNNING,
} from './status-rules.js';
import {
  DEFAULT_ARP,
  DEFAULT_TIMEOUTS_MS,
  type ArpOptions,
  type GroupRef,
  type GroupResult,
  type ProbeResult,
  type ResourceRunner,
  type ResourceRunnerOptions,
  type ResourceStatus,
  type ResourceStep,
  type ResourceTimeoutsMs,
} from './types.js';

interface OpResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly durationMs: number;
}

export function createResourceRunner(options: ResourceRunnerOptions): ResourceRunner {
  return new GroupRunner(options);
}

class GroupRunner implements ResourceRunner {
  private config: ClusterConfig;
  private readonly timeouts: ResourceTimeoutsMs;
  private readonly arp: ArpOptions;
  private readonly ipAgent = new IpAddressAgent();
  /** Operations on one group run one after another (the daemon may ask twice). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly stopRetries: number;
  private readonly stopRetryDelayMs: number;
  private readonly killGraceMs: number;

  constructor(private readonly options: ResourceRunnerOptions) {
    this.config = options.config;
    this.timeouts = { ...DEFAULT_TIMEOUTS_MS, ...options.timeoutsMs };
    this.arp = { ...DEFAULT_ARP, ...options.arp };
    this.stopRetries = options.stopRetries ?? 3;
    this.stopRetryDelayMs = options.stopRetryDelayMs ?? 1000;
    this.killGraceMs = options.killGraceMs ?? 2000;
  }

  setConfig(config: ClusterConfig): void {
    this.config = config;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    this.ipAgent.close();
  }

  acquireGroup(ref: GroupRef): Promise<GroupResult> {
    return this.withGroup(ref, (group) => this.acquire(group), 'acquire');
  }

  releaseGroup(ref: GroupRef): Promise<GroupResult> {
    return this.withGroup(ref, (group) => this.release(group), 'release');
  }

  async probeGroup(ref: GroupRef): Promise<ProbeResult> {
    const group = this.findGroup(ref);
    if (!group)
      return {
        group: ref as GroupId,
        state: 'none',
        ok: false,
        detail: `unknown resource group ${String(ref)}`,
        resources: [],
      };
    return this.serialize(group.id, async () => {
      const resources: ResourceStatus[] = [];
      for (const rsc of group.resources) resources.push(await this.statusResource(rsc));
      const running = resources.filter((r) => r.state === 'running').length;
      const state = running === resources.length ? 'all' : running === 0 ? 'none' : 'some';
      const notRunning = resources
        .filter((r) => r.state !== 'running')
        .map((r) => `${r.resource}=${r.state}`);
      const detail =
        state === 'all'
          ? `all ${running} running`
          : `${running}/${resources.length} running; ${notRunning.join(' ')}`;
      return { group: group.id, state, ok: state === 'all', detail, resources };
    });
  }

  async announceGroup(ref: GroupRef): Promise<{ ok: boolean; detail: string }> {
    const group = this.findGroup(ref);
    if (!group) return { ok: false, detail: `unknown resource group ${String(ref)}` };
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

  async statusResource(rsc: ResourceSpec): Promise<ResourceStatus> {
    const agent = resolveAgent(rsc, this.dirs());
    if (agent.kind === 'missing')
      return { resource: rsc.raw, state: 'unknown', agent: 'missing', detail: agent.detail };
    const startedMs = performance.now();
    const verdict = await this.runStatus(rsc, agent);
    const durationMs = Math.round(performance.now() - startedMs);
    this.options.log(
      `resource op=status rsc=${quote(rsc.raw)} agent=${agent.kind} state=${verdict.state} ${verdict.detail} duration_ms=${durationMs}`,
      'debug',
    );
    return { resource: rsc.raw, state: verdict.state, agent: agent.kind, detail: verdict.detail };
  }

  // --- group operations -------------------------------------------------------------------------

  private async acquire(group: ResourceGroup): Promise<GroupResult> {
    const steps: ResourceStep[] = [];
    const up: ResourceSpec[] = [];
    for (const rsc of group.resources) {
      const st = await this.statusStep(rsc, steps);
      if (st.state === 'running') {
        // Heartbeat: "we_own_resource || start" — a resource that already runs is not started again.
        steps.push({
          resource: rsc.raw,
          op: 'start',
          outcome: 'skipped',
          detail: 'already running',
          durationMs: 0,
        });
        up.push(rsc);
        continue;
      }
      const start = await this.runOp(rsc, 'start');
      steps.push({
        resource: rsc.raw,
        op: 'start',
        outcome: start.ok ? 'ok' : 'failed',
        detail: start.detail,
        durationMs: start.durationMs,
      });
      if (start.ok) {
        up.push(rsc);
        continue;
      }
      // Give the group up: stop the failed resource (it may be half started) and everything
      // before it, right to left, so the peer can take the group cleanly.
      this.options.log(
        `resource group=${quote(group.id)} start of ${quote(rsc.raw)} failed; releasing the group`,
        'error',
      );
      const rollback = [rsc, ...up.reverse()];
      const stopFailures: string[] = [];
      for (const r of rollback) {
        const stop = await this.stopWithRetries(r, steps);
        if (!stop.ok) {
          stopFailures.push(r.raw);
          break; // what is left of it depends on this one: leave it for the operator / fencing
        }
      }
      const detail =
        `start of ${rsc.raw} failed (${start.detail}); ` +
        (stopFailures.length === 0
          ? `group released`
          : `group NOT released: stop of ${stopFailures.join(', ')} failed, resources may still run here`);
      return this.finish(group, false, detail, steps, stopFailures, 'acquire');
    }
    return this.finish(group, true, `${group.resources.length} resource(s) running`, steps, [], 'acquire');
  }

  private async release(group: ResourceGroup): Promise<GroupResult> {
    const steps: ResourceStep[] = [];
    for (const rsc of [...group.resources].reverse()) {
      const stop = await this.stopWithRetries(rsc, steps);
      if (!stop.ok) {
        // Heartbeat would now `pkill -9 heartbeat` and reboot. We stop here and report: the
        // resources to the left are what this one depends on, so stopping them would not help.
        const detail = `stop of ${rsc.raw} failed (${stop.detail}); resources left of it not stopped`;
        return this.finish(group, false, detail, steps, [rsc.raw], 'release');
      }
    }
    return this.finish(group, true, `${group.resources.length} resource(s) stopped`, steps, [], 'release');
  }

  /**
   * Stop, and on failure: if status now says stopped, accept it (Heartbeat's "probably not
   * LSB-compliant" case); otherwise retry after a pause, up to stopRetries more times.
   */
  private async stopWithRetries(rsc: ResourceSpec, steps: ResourceStep[]): Promise<OpResult> {
    let last: OpResult = { ok: false, detail: 'not attempted', durationMs: 0 };
    for (let attempt = 0; attempt <= this.stopRetries; attempt++) {
      if (attempt > 0) await sleep(this.stopRetryDelayMs);
      last = await this.runOp(rsc, 'stop');
      steps.push({
        resource: rsc.raw,
        op: 'stop',
        outcome: last.ok ? 'ok' : 'failed',
        detail: last.detail,
        durationMs: last.durationMs,
      });
      if (last.ok) return last;
      const st = await this.statusStep(rsc, steps);
      if (st.state === 'stopped') {
        this.options.log(
          `resource op=stop rsc=${quote(rsc.raw)} failed but status says stopped; accepting (script probably not LSB-compliant)`,
          'warn',
        );
        return {
          ok: true,
          detail: `stop failed (${last.detail}) but status says stopped`,
          durationMs: last.durationMs,
        };
      }
    }
    return last;
  }

  private finish(
    group: ResourceGroup,
    ok: boolean,
    detail: string,
    steps: ResourceStep[],
    stopFailures: string[],
    what: string,
  ): GroupResult {
    this.options.log(`resource ${what} group=${quote(group.id)} ok=${ok} ${detail}`, ok ? 'info' : 'error');
    return { group: group.id, ok, detail, steps, stopFailures };
  }

  // --- one resource -----------------------------------------------------------------------------

  /** Asks the resource's status and records the answer as a step of the group operation. */
  private async statusStep(rsc: ResourceSpec, steps: ResourceStep[]): Promise<ResourceStatus> {
    const startedMs = performance.now();
    const st = await this.statusResource(rsc);
    steps.push({
      resource: rsc.raw,
      op: 'status',
      outcome: 'ok',
      detail: `${st.state}: ${st.detail}`,
      durationMs: Math.round(performance.now() - startedMs),
    });
    return st;
  }

  private async runOp(rsc: ResourceSpec, op: 'start' | 'stop'): Promise<OpResult> {
    const startedMs = performance.now();
    const agent = resolveAgent(rsc, this.dirs());
    const result = await this.runResolvedOp(rsc, agent, op);
    const durationMs = Math.round(performance.now() - startedMs);
    this.options.log(
      `resource op=${op} rsc=${quote(rsc.raw)} agent=${agent.kind} ok=${result.ok} ${result.detail} duration_ms=${durationMs}`,
      result.ok ? 'info' : 'error',
    );
    return { ...result, durationMs };
  }

  private async runResolvedOp(
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
        const outcome = await this.exec(agent.path, [...agent.args, op], this.env(), op);
        return {
          ok: outcome.kind === 'exited' && outcome.code === 0,
          detail: `${agent.path} ${describeOutcome(outcome)}`,
        };
      }
      case 'ocf': {
        const outcome = await this.exec(agent.path, [op], this.ocfEnv(agent, op), op);
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
    rsc: ResourceSpec,
    agent: Exclude<ResolvedAgent, { kind: 'missing' }>,
  ): Promise<{ state: ResourceStatus['state']; detail: string }> {
    switch (agent.kind) {
      case 'builtin-ip':
        return this.ipAgent.status(agent.spec, this.ipContext('status'));
      case 'heartbeat':
      case 'lsb': {
        const outcome = await this.exec(agent.path, [...agent.args, 'status'], this.env(), 'status');
        if (outcome.kind !== 'exited')
          return { state: 'unknown', detail: `${agent.path} ${describeOutcome(outcome)}` };
        const verdict =
          agent.kind === 'heartbeat'
            ? heartbeatScriptStatus(outcome.stdout)
            : lsbStatus(outcome.code, outcome.stdout);
        return { state: verdict.state, detail: `(${verdict.rule}) ${describeOutcome(outcome)}` };
      }
      case 'ocf': {
        const outcome = await this.exec(agent.path, ['monitor'], this.ocfEnv(agent, 'monitor'), 'status');
        if (outcome.kind !== 'exited')
          return { state: 'unknown', detail: `${agent.path} ${describeOutcome(outcome)}` };
        const verdict = ocfMonitorStatus(outcome.code);
        return { state: verdict.state, detail: `(${verdict.rule}) ${describeOutcome(outcome)}` };
      }
    }
  }

  private exec(
    file: string,
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    op: 'start' | 'stop' | 'status',
  ): Promise<CommandOutcome> {
    return runCommand({
      file,
      args,
      env,
      timeoutMs: this.timeouts[op],
      killGraceMs: this.killGraceMs,
      cwd: '/',
    });
  }

  // --- environment and lookup -------------------------------------------------------------------

  private dirs(): LookupDirs {
    return lookupDirs({ ...this.options, configDir: this.config.configDir });
  }

  private env(): Record<string, string> {
    const dirs = this.dirs();
    return buildAgentEnvironment({
      config: this.config,
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

  private ipContext(op: 'start' | 'stop' | 'status'): IpAgentContext {
    return {
      ipCommand: this.options.ipCommand ?? 'ip',
      arp: this.arp,
      env: this.env(),
      timeoutMs: this.timeouts[op],
      killGraceMs: this.killGraceMs,
      log: this.options.log,
    };
  }

  // --- groups -----------------------------------------------------------------------------------

  private findGroup(ref: GroupRef): ResourceGroup | undefined {
    if (typeof ref !== 'string') return ref;
    return this.config.resourceGroups.find((g) => g.id === ref);
  }

  private withGroup(
    ref: GroupRef,
    body: (group: ResourceGroup) => Promise<GroupResult>,
    what: string,
  ): Promise<GroupResult> {
    const group = this.findGroup(ref);
    if (!group) {
      const detail = `unknown resource group ${String(ref)}`;
      this.options.log(`resource ${what} ${detail}`, 'error');
      return Promise.resolve({ group: ref as GroupId, ok: false, detail, steps: [], stopFailures: [] });
    }
    return this.serialize(group.id, () => body(group));
  }

  private serialize<T>(key: string, body: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(body, body);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return next;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
