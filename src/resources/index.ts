// The resource layer's public surface: the daemon imports from here only.
export { createResourceRunner } from './runner.js';
export { DEFAULT_ARP, DEFAULT_TIMEOUTS_MS } from './types.js';
export type {
  AgentKindName,
  ArpOptions,
  GroupEnv,
  GroupRef,
  GroupResult,
  LogLevel,
  ProbeResult,
  ResourceLog,
  ResourceRunner,
  ResourceRunnerOptions,
  ResourceState,
  ResourceStatus,
  ResourceStep,
  ResourceTimeoutsMs,
  ScriptHandle,
  ScriptInfo,
  ScriptTracker,
  StepOp,
  StatusCheckOptions,
} from './types.js';
export { describeOutcome, errorText, runCommand } from './run-command.js';
export { parseIpSpec, type IpSpec } from './ip-spec.js';
export { locateResource, lookupDirs, resourceLocator, type LocateOptions } from './resolve-agent.js';
export { heartbeatOutputSaysRunning } from './status-rules.js';
