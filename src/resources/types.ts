// Public types of the resource layer: what the daemon passes in and what it gets back.
import type { ResourceGroup, ResourceSpec } from '../config/resource-config.js';
import type { ClusterConfig, GroupId, NodeName } from '../config/types.js';

/** A status call made as a health check. */
export interface StatusCheckOptions {
  /** OCF_CHECK_LEVEL for an OCF agent's monitor (0 = the agent's default). */
  readonly depth?: number;
  readonly timeoutMs?: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** One log line per event; `level` is a hint (a plain `(line) => void` works too). */
export type ResourceLog = (line: string, level?: LogLevel) => void;

export interface ResourceTimeoutsMs {
  readonly start: number;
  readonly stop: number;
  /** Also used for OCF `monitor` and the `ip` calls of the built-in address agent. */
  readonly status: number;
}

export const DEFAULT_TIMEOUTS_MS: ResourceTimeoutsMs = { start: 60_000, stop: 60_000, status: 20_000 };

/** How the built-in IPaddr/IPaddr2 agent announces a takeover. Defaults mirror OCF IPaddr2's send_arp. */
export interface ArpOptions {
  /** Frames of each kind (ARP request `-U` and ARP reply `-A`). 0 disables ARP. */
  readonly count: number;
  readonly intervalMs: number;
  /** The arping binary (iputils). */
  readonly command: string;
}

export const DEFAULT_ARP: ArpOptions = { count: 5, intervalMs: 200, command: 'arping' };

/** Extra environment for one group's scripts (undefined: none). */
export type GroupEnv = (group: GroupId) => Readonly<Record<string, string>> | undefined;

export interface ResourceRunnerOptions {
  readonly config: ClusterConfig;
  /** This node (HA_CURHOST). */
  readonly self: NodeName;
  /** Heartbeat-style scripts; default `<configDir>/resource.d`. */
  readonly resourceDir?: string;
  /** LSB init scripts; default `/etc/init.d`. */
  readonly initDir?: string;
  /** OCF root; default `/usr/lib/ocf`. */
  readonly ocfRoot?: string;
  readonly timeoutsMs?: Partial<ResourceTimeoutsMs>;
  /** Extra stop attempts after a failed stop (Heartbeat: 10). Default 3. */
  readonly stopRetries?: number;
  /** Pause between stop attempts (Heartbeat: 1 s). Default 1000. */
  readonly stopRetryDelayMs?: number;
  /** SIGTERM -> SIGKILL grace for a timed-out script. Default 2000. */
  readonly killGraceMs?: number;
  readonly log: ResourceLog;
  /** Extra environment for every agent (e.g. HA_RSCTMP for tests), applied last. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra environment for one group's start/stop scripts (the arbiter's HBTS_FENCING_TOKEN). */
  readonly groupEnv?: GroupEnv;
  /**
   * `builtin` (default): IPaddr, IPaddr2 and bare addresses use the built-in `ip`+`arping` agent.
   * `script`: look them up like any other resource (Heartbeat's resource.d/IPaddr wrappers).
   */
  readonly ipAgent?: 'builtin' | 'script';
  readonly arp?: Partial<ArpOptions>;
  /** The `ip` binary; default `ip` (found on PATH). */
  readonly ipCommand?: string;
  /**
   * Run the built-in IP agent's `ip` commands through one long-running `ip -batch -` started at
   * once (the daemon: a takeover waits for no process start). Default false: a process per command.
   */
  readonly ipBatch?: boolean;
  /**
   * Told about every start/stop script before it is spawned and when it ends (the daemon keeps a
   * durable record, so that a restarted daemon finds a script its previous run left running).
   */
  readonly scripts?: ScriptTracker;
}

/** A start or stop script about to run. */
export interface ScriptInfo {
  readonly group: GroupId;
  readonly resource: string;
  readonly op: 'start' | 'stop';
  readonly file: string;
  readonly timeoutMs: number;
}

export interface ScriptTracker {
  /**
   * Called before the spawn; the record must be durable when it returns. Throws when it cannot be
   * written: the runner then refuses a start (stops still run: refusing one would strand the group).
   */
  begin(info: ScriptInfo): ScriptHandle;
}

export interface ScriptHandle {
  /** Added to the script's environment (an id that lets a restarted daemon recognise its processes). */
  readonly env: Readonly<Record<string, string>>;
  /** Synchronously right after the spawn: the script's pid, which is also its process group id. */
  spawned(pid: number): void;
  /** The script has exited (or was never spawned). */
  end(): void;
}

/** Which kind of agent a resource resolved to. */
export type AgentKindName = 'builtin-ip' | 'heartbeat' | 'lsb' | 'ocf';

export type ResourceState = 'running' | 'stopped' | 'unknown';

export interface ResourceStatus {
  readonly resource: string;
  readonly state: ResourceState;
  readonly agent: AgentKindName | 'missing';
  readonly detail: string;
}

export type StepOp = 'status' | 'start' | 'stop';

/** One thing the runner did to one resource, in order. */
export interface ResourceStep {
  readonly resource: string;
  readonly op: StepOp;
  /** `skipped`: start not run because status said running. */
  readonly outcome: 'ok' | 'failed' | 'skipped';
  readonly detail: string;
  readonly durationMs: number;
}

export interface GroupResult {
  readonly group: GroupId;
  readonly ok: boolean;
  /** One line for the log / action-result detail. */
  readonly detail: string;
  readonly steps: readonly ResourceStep[];
  /**
   * Resources that could not be stopped (release, or the rollback of a failed acquire). Non-empty
   * means the group may still be partly running here: it must not be started elsewhere unless this
   * node is fenced.
   */
  readonly stopFailures: readonly string[];
}

export interface ProbeResult {
  readonly group: GroupId;
  /** `all` running, `none` running, or `some` (a partial group: needs a release before anything else). */
  readonly state: 'all' | 'none' | 'some';
  readonly ok: boolean;
  readonly detail: string;
  readonly resources: readonly ResourceStatus[];
}

export type GroupRef = ResourceGroup | GroupId;

export interface ResourceRunner {
  /** Start left to right; skip what already runs; on a failure stop it and what came before, in reverse. */
  acquireGroup(group: GroupRef): Promise<GroupResult>;
  /** Stop right to left; retry failed stops; never kills anything; stops at the first stop that still fails. */
  releaseGroup(group: GroupRef): Promise<GroupResult>;
  /** Status of every resource of the group. */
  probeGroup(group: GroupRef): Promise<ProbeResult>;
  /**
   * Gratuitous ARP again for the group's built-in virtual IPs (IPaddr, IPaddr2, bare addresses),
   * at once and outside the group's operation queue: a split brain was resolved in our favour.
   */
  announceGroup(group: GroupRef): Promise<{ readonly ok: boolean; readonly detail: string }>;
  statusResource(resource: ResourceSpec, check?: StatusCheckOptions): Promise<ResourceStatus>;
  /**
   * Restart in place after a failed health check: stop the resources from the last down to
   * `fromResource`, then start them again; the ones before it keep running. A failed stop ends it
   * there (`stopFailures`, nothing started); a failed start stops the whole group, as acquire does.
   */
  restartGroup(group: GroupRef, fromResource: number): Promise<GroupResult>;
  /** Use a reloaded configuration for later operations. */
  setConfig(config: ClusterConfig): void;
  /** Stop background helpers (gratuitous ARP senders); waits for operations in flight. */
  close(): Promise<void>;
}
