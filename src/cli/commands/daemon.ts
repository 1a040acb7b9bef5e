// hbts daemon: run the heartbeat-ts daemon (foreground with --foreground, else detached), under the
// supervisor (src/daemon/supervisor.ts) unless --no-supervise. The supervisor and the daemon are
// loaded only where they run, so the supervisor process never loads the cluster core.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { DEFAULT_RESTART_LIMIT, parseRestartLimit, type RestartLimit } from '../../daemon/restart-budget.js';
import { SUPERVISED_CHILD_FLAG } from '../../daemon/supervisor-link.js';
import { formatHelp, type CommandHelp } from '../help.js';

export const help: CommandHelp = {
  name: 'daemon',
  summary: 'run the cluster daemon (hbts daemon --help)',
  synopsis: [
    'daemon [--config-dir DIR] [--node-name NAME] [--run-dir DIR] [--state-dir DIR] [--foreground] [--bind-address A] [--no-supervise] [--restart-limit COUNT/SECONDS]',
  ],
  description: [
    'Runs the heartbeat-ts daemon: sends and judges heartbeats on every medium of ha.cf, takes over and releases the resource groups of haresources, and answers hbts status, standby, takeover and fence on its control socket.',
  ],
  options: [
    {
      flag: '--config-dir DIR',
      text: `ha.cf, hbts.cf, authkeys, haresources, resource.d/ (default ${DEFAULT_CONFIG_DIR})`,
    },
    {
      flag: '--node-name NAME',
      text: "this node's name (default: first line of DIR/nodeinfo, else uname -n)",
    },
    {
      flag: '--run-dir DIR',
      text: `control socket hbts.sock and pid file hbts.pid (default ${DEFAULT_RUN_DIR})`,
    },
    {
      flag: '--state-dir DIR',
      text: `hb_uuid, hb_generation, held-groups.json, scripts/ (default ${DEFAULT_STATE_DIR}); both dirs are created 0700, an existing one must be ours and not group/other-writable`,
    },
    { flag: '--foreground', text: 'stay in the foreground and log to stderr too (systemd, tests)' },
    {
      flag: '--bind-address A',
      text: 'several daemons on one host (the loopback demo): receive on and send from address A instead of 0.0.0.0 / the interface address',
    },
    { flag: '--no-supervise', text: 'run the daemon bare, without the supervisor parent (see below)' },
    {
      flag: '--restart-limit N/S',
      text: `restarts of a dead daemon allowed in S seconds (default ${DEFAULT_RESTART_LIMIT.count}/${DEFAULT_RESTART_LIMIT.windowMs / 1000})`,
    },
  ],
  sections: [
    {
      title: 'supervisor',
      paragraphs: [
        "By default the daemon runs as the child of a small supervisor process (pid file hbts-supervisor.pid in the run dir). If the daemon dies unexpectedly it is restarted at once, so it is back before the peers' deadtime and nothing moves; when it cannot be (limit reached, the restart fails or is late) the supervisor stops the groups held here, virtual IPs first, before deadtime ends, logs at crit and exits 1. If the supervisor itself dies, the daemon hands its groups over and exits.",
      ],
    },
    {
      title: 'signals',
      paragraphs: [
        "SIGTERM graceful shutdown (groups handed over first), SIGINT the same, SIGHUP reload the configuration, as 'hbts reload' does (docs/reload.md: a bad one is refused and the old one keeps running); the supervisor forwards all three to the daemon",
      ],
    },
    {
      title: 'exit status',
      paragraphs: [
        '0 stopped cleanly, 6 configuration error, 1 other start failure, or the supervisor stopped the groups itself after the daemon died',
      ],
    },
  ],
};
export const summary = help.summary;

const HELP = formatHelp(help);

export async function run(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const parsed = parseArgs(args, {
    values: ['config-dir', 'node-name', 'run-dir', 'state-dir', 'bind-address', 'restart-limit'],
    flags: ['foreground', 'no-supervise', SUPERVISED_CHILD_FLAG],
  });
  if (typeof parsed === 'string' || parsed.positional.length > 0) {
    process.stderr.write(
      `hbts daemon: ${typeof parsed === 'string' ? parsed : `unexpected ${parsed.positional[0]}`}\n${HELP}`,
    );
    return 2;
  }
  const configDir = parsed.values.get('config-dir') ?? DEFAULT_CONFIG_DIR;
  const runDir = parsed.values.get('run-dir') ?? DEFAULT_RUN_DIR;
  const stateDir = parsed.values.get('state-dir') ?? DEFAULT_STATE_DIR;
  const nodeName = parsed.values.get('node-name');
  const bindAddress = parsed.values.get('bind-address');

  const limitText = parsed.values.get('restart-limit');
  const restartLimit: RestartLimit | string =
    limitText === undefined ? DEFAULT_RESTART_LIMIT : parseRestartLimit(limitText);
  if (typeof restartLimit === 'string') {
    process.stderr.write(`hbts daemon: ${restartLimit}\n${HELP}`);
    return 2;
  }

  if (!parsed.flags.has('foreground')) return detach(args, configDir, nodeName, runDir);
  const child = parsed.flags.has(SUPERVISED_CHILD_FLAG);
  if (!child && !parsed.flags.has('no-supervise')) {
    const { runSupervisor } = await import('../../daemon/supervisor.js');
    return runSupervisor({
      args,
      mainScript: mainScript(),
      configDir,
      nodeName,
      runDir,
      stateDir,
      restartLimit,
      foreground: true,
    });
  }
  return runDaemon({ configDir, nodeName, runDir, stateDir, bindAddress }, child);
}

/** The daemon itself: bare (--no-supervise), or as the supervisor's child. */
async function runDaemon(
  o: {
    configDir: string;
    nodeName: string | undefined;
    runDir: string;
    stateDir: string;
    bindAddress: string | undefined;
  },
  supervised: boolean,
): Promise<number> {
  const [{ startDaemon }, { DaemonStartError }, { realDeps }, { SupervisorLink }] = await Promise.all([
    import('../../daemon/daemon.js'),
    import('../../daemon/errors.js'),
    import('../../daemon/real-deps.js'),
    import('../../daemon/supervisor-link.js'),
  ]);
  const { forgetLeanEnv } = await import('../../daemon/lean-child.js');
  if (supervised) forgetLeanEnv(process.env);
  const link = supervised ? SupervisorLink.connect() : undefined;
  let daemon;
  try {
    daemon = await startDaemon(
      {
        configDir: o.configDir,
        nodeName: o.nodeName,
        runDir: o.runDir,
        stateDir: o.stateDir,
        foreground: true,
        ...(o.bindAddress !== undefined ? { bindAddress: o.bindAddress } : {}),
        ...(link !== undefined
          ? { onShutdown: () => link.stopping(), onReloaded: () => link.reloaded() }
          : {}),
      },
      realDeps,
    );
  } catch (err) {
    if (err instanceof DaemonStartError) {
      process.stderr.write(`hbts daemon: not started:\n${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
  if (link !== undefined) {
    link.ready();
    // Without the supervisor nothing would stop our groups if this daemon died: hand them over.
    link.onLost(() => daemon.shutdown('the supervisor is gone'));
  }
  return daemon.done;
}

function mainScript(): string {
  return join(fileURLToPath(new URL('..', import.meta.url)), 'main.js');
}

/** Background mode: validate the config here (errors on the terminal), then re-run detached. */
async function detach(
  args: readonly string[],
  configDir: string,
  nodeName: string | undefined,
  runDir: string,
): Promise<number> {
  const { loadConfigForDaemon } = await import('../../daemon/load-config.js');
  const loaded = await loadConfigForDaemon(configDir, nodeName);
  if (!loaded.ok) {
    process.stderr.write(`hbts daemon: not started:\n${loaded.errors.join('\n')}\n`);
    return 6;
  }
  const child = spawn(process.execPath, [mainScript(), 'daemon', ...args, '--foreground'], {
    detached: true,
    stdio: 'ignore',
  });
  const sock = join(runDir, CONTROL_SOCKET_NAME);
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (existsSync(sock)) {
      child.unref();
      process.stdout.write(`hbts daemon started (pid ${child.pid}); logs per ha.cf logfile/logfacility\n`);
      return 0;
    }
    const code = await Promise.race([
      exited,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ]);
    if (code !== undefined) {
      process.stderr.write(
        `hbts daemon: exited during start-up with code ${code} (run with --foreground to see why)\n`,
      );
      return code || 1;
    }
  }
  child.unref();
  process.stderr.write(`hbts daemon: started (pid ${child.pid}) but ${sock} did not appear within 15 s\n`);
  return 1;
}
