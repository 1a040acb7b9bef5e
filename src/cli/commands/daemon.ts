// hbts daemon: run the heartbeat-ts daemon (foreground with --foreground, else detached).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG_DIR, DEFAULT_RUN_DIR, DEFAULT_STATE_DIR, parseArgs } from '../../daemon/cli-args.js';
import { CONTROL_SOCKET_NAME } from '../../daemon/control-protocol.js';
import { startDaemon } from '../../daemon/daemon.js';
import { DaemonStartError } from '../../daemon/errors.js';
import { loadConfigForDaemon, realDeps } from '../../daemon/real-deps.js';

export const summary = 'run the cluster daemon (hbts daemon --help)';

const HELP = `usage: hbts daemon [--config-dir ${DEFAULT_CONFIG_DIR}] [--node-name NAME] [--run-dir ${DEFAULT_RUN_DIR}]
                   [--state-dir ${DEFAULT_STATE_DIR}] [--foreground]

  --config-dir DIR  ha.cf, authkeys, haresources, resource.d/ (default ${DEFAULT_CONFIG_DIR})
  --node-name NAME  this node's name (default: first line of DIR/nodeinfo, else uname -n)
  --run-dir DIR     control socket hbts.sock and pid file hbts.pid (default ${DEFAULT_RUN_DIR})
  --state-dir DIR   hb_uuid, hb_generation, held-groups.json, scripts/ (default ${DEFAULT_STATE_DIR})
                    both dirs: created 0700; an existing one must be ours and not group/other-writable
  --foreground      stay in the foreground and log to stderr too (systemd, tests)
  --bind-address A  several daemons on one host (the loopback demo): receive on and send from
                    address A instead of 0.0.0.0 / the interface address

signals: SIGTERM graceful shutdown (groups handed over first), SIGINT the same,
         SIGHUP reload the configuration (a bad one is rejected and the daemon keeps running)
exit codes: 0 stopped cleanly, 6 configuration error, 1 other start failure
`;

export async function run(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const parsed = parseArgs(args, {
    values: ['config-dir', 'node-name', 'run-dir', 'state-dir', 'bind-address'],
    flags: ['foreground'],
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

  if (!parsed.flags.has('foreground')) return detach(args, configDir, nodeName, runDir);

  let daemon;
  try {
    daemon = await startDaemon(
      {
        configDir,
        nodeName,
        runDir,
        stateDir,
        foreground: true,
        ...(bindAddress !== undefined ? { bindAddress } : {}),
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
  return daemon.done;
}

/** Background mode: validate the config here (errors on the terminal), then re-run detached. */
async function detach(
  args: readonly string[],
  configDir: string,
  nodeName: string | undefined,
  runDir: string,
): Promise<number> {
  const loaded = await loadConfigForDaemon(configDir, nodeName);
  if (!loaded.ok) {
    process.stderr.write(`hbts daemon: not started:\n${loaded.errors.join('\n')}\n`);
    return 6;
  }
  const main = join(fileURLToPath(new URL('..', import.meta.url)), 'main.js');
  const child = spawn(process.execPath, [main, 'daemon', ...args, '--foreground'], {
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
