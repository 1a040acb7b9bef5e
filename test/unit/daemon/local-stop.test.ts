// The supervisor's local stop (local-stop.ts) on its own: the groups named by the held-groups
// record are stopped with the real resource runner, every virtual IP before anything else, each
// group right to left after that; what cannot be stopped stays in the record.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ResourceSpec } from '../../../src/config/resource-config.js';
import { EventLog } from '../../../src/daemon/event-log.js';
import { loadConfigForDaemon } from '../../../src/daemon/load-config.js';
import { addressesFirst, isAddressResource, stopHeldGroupsLocally } from '../../../src/daemon/local-stop.js';
import { StateDir } from '../../../src/daemon/state-dir.js';

// An address no test machine has: its stop finds it absent (ok) without root and without
// touching any interface.
const VIP = '198.18.251.77';
let dir: string;
let cfg: string;
let stateDir: string;
let journal: string;
let logFile: string;

function script(name: string, stopRc = 0): void {
  const p = join(cfg, 'resource.d', name);
  writeFileSync(
    p,
    `#!/bin/sh\necho "$1 ${name}" >> "${journal}"\ncase "$1" in status) echo running ;; stop) exit ${stopRc} ;; esac\nexit 0\n`,
  );
  chmodSync(p, 0o755);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hbts-lstop-'));
  cfg = join(dir, 'ha.d');
  stateDir = join(dir, 'state');
  journal = join(dir, 'journal');
  logFile = join(dir, 'log');
  mkdirSync(join(cfg, 'resource.d'), { recursive: true });
  mkdirSync(stateDir, { mode: 0o700 });
  writeFileSync(
    join(cfg, 'ha.cf'),
    'keepalive 1\ndeadtime 10\ninitdead 20\nudpport 6999\nucast lo 127.0.0.3\nauto_failback on\nnode a b\n',
  );
  writeFileSync(join(cfg, 'authkeys'), 'auth 1\n1 sha1 s\n', { mode: 0o600 });
  chmodSync(join(cfg, 'authkeys'), 0o600);
  // group 1: service, VIP, service (the VIP in the middle); group 2: a service whose stop fails
  writeFileSync(join(cfg, 'haresources'), `a m1 IPaddr2::${VIP}/32/lo m2\nb m3\n`);
  script('m1');
  script('m2');
  script('m3', 1);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function stop(): Promise<Awaited<ReturnType<typeof stopHeldGroupsLocally>>> {
  const loaded = await loadConfigForDaemon(cfg, 'a');
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.errors.join('\n'));
  const log = new EventLog('a', { logfile: logFile, stderr: false, debug: false });
  try {
    return await stopHeldGroupsLocally({ config: loaded.config, self: 'a', stateDir, log });
  } finally {
    log.close();
  }
}

const stops = (): string[] =>
  readFileSync(logFile, 'utf8')
    .split('\n')
    .map((l) => /resource op=stop rsc="?([^" ]+)"?/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined);

void describe('the supervisor stops held groups locally', () => {
  void it('virtual IPs first, then each group right to left; the record is cleared', async () => {
    new StateDir(stateDir).writeHeld({ groups: ['m1'], failed: [] });
    const r = await stop();
    assert.equal(r.ok, true);
    assert.deepEqual(r.stopped, ['m1']);
    // the IP's stop comes before any service's; then m2, m1 (right to left), the IP checked again
    const order = stops();
    assert.equal(order[0], `IPaddr2::${VIP}/32/lo`);
    assert.deepEqual(
      order.filter((x) => !x.startsWith('IPaddr2')),
      ['m2', 'm1'],
    );
    assert.match(
      readFileSync(logFile, 'utf8'),
      new RegExp(`${VIP.replaceAll('.', '\\.')} was not configured`),
    );
    assert.deepEqual(new StateDir(stateDir).readHeld(), { groups: [], failed: [] });
    assert.ok(r.addressesGoneMs <= r.doneMs);
  });

  void it('a stop that fails and a group no longer configured stay recorded as possibly running', async () => {
    new StateDir(stateDir).writeHeld({ groups: ['m1', 'm3', 'gone'], failed: [] });
    const r = await stop();
    assert.equal(r.ok, false);
    assert.deepEqual(r.stopped, ['m1']);
    assert.deepEqual([...r.failed].sort(), ['gone', 'm3']);
    assert.match(
      readFileSync(logFile, 'utf8'),
      /crit: supervisor: a held group is no longer configured; cannot stop it group=gone/,
    );
    assert.deepEqual([...new StateDir(stateDir).readHeld().failed].sort(), ['gone', 'm3']);
  });

  void it('an unreadable record: every configured group is stopped', async () => {
    symlinkSync('/etc/passwd', join(stateDir, 'held-groups.json'));
    const r = await stop();
    assert.deepEqual([...r.stopped].sort(), ['m1']);
    assert.deepEqual(r.failed, ['m3']);
    assert.match(
      readFileSync(logFile, 'utf8'),
      /crit: supervisor: the held-groups record cannot be read; stopping every configured group/,
    );
  });

  void it('which resources are addresses', () => {
    const spec = (raw: string, agent: string, args: string[] = []): ResourceSpec => ({ raw, agent, args });
    assert.ok(isAddressResource(spec('10.0.0.1', 'IPaddr', ['10.0.0.1'])));
    assert.ok(isAddressResource(spec('IPaddr2::10.0.0.1', 'IPaddr2', ['10.0.0.1'])));
    assert.ok(isAddressResource(spec('OCF::IPaddr2::vip', 'OCF', ['IPaddr2', 'vip'])));
    assert.ok(isAddressResource(spec('ocf:heartbeat:IPaddr2::ip=10.0.0.1', 'ocf:heartbeat:IPaddr2')));
    assert.ok(!isAddressResource(spec('apache', 'apache')));
    assert.ok(!isAddressResource(spec('OCF::Dummy::web', 'OCF', ['Dummy', 'web'])));
    const g = addressesFirst({
      id: 'x' as never,
      homeNode: 'a' as never,
      at: { file: 'haresources', line: 1 },
      resources: [spec('a', 'a'), spec('10.0.0.1', 'IPaddr'), spec('b', 'b')],
    });
    // released right to left: the address is the last one, so it goes first
    assert.deepEqual(
      g.resources.map((r) => r.raw),
      ['a', 'b', '10.0.0.1'],
    );
  });
});
