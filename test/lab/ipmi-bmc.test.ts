// The lab's simulated BMC (src/lab/ipmi-bmc.ts): OpenIPMI's ipmi_sim per node on the management
// net, powered by real fence agents run from the other node's namespace. Every power-off must leave
// the node dead and dark: its processes gone (a tracked `sleep`, its HTTP server, and a detached
// orphan the lab never tracked, as a resource script left behind by a daemon), its links down, its
// VIP gone; power-on brings the links back. The time each `off` takes is printed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { findProgram, bmcSkipReason, startBmcs } from '../../src/lab/ipmi-bmc.js';
import type { IpmiBmc } from '../../src/lab/ipmi-bmc.js';
import { pidAlive, pidsInNamespace, powerOn, switchLinkUp } from '../../src/lab/node-power.js';
import type { LabNode } from './lab.js';
import { Lab, waitUntil } from './lab.js';

const skip =
  bmcSkipReason() ?? (findProgram('ipmitool') ? undefined : 'fence agents need ipmitool (Debian ipmitool)');
const agentSkip = (agent: string): string | false =>
  findProgram(agent) === undefined ? `${agent} not installed (Debian fence-agents)` : false;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Run a program inside a namespace without a shell; stdin text optional; killed after timeoutMs. */
function runIn(
  ns: string,
  cmd: string,
  args: readonly string[],
  input = '',
  timeoutMs = 60000,
): Promise<Run> {
  const t0 = performance.now();
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Math.round(performance.now() - t0) });
    });
  });
}

const show = (r: Run): string => `exit ${r.code}: ${r.stdout.trim()} ${r.stderr.trim()}`;

/** What runs on a "powered" node: a tracked sleep, the HTTP server, an untracked orphan, a VIP. */
interface Life {
  readonly sleep: ChildProcess;
  readonly http: ChildProcess;
  readonly orphan: number;
}

void describe(
  'simulated BMC per lab node: real fence agents power nodes off and on',
  { skip: skip ?? false },
  () => {
    let lab: Lab;
    let bmcs: IpmiBmc[];
    const orphans: number[] = [];
    const vip = (): string => `${lab.serviceNet}.200`;
    const nodes = (): [LabNode, LabNode, IpmiBmc] => {
      const [n1, n2] = lab.nodes;
      const b1 = bmcs[0];
      assert.ok(n1 && n2 && b1);
      return [n1, n2, b1];
    };

    before(async () => {
      lab = Lab.create({ nodes: 2, secondNet: true, mgmtNet: true, tag: 'bmc' });
      bmcs = await startBmcs(lab);
    });
    after(async () => {
      // orphans are ours (started below); a failed test may have left one alive
      for (const pid of orphans) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      await lab.cleanup();
    });

    // A node as a test finds it: powered on (whatever an earlier, failed test left), then started.
    function boot(n: LabNode): Life {
      const bmc = bmcs[n.index - 1];
      assert.ok(bmc);
      if (bmc.powerState() === 'off') powerOn(bmc.power);
      const sleep = lab.spawnIn(n.ns, 'sleep', ['600']);
      const http = lab.startHttp(n);
      const out = lab.exec(n.ns, 'sh', ['-c', 'setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!']);
      const orphan = Number(out.trim());
      assert.ok(orphan > 1 && pidAlive(orphan), `orphan sleep started (${out})`);
      orphans.push(orphan);
      lab.exec(n.ns, 'ip', ['addr', 'replace', `${vip()}/24`, 'dev', 'eth0']);
      return { sleep, http, orphan };
    }

    const pings = (from: LabNode, to: string): boolean =>
      lab.exec(from.ns, 'ping', ['-c1', '-W1', to], true).includes(' 0% packet loss');

    async function assertOff(n: LabNode, bmc: IpmiBmc, life: Life): Promise<void> {
      assert.equal(bmc.powerState(), 'off');
      // SIGKILLed: the lab's own children report the signal, the orphan is gone from /proc
      assert.equal(await lab.waitExit(life.sleep, 2000), 'SIGKILL');
      assert.equal(await lab.waitExit(life.http, 2000), 'SIGKILL');
      assert.ok(!pidAlive(life.orphan), `orphan ${life.orphan} killed`);
      assert.deepEqual(pidsInNamespace(n.ns), [], 'nothing runs in the node');
      for (const l of lab.linksOf(n)) assert.ok(!switchLinkUp(bmc.power, l.switchEnd), `${l.switchEnd} down`);
      assert.deepEqual(lab.addressesOf(n), [n.addr], 'the VIP went with the power');
      const [, other] = nodes();
      assert.ok(!pings(other, n.addr), 'node unreachable on eth0');
      const last = bmc
        .chassisLog()
        .filter((l) => l.includes('set power 0'))
        .pop();
      assert.ok(last?.includes(`killed `) && last.includes(String(life.sleep.pid)), `chassis log: ${last}`);
    }

    async function assertOn(n: LabNode, bmc: IpmiBmc): Promise<void> {
      assert.equal(bmc.powerState(), 'on');
      for (const l of lab.linksOf(n)) assert.ok(switchLinkUp(bmc.power, l.switchEnd), `${l.switchEnd} up`);
      const [, other] = nodes();
      await waitUntil(
        'node reachable on eth0 and eth1',
        () => pings(other, n.addr) && pings(other, n.addr2 ?? ''),
        5000,
        100,
      );
    }

    // One fence agent driven through off -> status -> on -> status against node1's BMC, from node2.
    async function cycle(agent: string, call: (action: string) => Promise<Run>): Promise<void> {
      const [n1, , bmc] = nodes();
      const life = boot(n1);
      const before = await call('status');
      assert.equal(before.code, 0, `status of a running node: ${show(before)}`);
      assert.match(before.stdout, /Status: ON/);
      const off = await call('off');
      assert.equal(off.code, 0, `off: ${show(off)}`);
      process.stdout.write(`# ${agent}: off took ${off.ms} ms\n`);
      const st = await call('status');
      assert.equal(st.code, 2, `status after off exits 2: ${show(st)}`);
      assert.match(st.stdout, /Status: OFF/);
      await assertOff(n1, bmc, life);
      const on = await call('on');
      assert.equal(on.code, 0, `on: ${show(on)}`);
      process.stdout.write(`# ${agent}: on took ${on.ms} ms\n`);
      const st2 = await call('status');
      assert.equal(st2.code, 0, `status after on: ${show(st2)}`);
      await assertOn(n1, bmc);
    }

    const stdinCall =
      (agent: string, extra: [string, string][] = []) =>
      (action: string): Promise<Run> => {
        const [, n2, bmc] = nodes();
        const opts = [...bmc.fenceOptions(), ...extra, ['action', action]]
          .map(([k, v]) => `${k}=${v}\n`)
          .join('');
        return runIn(n2.ns, agent, [], opts);
      };
    const argsCall = (agent: string) => (action: string) => {
      const [, n2, bmc] = nodes();
      return runIn(n2.ns, agent, [...bmc.fenceArgs(), `--action=${action}`]);
    };

    void it('answers IPMI on its own management address, from every node', async () => {
      const [n1, n2, bmc] = nodes();
      assert.equal(bmc.addr, `${lab.managementNet}.101`);
      assert.equal(bmcs[1]?.addr, `${lab.managementNet}.102`);
      for (const from of [n1, n2]) {
        const args = ['-I', 'lanplus', '-C', '3', '-H', bmc.addr, '-U', bmc.user, '-P', bmc.password];
        const r = await runIn(from.ns, 'ipmitool', [...args, 'chassis', 'power', 'status']);
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /Chassis Power is on/);
        const bad = await runIn(from.ns, 'ipmitool', [
          ...args.slice(0, -1),
          'wrong',
          'chassis',
          'power',
          'status',
        ]);
        assert.notEqual(bad.code, 0, 'a wrong password is refused');
      }
    });

    void it('fence_ipmilan lanplus=1 cipher=3, options on stdin', { skip: agentSkip('fence_ipmilan') }, () =>
      cycle('fence_ipmilan (stdin)', stdinCall('fence_ipmilan')),
    );
    void it('fence_ipmilan, command-line options', { skip: agentSkip('fence_ipmilan') }, () =>
      cycle('fence_ipmilan (args)', argsCall('fence_ipmilan')),
    );
    void it('fence_idrac (IPMI alias), options on stdin', { skip: agentSkip('fence_idrac') }, () =>
      cycle('fence_idrac (stdin)', stdinCall('fence_idrac')),
    );
    void it('fence_ilo3 (IPMI alias), command-line options', { skip: agentSkip('fence_ilo3') }, () =>
      cycle('fence_ilo3 (args)', argsCall('fence_ilo3')),
    );

    void it(
      'fence_ipmilan reboot: everything killed, the node comes back on',
      { skip: agentSkip('fence_ipmilan') },
      async () => {
        const [n1, , bmc] = nodes();
        const life = boot(n1);
        const r = await stdinCall('fence_ipmilan')('reboot');
        assert.equal(r.code, 0, show(r));
        process.stdout.write(`# fence_ipmilan: reboot took ${r.ms} ms\n`);
        assert.equal(await lab.waitExit(life.sleep, 2000), 'SIGKILL');
        assert.ok(!pidAlive(life.orphan));
        await assertOn(n1, bmc);
      },
    );

    void it(
      'cluster-glue stonith -t external/ipmi (Heartbeat stonith_host parameters)',
      { skip: agentSkip('stonith') },
      async () => {
        const [n1, n2, bmc] = nodes();
        const names = await runIn(n2.ns, 'stonith', ['-t', 'external/ipmi', '-n']);
        assert.equal(names.code, 0, show(names));
        // the parameter order stonithParams() follows
        assert.deepEqual(names.stdout.trim().split(/\s+/), [
          'hostname',
          'ipaddr',
          'userid',
          'passwd',
          'interface',
        ]);
        assert.equal(bmc.stonithHostLine(), `stonith_host * external/ipmi ${bmc.stonithParams()}`);
        const stonith = (...args: string[]): Promise<Run> =>
          runIn(n2.ns, 'stonith', ['-t', 'external/ipmi', '-p', bmc.stonithParams(), ...args]);
        const hosts = await stonith('-l');
        assert.equal(hosts.stdout.trim(), 'node1', show(hosts));
        const life = boot(n1);
        const off = await stonith('-T', 'off', 'node1');
        assert.equal(off.code, 0, show(off));
        process.stdout.write(`# stonith external/ipmi (lan): off took ${off.ms} ms\n`);
        await assertOff(n1, bmc, life);
        const on = await stonith('-T', 'on', 'node1');
        assert.equal(on.code, 0, show(on));
        await assertOn(n1, bmc);
      },
    );

    void it(
      'a BMC that is down: the agent fails, the node keeps running',
      { skip: agentSkip('fence_ipmilan') },
      async () => {
        const [n1, , bmc] = nodes();
        const life = boot(n1);
        await bmc.stop();
        try {
          // power_timeout bounds each ipmitool call: the default (20 s) would make this slow, not different
          const r = await stdinCall('fence_ipmilan', [['power_timeout', '2']])('off');
          process.stdout.write(
            `# fence_ipmilan power_timeout=2 against a stopped BMC: failed after ${r.ms} ms\n`,
          );
          assert.match(r.stderr, /Connection timed out/);
          assert.equal(r.code, 1, show(r));
          assert.equal(bmc.powerState(), 'on');
          assert.ok(
            life.sleep.exitCode === null && life.sleep.signalCode === null,
            'tracked process untouched',
          );
          assert.ok(pidAlive(life.orphan));
          assert.ok(lab.addressesOf(n1).includes(vip()));
        } finally {
          await bmc.start();
        }
        const st = await stdinCall('fence_ipmilan')('status');
        assert.equal(st.code, 0, `BMC back: ${show(st)}`);
        lab.kill(life.sleep);
        lab.kill(life.http);
        process.kill(life.orphan, 'SIGKILL');
        lab.exec(n1.ns, 'ip', ['addr', 'del', `${vip()}/24`, 'dev', 'eth0']);
      },
    );
  },
);
