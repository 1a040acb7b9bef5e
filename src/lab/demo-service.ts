// The loopback demo's resource: a heartbeat-style resource script (start|stop|status as the last
// argument) that runs a small HTTP server answering this node's name on 127.0.0.1:PORT.
// Usage: node demo-service.js PORT NODE STATE_DIR start|stop|status
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [portText, node, stateDir, op] = process.argv.slice(2);
const port = Number(portText);
const pidFile = join(stateDir ?? '.', 'demo-service.pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return pid > 0 && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The name the service on the port answers with (undefined: nothing answers). */
function whoAnswers(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 500 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve(body));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  if (!Number.isInteger(port) || port <= 0 || !node || !stateDir) {
    process.stderr.write('usage: demo-service PORT NODE STATE_DIR start|stop|status\n');
    return 2;
  }
  switch (op) {
    case 'start': {
      if (runningPid() !== undefined) return 0;
      // orphaned (the daemon died while starting us): a server watching pid 1 would never exit
      if (process.ppid <= 1) {
        process.stderr.write('demo service: the daemon that started us is gone; not starting\n');
        return 1;
      }
      mkdirSync(stateDir, { recursive: true });
      // Our parent is the daemon: the server watches it and dies with it, like a crashed host.
      // The port may still be held for a moment by the server of a node that just crashed (it
      // notices within 100 ms): keep trying until the answer carries our own name.
      const serverJs = join(dirname(fileURLToPath(import.meta.url)), 'http-server.js');
      const daemonPid = process.ppid;
      let server: ReturnType<typeof spawn> | undefined;
      let running = false;
      for (let i = 0; i < 60; i++) {
        if (!running) {
          const child = spawn(
            process.execPath,
            [serverJs, String(port), node, '127.0.0.1', String(daemonPid)],
            {
              detached: true,
              stdio: 'ignore',
            },
          );
          running = true;
          child.once('exit', () => {
            if (server === child) running = false;
          });
          child.unref();
          server = child;
          if (child.pid !== undefined) writeFileSync(pidFile, `${child.pid}\n`);
        }
        await sleep(50);
        if (running && (await whoAnswers()) === node) return 0;
      }
      process.stderr.write(`demo service for ${node} did not start on 127.0.0.1:${port} (port busy?)\n`);
      if (server?.pid !== undefined && alive(server.pid)) process.kill(server.pid, 'SIGKILL');
      rmSync(pidFile, { force: true });
      return 1;
    }
    case 'stop': {
      const pid = runningPid();
      if (pid !== undefined) {
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 40 && alive(pid); i++) await sleep(50);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      rmSync(pidFile, { force: true });
      return 0;
    }
    case 'status':
      process.stdout.write(runningPid() !== undefined ? 'running\n' : 'stopped\n');
      return 0;
    default:
      process.stderr.write(`demo-service: unknown operation ${op ?? ''}\n`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo-service: ${String(err)}\n`);
    process.exit(1);
  },
);
