// `hbts daemon`: load the config, open the media, start the core and the resource runner, serve
// the control socket, and handle signals. Collaborators come in through DaemonDeps
// (daemon-contract.ts) so tests can swap them; real-deps.ts wires the real ones. The answers to
// control requests are in control-requests.ts, the status they report in daemon-status.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClusterConfig, Medium, MediumId, NodeName } from '../config/types.js';
import { createFenceRunner } from '../fencing/fence-runner.js';
import type { AdminCommand, ClusterNodeOptions } from '../cluster/types.js';
import type { EndpointOptions } from '../protocol/endpoint.js';
import { readInterfaces } from '../transport/interfaces.js';
import { openAllMedia } from '../transport/open-medium.js';
import type { Transport } from '../transport/transport.js';
import { UdpReceiverPool } from '../transport/udp-receivers.js';
import { ControlServer } from './control-server.js';
import { CONTROL_SOCKET_NAME, PID_FILE_NAME } from './control-protocol.js';
import type { ControlRequest } from './control-protocol.js';
import { Driver } from './driver.js';
import { EventLog, logTargets } from './event-log.js';
import { handleControlRequest } from './control-requests.js';
import { daemonStatus, type DaemonStatus } from './daemon-status.js';
import { EventFeed } from './event-feed.js';
import { openStatusSocket } from './status-socket.js';
import { withFencing } from './fence-wiring.js';
import { checkDiskLock, startDiskLock, type DiskLock } from './disk-lock.js';
import { ArbiterRef, startArbiter, withArbiter } from './arbiter-wiring.js';
import type { DaemonDeps, DaemonOptions, RunningDaemon } from './daemon-contract.js';
import { DaemonStartError } from './errors.js';
import { joinedNodesAtStart, openLocalState, rememberJoined } from './local-state.js';
import { writeFileNoFollow } from './private-dir.js';
import { MAX_WIRE_GENERATION } from './generation-counter.js';
import { KeyedGate, reasonOf } from './log-limits.js';
import { followDefinitions, reloadAndLog } from './reload.js';
import { LiveMedia } from './live-media.js';
import { WatchdogWriter } from './watchdog.js';
import { startBadPacketReport } from './bad-packet-report.js';
import { ApiHost } from '../api/api-host.js';
import { startChildPrograms } from './child-programs.js';
import { goRealtime } from './realtime.js';
import { MediaErrors } from './media-errors.js';
import { NeighbourRefresh } from './neighbour-refresh.js';
import { IpBatch } from '../resources/ip-batch.js';
import { DEFAULT_PATH } from '../resources/environment.js';
import { EchoControl, echoDelayMs, lossTotal, withEcho } from './echo-sink.js';
import { TimerLag } from './timer-lag.js';

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
  const arbiterRef = new ArbiterRef();
  try {
    local = await openLocalState(opts, config, log, (scripts) =>
      deps.createRunner(config, log, self, scripts, (g) => arbiterRef.env(g)),
    );
  } catch (err) {
    throw new DaemonStartError((err as Error).message, 1, { cause: err });
  }
  const { identity, held, groupRunner } = local;
  config = joinedNodesAtStart(config, opts.stateDir, log); // autojoin: remembered joins are peers again
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
  const runner = withArbiter(withFencing(local.runner, fencer, log), arbiterRef, config, log);

  // Media: refuse to start when one cannot be opened (a node that cannot talk must not run).
  const mediaErrors = new MediaErrors(log);
  // Assigned once the core exists; the transport callbacks created before that read it late.
  // eslint-disable-next-line prefer-const
  let driver: Driver | undefined;
  // eslint-disable-next-line prefer-const
  let echo: EchoControl | undefined;
  const interfaces = await (deps.readInterfaces ?? readInterfaces)();
  // Identical ha.cf on every node lists a `ucast` to each node, ourselves included. Heartbeat sends
  // to itself harmlessly; we skip that medium so no link shows up as dead forever.
  const ownAddresses =
    opts.bindAddress !== undefined
      ? new Set([opts.bindAddress])
      : new Set([...interfaces.values()].flatMap((i) => i.ipv4.map((a) => a.address)));
  const usableMedia = (c: ClusterConfig): Medium[] =>
    c.media.filter((m) => {
      if (m.kind === 'ucast' && ownAddresses.has(m.peer)) {
        log.log('info', 'medium skipped: ucast to one of our own addresses', { medium: m.id });
        return false;
      }
      return true;
    });
  const activeMedia = usableMedia(config);
  const coreConfig: ClusterConfig = { ...config, media: activeMedia };
  if (activeMedia.length === 0) {
    log.close();
    throw new DaemonStartError('no usable heartbeat medium in ha.cf (bcast, ucast, mcast or serial)', 6);
  }
  const receivers = new UdpReceiverPool((key, message) =>
    log.log('error', 'receive socket error', { key, message }),
  );
  let media: LiveMedia;
  const openMedia = (media: readonly Medium[]): Promise<Transport[]> =>
    openAllMedia(media, {
      interfaces,
      receivers,
      handlers: {
        onPacket: (medium, bytes) => {
          if (echo?.isCopy(medium, bytes) !== true) driver?.packet(medium, bytes);
        },
        onError: (medium, message) => mediaErrors.record(medium, message),
      },
      ...(opts.bindAddress !== undefined
        ? { bindAddress: opts.bindAddress, localAddress: opts.bindAddress }
        : {}),
      ...(deps.serialEncoder !== undefined ? { toLine: deps.serialEncoder(config) } : {}),
    });
  try {
    media = new LiveMedia(await openMedia(activeMedia), log);
  } catch (err) {
    await groupRunner.close?.();
    log.close();
    throw new DaemonStartError(`cannot open media: ${(err as Error).message}`, 1, { cause: err });
  }

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

  // Every event the log gets is also recorded (`hbts events`, `hbts why`, the API) and run by notify hooks.
  const feed = new EventFeed(config, self, log);
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let control: ControlServer | undefined;
  let statusSocket: ControlServer | undefined;
  let watchdog: WatchdogWriter | undefined;
  let diskLock: DiskLock | undefined;
  const api = new ApiHost(feed, () => core.status().groups);
  const pidPath = join(opts.runDir, PID_FILE_NAME);
  // a dead ucast link's peer is asked for again every 200 ms, so a heal is heard at once
  const neighbourIp = new IpBatch('ip', { PATH: process.env['PATH'] ?? DEFAULT_PATH }, 1000);
  const neighbours = new NeighbourRefresh((args) => neighbourIp.run(args, 1000));
  let finishing = false;
  const finish = async (code: number): Promise<void> => {
    if (finishing) return;
    finishing = true;
    driver?.halt();
    // let the last datagrams (shutdone) leave before the sockets close
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(media.list.map((t) => t.close()));
    await control?.close();
    await api.close();
    await statusSocket?.close();
    // A clean stop released every group and key: the lease can go too.
    await Promise.all([diskLock?.close(), children.stop(), arbiterRef.arbiter?.close(code === 0)]);
    neighbours.close();
    neighbourIp.close();
    await groupRunner.close?.();
    await feed.close();
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

  // fast timings on a lossy link: every packet twice, half a keepalive apart (echo-sink.ts)
  echo = new EchoControl(
    () => echoDelayMs(config.keepaliveMs, config.deadtimeMs),
    () => lossTotal(endpoint.counters()),
    () => performance.now(),
  );
  const echoControl = echo;
  const sink = withEcho(media, () => echoControl.delayMs());
  driver = new Driver(
    core,
    sink,
    // The runner follows the core's group definitions, which a reload swaps group by group.
    followDefinitions(runner, core, () => config, groupRunner.setConfig?.bind(groupRunner)),
    {
      onEvent: (e) => {
        // Keyed by the reason, never by the sender name a forged packet claims (unbounded).
        if (
          e.kind === 'auth-rejected' &&
          !authLogGate.allow(`${e.kind}:${reasonOf(e.text)}`, performance.now())
        )
          return;
        log.event(e);
        feed.record(e);
        if (e.kind === 'link-dead' && e.node !== undefined) warnRedundancy(e.node, e.medium);
        if (e.kind === 'link-dead') neighbours.linkDead(config.media.find((m) => m.id === e.medium));
        else if (e.kind === 'link-up') neighbours.linkUp(e.medium);
        if (e.kind === 'node-joined') rememberJoined(opts.stateDir, e.node, log);
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

  // Bad packets are summarised every 10 s; forged signatures logged once per 10 s per reason.
  const authLogGate = new KeyedGate(10_000);
  const badPacketTimer = startBadPacketReport(endpoint, authLogGate, log);

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

  const reload = (): Promise<{ ok: boolean; message: string }> =>
    reloadAndLog({
      load: () => deps.loadConfig(opts.configDir, opts.nodeName),
      running: () => config,
      activeMedia: usableMedia,
      core,
      openMedia,
      media,
      log,
      reconfigure: (c) => driver?.reconfigure(c),
      commit: (next) => {
        log.retarget(logTargets(next, opts.foreground));
        feed.configure(next);
        config = next;
        // resource arguments, timeouts and HA_* settings apply from the next operation on
        groupRunner.setConfig?.({
          ...next,
          resourceGroups: core.groupDefinitions?.() ?? next.resourceGroups,
        });
        opts.onReloaded?.();
      },
    });

  const status = (): DaemonStatus =>
    daemonStatus({
      self,
      generation: identity.generation,
      configDir: opts.configDir,
      media,
      mediaErrors,
      core,
      endpoint,
      held,
      driver,
      log,
      authLogGate,
      diskLock,
      feed,
      arbiterRef,
      timerLag,
      echo: echoControl,
    });

  const handle = (req: ControlRequest): Promise<Record<string, unknown>> =>
    handleControlRequest(
      {
        self,
        log,
        feed,
        api,
        config: () => config,
        status,
        admin: (c) => driver?.admin(c),
        shutdown,
        reload,
      },
      req,
    );
  api.bind(status, handle);

  // disk_lock: no start without our slot on it; from here on a message there can stop us.
  try {
    const lockHooks = { admin: (c: AdminCommand) => driver?.admin(c), shutdown };
    diskLock = await startDiskLock(config.diskLock?.device, self, log, lockHooks);
    arbiterRef.arbiter = await startArbiter(config, self, log, lockHooks.admin, () => performance.now());
    // the read-only socket first: the control socket stays the last thing to appear before the
    // pid file and the signal handlers (tools and tests take it as "started")
    statusSocket = await openStatusSocket(opts.runDir, config, handle, log);
    control = await ControlServer.listen(join(opts.runDir, CONTROL_SOCKET_NAME), handle);
    await api.listen(config.api, (level, what, fields) => log.log(level, what, fields));
  } catch (err) {
    // Close all that was opened, or a long-lived child (the runner's ip -batch) keeps us alive.
    await Promise.all([control?.close(), statusSocket?.close(), api.close(), feed.close()]);
    await Promise.all([arbiterRef.arbiter?.close(false), diskLock?.close(), groupRunner.close?.()]);
    await Promise.all(media.list.map((t) => t.close()));
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
    media: media.list.length,
    groups: config.resourceGroups.length,
  });
  driver.start();
  // Started last, so no start failure leaves a child running; finish() stops them.
  const children = startChildPrograms(config, self, log, () => driver);
  return { done, status, shutdown, reload };
}
