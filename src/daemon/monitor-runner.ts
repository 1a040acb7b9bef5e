// Runs one health check (a `monitor` line) and says healthy or not: the agent's own status/monitor
// (through the resource runner, with OCF_CHECK_LEVEL and the line's timeout), an HTTP GET that must
// answer the expected code, a TCP connect, or a program that must exit 0 (spawned without a shell,
// its process group killed at the timeout). Every check is bounded by the line's timeout and never
// rejects; a check that hangs is a failed check. The core never waits for one: the answer comes
// back as an action result whenever it is ready.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ResourceMonitor, ResourceSpec } from '../config/types.js';
import { describeOutcome, errorText, runCommand } from '../resources/index.js';
import type { ResourceStatus, StatusCheckOptions } from '../resources/index.js';

export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

/** What a check needs from the resource layer. */
export interface CheckDeps {
  statusResource(rsc: ResourceSpec, check?: StatusCheckOptions): Promise<ResourceStatus>;
  /** Environment for `exec` checks. */
  readonly env: Readonly<Record<string, string>>;
}

/** A hung check's process group gets SIGKILL this long after SIGTERM. */
const CHECK_KILL_GRACE_MS = 200;

export async function runCheck(
  m: ResourceMonitor,
  rsc: ResourceSpec | undefined,
  deps: CheckDeps,
): Promise<CheckOutcome> {
  const startedMs = performance.now();
  const took = (): string => `${Math.round(performance.now() - startedMs)} ms`;
  const c = m.check;
  switch (c.kind) {
    case 'agent': {
      if (rsc === undefined)
        return { ok: false, detail: `resource ${m.resource} is not in its group any more` };
      const st = await withTimeout(
        deps.statusResource(rsc, { depth: c.depth, timeoutMs: m.timeoutMs }),
        m.timeoutMs + 1000,
      );
      if (st === undefined) return { ok: false, detail: `status did not answer within ${m.timeoutMs} ms` };
      return { ok: st.state === 'running', detail: `${st.state}: ${st.detail} (${took()})` };
    }
    case 'http':
      return httpCheck(c.url, c.expect, m.timeoutMs, took);
    case 'tcp':
      return tcpCheck(c.host, c.port, m.timeoutMs, took);
    case 'exec': {
      const outcome = await runCommand({
        file: c.file,
        args: c.args,
        env: deps.env,
        timeoutMs: m.timeoutMs,
        killGraceMs: CHECK_KILL_GRACE_MS,
        cwd: '/',
      });
      const ok = outcome.kind === 'exited' && outcome.code === 0;
      const timedOut = outcome.kind === 'timeout' ? `killed at its ${m.timeoutMs} ms timeout; ` : '';
      return { ok, detail: `${timedOut}${c.file} ${describeOutcome(outcome)} (${took()})` };
    }
  }
}

function httpCheck(
  url: string,
  expect: number,
  timeoutMs: number,
  took: () => string,
): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: CheckOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    // A fresh connection each time (no keep-alive agent): a check must see what a new client sees.
    const req = request(
      url,
      { method: 'GET', agent: false, headers: { 'user-agent': 'hbts-monitor' } },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        finish({
          ok: code === expect,
          detail: `GET ${url}: ${code}${code === expect ? '' : ` (expected ${expect})`} (${took()})`,
        });
      },
    );
    req.on('error', (err) => finish({ ok: false, detail: `GET ${url}: ${errorText(err)} (${took()})` }));
    const timer = setTimeout(
      () => finish({ ok: false, detail: `GET ${url}: no answer within ${timeoutMs} ms (timeout)` }),
      timeoutMs,
    );
    req.end();
  });
}

function tcpCheck(host: string, port: number, timeoutMs: number, took: () => string): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const socket = connect({ host, port });
    const finish = (o: CheckOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    socket.once('connect', () => finish({ ok: true, detail: `connected to ${host}:${port} (${took()})` }));
    socket.once('error', (err) =>
      finish({ ok: false, detail: `${host}:${port}: ${errorText(err)} (${took()})` }),
    );
    const timer = setTimeout(
      () => finish({ ok: false, detail: `${host}:${port}: no connection within ${timeoutMs} ms (timeout)` }),
      timeoutMs,
    );
  });
}

/** The promise's value, or undefined once `ms` passed (the promise is left to settle on its own). */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
