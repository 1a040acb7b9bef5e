// Fences a node with whatever the configuration gives for it: its `fence` lines first (fence-agents
// programs, or sbd), then Heartbeat's stonith/stonith_host devices usable from this node, each
// tried in order until one succeeds, each within fence_timeout. An `off` is confirmed by asking
// the agent for the power status until it says off (when the agent has a status action): some
// BMCs report success before the power is really gone (fence_ipmilan's own metadata warns so).
// The daemon wires the core's `fence` action to fence(node, 'off'); `hbts fence` calls it by hand.
import type { FenceMethod, StonithDevice } from '../config/fencing-config.js';
import type { ClusterConfig, NodeName } from '../config/types.js';
import { fencingSettings } from '../config/ha-cf-defaults.js';
import { locateFenceProgram } from './agent-lookup.js';
import { fetchFenceMetadata, runFenceAgent, type FenceAgentAction } from './fence-agents.js';
import { parseFenceMetadata } from './fence-metadata.js';
import { sbdMessage, sbdSlot } from './sbd-tool.js';
import {
  describeDevice,
  deviceConfig,
  stonithConfigNames,
  stonithDeviceStatus,
  stonithHostList,
  stonithReset,
} from './stonith-glue.js';

export type FenceAction = 'off' | 'reboot' | 'on' | 'status';

export interface FenceOutcome {
  /** off/reboot: the node is confirmed fenced; on: powered on; status: the state was read. */
  readonly ok: boolean;
  /** What was done and what the agent said, each method tried (for logs, status and the CLI). */
  readonly detail: string;
  /** The method that succeeded, or the last one tried; `none` when the node has none. */
  readonly method: string;
  /** For `status` (and a confirmed `off`): the power state the agent reported, when it can tell. */
  readonly power?: 'on' | 'off';
}

export interface FenceRunner {
  fence(node: NodeName, action: FenceAction): Promise<FenceOutcome>;
}

export type FenceLog = (line: string, level?: 'debug' | 'info' | 'warn' | 'error') => void;

export interface FenceRunnerOptions {
  readonly config: ClusterConfig;
  readonly self: NodeName;
  readonly log: FenceLog;
  /** Pause between status polls while confirming an off (tests shorten it). */
  readonly confirmPollMs?: number;
}

/** One way to fence the node, as the runner tries it. */
type Way =
  | { readonly kind: 'method'; readonly method: FenceMethod }
  | { readonly kind: 'stonith'; readonly device: StonithDevice };

/** The fence lines for the node, then the stonith devices this node may use (Heartbeat's order). */
export function fenceWays(config: ClusterConfig, self: NodeName, node: NodeName): Way[] {
  return [
    ...fencingSettings(config)
      .fence.filter((m) => m.target === node)
      .map((method): Way => ({ kind: 'method', method })),
    ...config.stonith
      .filter((d) => d.host === '*' || d.host === self)
      .map((device): Way => ({ kind: 'stonith', device })),
  ];
}

export function describeWay(way: Way, config: Pick<ClusterConfig, 'diskLock'>): string {
  if (way.kind === 'stonith') return describeDevice(way.device);
  const { method } = way;
  const at = `${method.at.file}:${method.at.line}`;
  if (method.kind === 'sbd') return `sbd on ${config.diskLock?.device ?? '(no disk_lock)'} (${at})`;
  return `${method.agent} (${at})`;
}

interface Attempt {
  readonly ok: boolean;
  readonly detail: string;
  readonly power?: 'on' | 'off';
}

export function createFenceRunner(opts: FenceRunnerOptions): FenceRunner {
  const { config, self, log } = opts;
  const pollMs = opts.confirmPollMs ?? 1000;
  const statusSupport = new Map<string, Promise<boolean>>();
  const stonithNames = new Map<string, Promise<string[] | { error: string }>>();
  const inFlight = new Map<NodeName, { action: FenceAction; done: Promise<FenceOutcome> }>();

  /** Whether the agent lists a status action (asked once per agent); unknown counts as yes. */
  const hasStatus = (path: string, deadline: number): Promise<boolean> => {
    let known = statusSupport.get(path);
    if (known === undefined) {
      known = fetchFenceMetadata(path, Math.max(1, Math.min(10_000, deadline - performance.now()))).then(
        (xml) => {
          const meta = typeof xml === 'string' ? parseFenceMetadata(xml) : undefined;
          return meta === undefined || meta.actions.includes('status');
        },
      );
      statusSupport.set(path, known);
    }
    return known;
  };

  const left = (deadline: number): number => Math.max(1, Math.round(deadline - performance.now()));

  const agentWay = async (
    m: Extract<FenceMethod, { kind: 'fence-agent' }>,
    node: NodeName,
    action: FenceAction,
    deadline: number,
  ): Promise<Attempt> => {
    const where = locateFenceProgram(m.agent);
    if (!where.ok) return { ok: false, detail: where.error };
    const call = (a: FenceAgentAction): ReturnType<typeof runFenceAgent> =>
      runFenceAgent({
        path: where.path,
        options: m.options,
        target: node,
        action: a,
        timeoutMs: left(deadline),
      });
    const first = await call(action);
    if (action === 'status') {
      if (first.result === 'failed') return { ok: false, detail: first.detail };
      return { ok: true, detail: first.detail, power: first.result === 'off' ? 'off' : 'on' };
    }
    if (first.result !== 'ok') return { ok: false, detail: first.detail };
    if (action !== 'off') return { ok: true, detail: first.detail };
    if (!(await hasStatus(where.path, deadline)))
      return { ok: true, detail: `${first.detail}; not confirmed: the agent has no status action` };
    return confirmOff(first.detail, () => call('status'), deadline);
  };

  /** Polls status until it says off, within the method's deadline. */
  const confirmOff = async (
    offDetail: string,
    status: () => ReturnType<typeof runFenceAgent>,
    deadline: number,
  ): Promise<Attempt> => {
    let last = '';
    for (;;) {
      const s = await status();
      if (s.result === 'off')
        return { ok: true, detail: `${offDetail}; confirmed: ${s.detail}`, power: 'off' };
      // A call cut short by the deadline says nothing about the power: keep the last that did.
      if (s.timedOut !== true || last === '')
        last = s.result === 'ok' ? `${s.detail} (power still on)` : s.detail;
      if (deadline - performance.now() < pollMs + s.durationMs) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return {
      ok: false,
      detail: `${offDetail}, but status does not confirm it within fence_timeout: ${last}`,
    };
  };

  const sbdWay = async (node: NodeName, action: FenceAction, deadline: number): Promise<Attempt> => {
    const device = config.diskLock?.device;
    if (device === undefined) return { ok: false, detail: 'fence ... sbd needs a disk_lock line' };
    if (action === 'status') return sbdSlot(device, node, left(deadline));
    const message = action === 'off' ? 'off' : action === 'reboot' ? 'reset' : 'clear';
    return sbdMessage(device, node, message, left(deadline));
  };

  const stonithWay = async (
    d: StonithDevice,
    node: NodeName,
    action: FenceAction,
    deadline: number,
  ): Promise<Attempt> => {
    let names: string[] | { error: string } = [];
    if (d.kind === 'stonith_host') {
      const cached = stonithNames.get(d.type) ?? stonithConfigNames(d.type, Math.min(10_000, left(deadline)));
      stonithNames.set(d.type, cached);
      names = await cached;
      if (!Array.isArray(names)) {
        stonithNames.delete(d.type); // ask again next time: the failure may pass
        return { ok: false, detail: names.error };
      }
    }
    const cfg = deviceConfig(d, names);
    if (typeof cfg === 'string') return { ok: false, detail: cfg };
    const hosts = await stonithHostList(d, cfg, left(deadline));
    if (!Array.isArray(hosts)) return { ok: false, detail: hosts.error };
    if (!hosts.includes(node))
      return {
        ok: false,
        detail: `${d.type} does not control ${node} (stonith -l lists: ${hosts.join(', ') || 'none'})`,
      };
    if (action === 'status') {
      const s = await stonithDeviceStatus(d, cfg, left(deadline));
      return s.ok ? { ok: true, detail: `${s.detail}; cluster-glue cannot tell a host's power state` } : s;
    }
    return stonithReset(d, cfg, action === 'reboot' ? 'reset' : action, node, left(deadline));
  };

  const tryWay = (way: Way, node: NodeName, action: FenceAction, deadline: number): Promise<Attempt> => {
    if (way.kind === 'stonith') return stonithWay(way.device, node, action, deadline);
    if (way.method.kind === 'sbd') return sbdWay(node, action, deadline);
    return agentWay(way.method, node, action, deadline);
  };

  const fenceNow = async (node: NodeName, action: FenceAction): Promise<FenceOutcome> => {
    const ways = fenceWays(config, self, node);
    if (ways.length === 0) {
      const detail = `no fence method for ${node}: add a \`fence ${node} <agent> key=value...\` line (hbts.cf) or a stonith_host line usable from ${self}`;
      log(`fence ${node} ${action}: ${detail}`, 'error');
      return { ok: false, detail, method: 'none' };
    }
    const failures: string[] = [];
    let method = 'none';
    for (const way of ways) {
      method = describeWay(way, config);
      log(`fence ${node} ${action}: trying ${method}`, 'info');
      let a: Attempt;
      try {
        a = await tryWay(way, node, action, performance.now() + fencingSettings(config).fenceTimeoutMs);
      } catch (err) {
        a = { ok: false, detail: `internal error: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (a.ok) {
        log(`fence ${node} ${action}: done by ${method}: ${a.detail}`, 'info');
        return { ok: true, detail: `${method}: ${a.detail}`, method, ...(a.power ? { power: a.power } : {}) };
      }
      log(`fence ${node} ${action}: ${method} failed: ${a.detail}`, 'warn');
      failures.push(`${method}: ${a.detail}`);
    }
    return { ok: false, detail: failures.join('; '), method };
  };

  return {
    // Never two calls on one node at once: the same action asked again joins the running call,
    // another action waits for it.
    fence(node, action) {
      const running = inFlight.get(node);
      if (running?.action === action) return running.done;
      const done = (running?.done ?? Promise.resolve()).then(() => fenceNow(node, action));
      inFlight.set(node, { action, done });
      void done.then(() => {
        if (inFlight.get(node)?.done === done) inFlight.delete(node);
      });
      return done;
    },
  };
}
