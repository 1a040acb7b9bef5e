// The resource runner the daemon calls: acquire, release and probe whole groups, Heartbeat-style,
// with the failure handling changed where Heartbeat is dangerous (no kill + reboot on a failed stop;
// a failed start releases the group and says so).
import type { ResourceGroup, ResourceSpec } from '../config/resource-config.js';
import type { ClusterConfig, GroupId } from '../config/types.js';
import { AgentCalls, type OpResult } from './agent-calls.js';
import { quote } from './run-command.js';
import {
  DEFAULT_ARP,
  DEFAULT_TIMEOUTS_MS,
  type GroupRef,
  type GroupResult,
  type ProbeResult,
  type ResourceRunner,
  type ResourceRunnerOptions,
  type ResourceStatus,
  type ResourceStep,
  type StatusCheckOptions,
} from './types.js';

export function createResourceRunner(options: ResourceRunnerOptions): ResourceRunner {
  return new GroupRunner(options);
}

class GroupRunner implements ResourceRunner {
  private config: ClusterConfig;
  private readonly agents: AgentCalls;
  /** Operations on one group run one after another (the daemon may ask twice). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly stopRetries: number;
  private readonly stopRetryDelayMs: number;

  constructor(private readonly options: ResourceRunnerOptions) {
    this.config = options.config;
    this.agents = new AgentCalls(
      options,
      () => this.config,
      { ...DEFAULT_TIMEOUTS_MS, ...options.timeoutsMs },
      { ...DEFAULT_ARP, ...options.arp },
      options.killGraceMs ?? 2000,
    );
    this.stopRetries = options.stopRetries ?? 3;
    this.stopRetryDelayMs = options.stopRetryDelayMs ?? 1000;
  }

  setConfig(config: ClusterConfig): void {
    this.config = config;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
    this.agents.close();
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

  announceGroup(ref: GroupRef): Promise<{ ok: boolean; detail: string }> {
    const group = this.findGroup(ref);
    if (!group) return Promise.resolve({ ok: false, detail: `unknown resource group ${String(ref)}` });
    return this.agents.reannounce(group);
  }

  statusResource(rsc: ResourceSpec, check?: StatusCheckOptions): Promise<ResourceStatus> {
    return this.agents.status(rsc, check);
  }

  restartGroup(ref: GroupRef, fromResource: number): Promise<GroupResult> {
    return this.withGroup(ref, (group) => this.restart(group, fromResource), 'restart');
  }

  // --- group operations -------------------------------------------------------------------------

  private async acquire(group: ResourceGroup): Promise<GroupResult> {
    const steps: ResourceStep[] = [];
    const failed = await this.startInOrder(group, group.resources, [], steps, 'acquire');
    return (
      failed ??
      this.finish(group, true, `${group.resources.length} resource(s) running`, steps, [], 'acquire')
    );
  }

  private async restart(group: ResourceGroup, fromResource: number): Promise<GroupResult> {
    const steps: ResourceStep[] = [];
    const from = Math.max(0, Math.min(fromResource, group.resources.length - 1));
    const kept = group.resources.slice(0, from);
    const again = group.resources.slice(from);
    for (const rsc of [...again].reverse()) {
      const stop = await this.stopWithRetries(group.id, rsc, steps);
      if (!stop.ok) {
        const detail = `stop of ${rsc.raw} failed (${stop.detail}); nothing restarted, the group stays held here`;
        return this.finish(group, false, detail, steps, [rsc.raw], 'restart');
      }
    }
    const failed = await this.startInOrder(group, again, kept, steps, 'restart');
    const detail = `${again.length} resource(s) restarted (${again.map((r) => r.raw).join(', ')})`;
    return failed ?? this.finish(group, true, detail, steps, [], 'restart');
  }

  /**
   * Starts `resources` left to right, after `running` (the group's resources before them, already
   * up). Acquire first asks each resource's status, Heartbeat's "we_own_resource || start" (a
   * restart has just stopped them). A start that fails gives the group up: the failed resource
   * (it may be half started) and everything up before it are stopped right to left, so a peer
   * can take the group cleanly. Undefined when every resource started; else the failed result.
   */
  private async startInOrder(
    group: ResourceGroup,
    resources: readonly ResourceSpec[],
    running: readonly ResourceSpec[],
    steps: ResourceStep[],
    op: 'acquire' | 'restart',
  ): Promise<GroupResult | undefined> {
    const up = [...running];
    for (const rsc of resources) {
      // The built-in IP agent's start looks for the address itself (and only announces it when
      // present): asking its status first would cost the takeover one more `ip` round trip.
      const askFirst = op === 'acquire' && !this.agents.startChecksItself(rsc);
      const st = askFirst ? await this.statusStep(rsc, steps) : undefined;
      if (st?.state === 'running') {
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
      const start = await this.agents.runOp(group.id, rsc, 'start');
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
      this.options.log(
        `resource group=${quote(group.id)} start of ${quote(rsc.raw)} failed; releasing the group`,
        'error',
      );
      const stopFailures: string[] = [];
      for (const r of [rsc, ...up.reverse()]) {
        const stop = await this.stopWithRetries(group.id, r, steps);
        if (!stop.ok) {
          stopFailures.push(r.raw);
          break; // what is left of it depends on this one: leave it for the operator / fencing
        }
      }
      const detail =
        `start of ${rsc.raw} failed (${start.detail}); ` +
        (stopFailures.length === 0
          ? 'group released'
          : `group NOT released: stop of ${stopFailures.join(', ')} failed, resources may still run here`);
      return this.finish(group, false, detail, steps, stopFailures, op);
    }
    return undefined;
  }

  private async release(group: ResourceGroup): Promise<GroupResult> {
    const steps: ResourceStep[] = [];
    for (const rsc of [...group.resources].reverse()) {
      const stop = await this.stopWithRetries(group.id, rsc, steps);
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
  private async stopWithRetries(group: GroupId, rsc: ResourceSpec, steps: ResourceStep[]): Promise<OpResult> {
    let last: OpResult = { ok: false, detail: 'not attempted', durationMs: 0 };
    for (let attempt = 0; attempt <= this.stopRetries; attempt++) {
      if (attempt > 0) await sleep(this.stopRetryDelayMs);
      last = await this.agents.runOp(group, rsc, 'stop');
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
