// `hbts daemon`: load the config, open the media, start the core and the resource runner, serve
// the control socket, and handle signals. Collaborators come in through DaemonDeps so tests (and
// the pieces still being built) can be swapped; real-deps.ts wires the real ones.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { changedFacts } from '../config/fingerprint.js';
import type { ClusterConfig, MediumId, NodeName } from '../config/types.js';
import { createFenceRunner } from '../fencing/fence-runner.js';
import type { AdminCommand, ClusterNodeOptions, ClusterStatus, ResourceSet } from '../cluster/types.js';
import type { EndpointCounters, EndpointOptions, ProtocolEndpoint } from '../protocol/endpoint.js';
import type { ScriptTracker } from '../resources/index.js';
import type { InterfaceInfo } from '../transport/interfaces.js';
import { readInterfaces } from '../transport/interfaces.js';
import { openAllMedia } from '../transport/open-medium.js';
import type { Transport } from '../transport/transport.js';
import { UdpReceiverPool } from '../transport/udp-receivers.js';
import { ControlServer } from './control-server.js';
import { CONTROL_SOCKET_NAME, PID_FILE_NAME } from './control-protocol.js';
import type { ControlRequest } from './control-protocol.js';
import type { ActionRunner, CoreLike } from './driver.js';
import { Driver } from './driver.js';
import { EventLog, logTargets } from './event-log.js';
import { confirmFenced, withFencing } from './fence-wiring.js';
import { checkDiskLock, startDiskLock, type DiskLock } from './disk-lock.js';
import { DaemonStartError } from './errors.js';
import { openLocalState } from './local-state.js';
import { writeFileNoFollow } from './private-dir.js';
import { MAX_WIRE_GENERATION } from './generation-counter.js';
import { KeyedGate, reasonOf } from './log-limits.js';
import { WatchdogWriter } from './watchdog.js';
import { goRealtime } from './realtime.js';
import { MediaErrors } from './media-errors.js';
import { echoDelayMs, withEcho } from './echo-sink.js';
import { TimerLag, type TimerLagSnapshot } from './timer-lag.js';

export interface ConfigProblem {
  readonly severity: 'error' | 'warning';
  readonly text: string;
}

export type ConfigResult =
  | {
      readonly ok: true;
      readonly config: ClusterConfig;
      readonly warnings: readonly string[];
      /** The local node name (given, from nodeinfo, or uname -n). */
      readonly nodeName: string;
    }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface GroupRunnerFactory {
  /** `scripts`: told about every start/stop script before it runs (durable records in the state dir). */
  (config: ClusterConfig, log: EventLog, self: string, scripts?: ScriptTracker): ActionRunner;
}

export interface DaemonDeps {
  loadConfig(configDir: string, nodeName: string | undefined): Promise<ConfigResult>;
  createEndpoint(options: EndpointOptions): ProtocolEndpoint;
  createCore(options: ClusterNodeOptions): CoreLike;
  createRunner: GroupRunnerFactory;
  /**
   * The serial-line encoder for this config: each packet -> classic text with the inner auth
   * field (the only signature serial receivers check); undefined when the packet does not decode.
   */
  serialEncoder?(config: ClusterConfig): (bytes: Uint8Array) => Uint8Array | undefined;
  readInterfaces?(): Promise<Map<string, InterfaceInfo>>;
  /** Honour `realtime` (SCHED_RR for this process): the real daemon only, never a test's process. */
  readonly realtime?: boolean;
}

export interface DaemonOptions {
  readonly configDir: string;
  /** undefined: `nodeinfo` in the config dir, else uname -n (like Heartbeat). */
  readonly nodeName: string | undefined;
  readonly runDir: string;
  readonly stateDir: string;
  readonly foreground: boolean;
  /**
   * Several daemons on one host (the loopback demo): receive on this address instead of 0.0.0.0
   * and send from it, and treat it as our only own address.
   */
  readonly bindAddress?: string;
  /** Told when a shutdown starts (the supervisor must not take the exit that follows for a crash). */
  readonly onShutdown?: () => void;
}

export interface RunningDaemon {
  /** Resolves when the daemon has finished (graceful shutdown or fatal error). */
  readonly done: Promise<number>;
  status(): DaemonStatus;
  /** Graceful shutdown; `why` (logged at crit) when it is not an operator's request. */
  shutdown(why?: string): void;
  reload(): Promise<{ ok: boolean; message: string }>;
}

export interface DaemonStatus {
  readonly pid: number;
  readonly node: string;
  readonly generation: number;
  readonly configDir: string;
  readonly media: readonly { id: MediumId; description: string; sendErrors: number; lastError?: string }[];
  readonly cluster: ClusterStatus;
  readonly endpoint: EndpointCounters;
  readonly held: { groups: readonly string[]; failed: readonly string[] };
  readonly actionsInFlight: readonly string[];
  /** Log limits at work: lines dropped by the rate limit, keys held by the rejection gate. */
  readonly log: { readonly droppedLines: number; readonly gateKeys: number };
  /** `disk_lock`: our slot and whether the disk is reachable. */
  readonly diskLock?: ReturnType<DiskLock['state']>;
  /** Event-loop lag of the heartbeat path (how late the core's timer fired), and the scheduling. */
  readonly eventLoop: TimerLagSnapshot;
}

const SHUTDOWN_GRACE_MS = 10 * 60 * 1000;

export async function startDaemon(opts: DaemonOptions, deps: DaemonDeps): Promise<RunningDaemon> {
  const loaded = await deps.loadConfig(opts.configDir, opts.nodeName);
  if (!loaded.ok) throw new DaemonStartError(loaded.errors.join('\n'), 6);
  let config = loaded.config;
  const self = loaded.nodeName.toLowerCase();
  const log = new EventLog(self, logTargets(config, opts.foreground));
  for (const w of loaded.warnings) log.log('warn', `config: ${w}`);
  await checkDiskLock(config.diskLock?.device, () => log.close());
  // realtime (Heartbeat's default) first: every process started from here on inherits SCHED_RR
  const timerLag = new TimerLag(() => config.keepaliveMs);
  if (deps.realtime === true) await goRealtime(config.directives, timerLag, log);

  // Run and state dirs, identity, held groups, runner; scripts a killed run left behind are dealt
  // with here, before anything can probe or start.
  let local;
  try {
    local = await openLocalState(opts, config, log, (scripts) =>
      deps.createRunner(config, log, self, scripts),
    );
  } catch (err) {
    throw new DaemonStartError((err as Error).message, 1, { cause: err });
  }
  const { identity, held, groupRunner } = local;
  if (identity.generation >= MAX_WIRE_GENERATION) {
    log.log(
      'crit',
      `the generation counter in ${join(opts.stateDir, 'hb_generation')} is above ${MAX_WIRE_GENERATION}, the highest ` +
        'generation peers can read: this node announces that value at every start, so peers cannot tell its restarts ' +
        'apart. Fix: stop the cluster, write a smaller number into the file (e.g. `date +%s`), start again.',
    );
  }
  const fencer = createFenceRunner({
    config,
    self: self as NodeName,
    log: (line, level) => log.log(level ?? 'info', line),
  });
  const runner = withFencing(local.runner, fencer, log);

  // Media: refuse to start when one cannot be opened (a node that cannot talk must not run).
  const mediaErrors = new MediaErrors(log);
  // Assigned once the core exists; the transport callbacks created before that read it late.
  // eslint-disable-next-line prefer-const
  let driver: Driver | undefined;
  const interfaces = await (deps.readInterfaces ?? readInterfaces)();
  // Identical ha.cf on every node lists a `ucast` to each node, ourselves included. Heartbeat sends
  // to itself harmlessly; we skip that medium so no link shows up as dead forever.
  const ownAddresses =
    opts.bindAddress !== undefined
      ? new Set([opts.bindAddress])
      : new Set([...interfaces.values()].flatMap((i) => i.ipv4.map((a) => a.address)));
  const activeMedia = config.media.filter((m) => {
    if (m.kind === 'ucast' && ownAddresses.has(m.peer)) {
      log.log('info', 'medium skipped: ucast to one of our own addresses', { medium: m.id });
      return false;
    }
    return true;
  });
  const coreConfig: ClusterConfig = { ...config, media: activeMedia };
  if (activeMedia.length === 0) {
    log.close();
    throw new DaemonStartError('no usable heartbeat medium in ha.cf (bcast, ucast, mcast or serial)', 6);
  }
  const receivers = new UdpReceiverPool((key, message) =>
    log.log('error', 'receive socket error', { key, message }),
  );
  let transports: Transport[];
  try {
    transports = await openAllMedia(activeMedia, {
      interfaces,
      receivers,
      handlers: {
        onPacket: (medium, bytes) => driver?.packet(medium, bytes),
        onError: (medium, message) => mediaErrors.record(medium, message),
      },
      ...(opts.bindAddress !== undefined
        ? { bindAddress: opts.bindAddress, localAddress: opts.bindAddress }
        : {}),
      ...(deps.serialEncoder !== undefined ? { toLine: deps.serialEncoder(config) } : {}),
    });
  } catch (err) {
    log.close();
    throw new DaemonStartError(`cannot open media: ${(err as Error).message}`, 1, { cause: err });
  }
  const byId = new Map(transports.map((t) => [t.id, t]));
  for (const t of transports) log.log('info', 'medium open', { medium: t.id, how: t.description });

  const random = { next: () => Math.random() };
  const pingNodes = config.pingTargets.map((p) => p.name);
  const endpoint = deps.createEndpoint({
    self: self as EndpointOptions['self'],
    uuid: identity.uuid,
    generation: identity.generation,
    auth: config.auth,
    innerAuth: config.msgfmt === 'classic',
    knownNodes: config.nodes,
    pingNodes,
    ttl: config.nodes.length + pingNodes.length + config.hopfudge,
    maxRexmitDelayMs: config.maxRexmitDelayMs,
    random,
  });
  const nowMs = performance.now();
  const core = deps.createCore({
    config: coreConfig,
    self: self as ClusterNodeOptions['self'],
    endpoint,
    random,
    nowMs,
    wallClockOffsetMs: Date.now() - nowMs,
    // A broken core invariant is a bug: the daemon logs it at crit and keeps what it owns.
    invariants: 'log',
  });

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let control: ControlServer | undefined;
  let watchdog: WatchdogWriter | undefined;
  let diskLock: DiskLock | undefined;
  const pidPath = join(opts.runDir, PID_FILE_NAME);
  let finishing = false;
  const finish = async (code: number): Promise<void> => {
    if (finishing) return;
    finishing = true;
    driver?.halt();
    // let the last datagrams (shutdone) leave before the sockets close
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(transports.map((t) => t.close()));
    await control?.close();
    await diskLock?.close();
    await groupRunner.close?.();
    // a clean stop disarms the watchdog; an exit with groups possibly still here leaves it armed
    watchdog?.close(code === 0);
    rmSync(pidPath, { force: true });
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    process.off('SIGHUP', onHup);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    clearInterval(badPacketTimer);
    log.log('info', 'daemon stopped', { code });
    log.close();
    resolveDone(code);
  };

  // fast timings: every packet twice, half a keepalive apart (echo-sink.ts)
  const sink = withEcho(
    {
      send: (medium, bytes) => {
        if (medium === undefined) for (const t of transports) t.send(bytes);
        else {
          const t = byId.get(medium);
          if (t) t.send(bytes);
          else log.log('error', 'core asked to send on an unknown medium', { medium });
        }
      },
    },
    () => echoDelayMs(config.keepaliveMs, config.deadtimeMs),
  );
  driver = new Driver(
    core,
    sink,
    runner,
    {
      onEvent: (e) => {
        // Keyed by the reason, never by the sender name a forged packet claims (unbounded).
        if (
          e.kind === 'auth-rejected' &&
          !authLogGate.allow(`${e.kind}:${reasonOf(e.text)}`, performance.now())
        )
          return;
        log.event(e);
        if (e.kind === 'link-dead' && e.node !== undefined) warnRedundancy(e.node, e.medium);
      },
      onActionDone: () => undefined,
      onTimerLag: (lagMs, nowMs) => timerLag.record(lagMs, nowMs),
      onStopped: () => void finish(0),
      onCoreError: (input, err) =>
        log.log('crit', 'internal error in the cluster core; input dropped, daemon continues', {
          input: input.kind,
          error:
            err instanceof Error
              ? (err.stack ?? err.message).split('\n').slice(0, 3).join(' | ')
              : String(err),
        }),
    },
    { nowMs: () => performance.now() },
  );

  // Bad packets never stop the daemon; they are counted by the endpoint and summarised here every
  // 10 s, and forged/misconfigured signatures are logged at most once per 10 s per reason. Sequence
  // tracking that moved to another stream of a peer (confirmed jump/restart, resync back) too.
  const authLogGate = new KeyedGate(10_000);
  let lastRejected = endpoint.counters().rejected;
  let lastResyncs = endpoint.counters().resyncs;
  const badPacketTimer = setInterval(() => {
    const counters = endpoint.counters();
    const now = counters.rejected;
    const delta = Object.entries(now)
      .map(([k, n]) => [k, n - (lastRejected[k as keyof typeof now] ?? 0)] as const)
      .filter(([, n]) => n > 0);
    lastRejected = now;
    const suppressed = authLogGate.takeSuppressed();
    if (delta.length > 0) {
      log.log('warn', 'packets rejected in the last 10 s', {
        ...Object.fromEntries(delta),
        ...(suppressed > 0 ? { 'auth-lines-suppressed': suppressed } : {}),
      });
    }
    if (counters.resyncs > lastResyncs) {
      log.log(
        'warn',
        'sequence tracking resynchronised (a peer jumped, restarted, or a stray packet was outvoted)',
        {
          count: counters.resyncs - lastResyncs,
        },
      );
    }
    lastResyncs = counters.resyncs;
  }, 10_000);
  badPacketTimer.unref();

  // Heartbeat logs a dead link as info; a link lost while the node is still alive means one more
  // failure splits the cluster, which deserves a warning naming what is left.
  const warnRedundancy = (node: string, medium: MediumId | undefined): void => {
    const entry = core.status().nodes.find((n) => n.name === node);
    if (!entry || entry.status === 'dead') return;
    const up = entry.links.filter((l) => l.status === 'up').map((l) => l.medium);
    if (up.length === 0) return;
    log.log('warn', 'heartbeat medium lost, node still reachable', {
      node,
      medium,
      remaining: up.join(','),
    });
  };

  let graceTimer: NodeJS.Timeout | undefined;
  const shutdown = (why?: string): void => {
    if (finishing || graceTimer !== undefined) return;
    if (why === undefined) log.log('info', 'shutdown requested: handing groups over');
    else log.log('crit', `${why}: handing groups over`);
    opts.onShutdown?.();
    driver?.admin({ kind: 'shutdown' });
    graceTimer = setTimeout(() => {
      log.log('crit', 'graceful shutdown did not finish; exiting with groups possibly still running', {
        held: held.snapshot().groups.join(','),
      });
      void finish(1);
    }, SHUTDOWN_GRACE_MS);
    graceTimer.unref();
  };

  const reload = async (): Promise<{ ok: boolean; message: string }> => {
    const next = await deps.loadConfig(opts.configDir, opts.nodeName);
    if (!next.ok) {
      const message = `reload rejected, keeping the running configuration: ${next.errors.join('; ')}`;
      log.log('error', message);
      return { ok: false, message };
    }
    log.retarget(logTargets(next.config, opts.foreground));
    // What the core, media and endpoint were started with; such changes wait for a restart.
    const changed = changedFacts(config, next.config);
    // resource arguments/timeouts only matter for the next operation; group membership changes wait
    if (changed.length === 0) groupRunner.setConfig?.(next.config);
    config = next.config;
    const message =
      changed.length > 0
        ? 'configuration is valid; logging targets applied; cluster settings (nodes, media, timing, auth, resources) take effect at the next restart'
        : 'configuration unchanged';
    log.log(
      changed.length > 0 ? 'warn' : 'info',
      `reload: ${message}`,
      changed.length > 0 ? { changed: changed.join(',') } : {},
    );
    return { ok: true, message };
  };

  const status = (): DaemonStatus => ({
    pid: process.pid,
    node: self,
    generation: identity.generation,
    configDir: opts.configDir,
    media: transports.map((t) => ({ id: t.id, description: t.description, ...mediaErrors.of(t.id) })),
    cluster: core.status(),
    endpoint: endpoint.counters(),
    held: held.snapshot(),
    actionsInFlight: [...(driver?.inFlight.values() ?? [])].map((a) =>
      a.kind === 'fence' ? `fence ${a.node}` : `${a.kind} ${a.group}`,
    ),
    log: { droppedLines: log.droppedLines, gateKeys: authLogGate.size },
    ...(diskLock !== undefined ? { diskLock: diskLock.state() } : {}),
    eventLoop: timerLag.snapshot(performance.now()),
  });

  const handle = async (req: ControlRequest): Promise<Record<string, unknown>> => {
    switch (req.cmd) {
      case 'status':
        return { ok: true, status: status() };
      case 'standby':
      case 'takeover':
        driver?.admin({ kind: req.cmd, set: req.set as ResourceSet });
        return { ok: true, message: `${req.cmd} ${req.set} requested` };
      case 'shutdown':
        shutdown();
        return { ok: true, message: 'shutdown started' };
      case 'reload': {
        const r = await reload();
        return r.ok ? { ok: true, message: r.message } : { ok: false, error: r.message };
      }
      case 'fence-confirmed':
        return confirmFenced(req.node, { nodes: config.nodes, self, log, admin: (c) => driver?.admin(c) });
    }
  };

  // disk_lock: no start without our slot on it; from here on a message there can stop us.
  try {
    const lockHooks = { admin: (c: AdminCommand) => driver?.admin(c), shutdown };
    diskLock = await startDiskLock(config.diskLock?.device, self, log, lockHooks);
    control = await ControlServer.listen(join(opts.runDir, CONTROL_SOCKET_NAME), handle);
  } catch (err) {
    await diskLock?.close();
    await Promise.all(transports.map((t) => t.close()));
    log.close();
    if (err instanceof DaemonStartError) throw err;
    throw new DaemonStartError(`control socket: ${(err as Error).message}`, 1, { cause: err });
  }
  writeFileNoFollow(pidPath, `${process.pid}\n`, false);
  if (config.watchdog !== undefined)
    watchdog = WatchdogWriter.open(config.watchdog, config.keepaliveMs, (l, t, f) => log.log(l, t, f));

  const onTerm = (): void => shutdown();
  const onInt = (): void => shutdown();
  const onHup = (): void => void reload();
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);

  log.log('info', 'daemon started', {
    node: self,
    generation: identity.generation,
    media: transports.length,
    groups: config.resourceGroups.length,
  });
  driver.start();
  return { done, status, shutdown, reload };
}
