// The built-in IPaddr/IPaddr2 agent with stand-in `ip` and `arping` programs (written by the test),
// so the exact commands are checked without root. test/lab/resources.test.ts runs the real ones.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createResourceRunner, type ResourceRunnerOptions } from '../../../src/resources/index.js';
import { alive, captureLog, group, makeConfig, node, rsc, sandbox, type Sandbox } from './fixtures.js';
import { waitUntil } from '../../../src/lab/wait-until.js';

let box: Sandbox;
let addrFile: string;

/** A fake `ip`: keeps `ip -o -4 addr show` lines in a file, logs every call to the trace. */
function fakeIp(showDelayS = 0): string {
  return box.script(
    box.root,
    'ip',
    `ADDR='${addrFile}'
echo "ip $*" >> "$TRACE"
case "$*" in
  "-o -4 addr show") sleep ${showDelayS}; cat "$ADDR"; exit 0;;
  "-4 addr add "*)
    cidr=$4; brd=$6; dev=$8; label=\${10:-$dev}
    n=$(wc -l < "$ADDR")
    echo "9: $dev    inet $cidr brd $brd scope global secondary $label\\       valid_lft forever preferred_lft forever" >> "$ADDR"
    exit 0;;
  "-4 addr del "*)
    grep -q " inet $4 " "$ADDR" || { echo "RTNETLINK answers: Cannot assign requested address" >&2; exit 2; }
    grep -v " inet $4 " "$ADDR" > "$ADDR.new"; mv "$ADDR.new" "$ADDR"; exit 0;;
esac
echo "fake ip: unexpected $*" >&2
exit 2`,
  );
}

function fakeArping(): string {
  return box.script(
    box.root,
    'arping',
    `echo "arping $*" >> "$TRACE"; echo $$ >> '${box.root}/arping.pids'; exec sleep 1`,
  );
}

beforeEach(() => {
  box = sandbox();
  addrFile = join(box.root, 'addrs');
  writeFileSync(
    addrFile,
    [
      '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
      '4: eth0    inet 198.18.40.1/24 brd 198.18.40.255 scope global eth0\\       valid_lft forever preferred_lft forever',
      '4: eth0    inet 198.18.40.7/24 brd 198.18.40.255 scope global secondary eth0:0\\       valid_lft forever preferred_lft forever',
      '5: eth1    inet 198.18.41.1/26 brd 198.18.41.63 scope global eth1\\       valid_lft forever preferred_lft forever',
      '',
    ].join('\n'),
  );
});
afterEach(() => box.cleanup());

function runner(extra: Partial<ResourceRunnerOptions> = {}) {
  const log = captureLog();
  const r = createResourceRunner({
    config: makeConfig(box.configDir),
    self: node('alpha'),
    initDir: box.initDir,
    log: log.log,
    ipCommand: fakeIp(),
    arp: { command: fakeArping() },
    ...extra,
  });
  return { r, log };
}

const arpingPids = (): number[] => {
  const file = join(box.root, 'arping.pids');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
};

void describe('built-in IPaddr2', () => {
  void it('adds the VIP on the interface whose subnet holds it, with the next free label, then sends gratuitous ARP', async () => {
    const { r } = runner();
    const g = group('alpha', 'IPaddr2::198.18.40.10');
    const res = await r.acquireGroup(g);
    assert.equal(res.ok, true, res.detail);
    const t0 = performance.now();
    await waitUntil(
      '10 arping runs',
      () => box.trace().filter((l) => l.startsWith('arping')).length === 10,
      2000,
    );
    const spreadMs = performance.now() - t0;
    const trace = box.trace();
    assert.ok(trace.includes('ip -4 addr add 198.18.40.10/24 brd + dev eth0 label eth0:1'), trace.join('\n'));
    // Five (request, reply) pairs, interleaved, like send_arp for IPaddr2.
    const frames = trace.filter((l) => l.startsWith('arping'));
    for (let k = 0; k < 10; k++)
      assert.equal(frames[k], `arping ${k % 2 === 0 ? '-U' : '-A'} -c 1 -I eth0 198.18.40.10`);
    assert.ok(spreadMs > 600, `frames spread over ~0.9 s, got ${spreadMs} ms`);
    assert.equal((await r.statusResource(rsc('IPaddr2::198.18.40.10'))).state, 'running');
    await r.close();
  });

  void it('bare addresses and IPaddr use the same agent; explicit iface, label, prefix and broadcast are honoured', async () => {
    const { r } = runner({ arp: { count: 0 } });
    await r.acquireGroup(group('alpha', '198.18.41.5'));
    await r.acquireGroup(group('alpha', 'IPaddr::198.18.42.9/28/eth1:web/198.18.42.15'));
    const adds = box.trace().filter((l) => l.startsWith('ip -4 addr add'));
    assert.deepEqual(adds, [
      'ip -4 addr add 198.18.41.5/26 brd + dev eth1 label eth1:0',
      'ip -4 addr add 198.18.42.9/28 brd 198.18.42.15 dev eth1 label eth1:web',
    ]);
    assert.ok(!box.trace().some((l) => l.startsWith('arping')), 'count 0 disables ARP');
  });

  void it('start is idempotent and stop removes the address, kills ARP senders, and is idempotent too', async () => {
    const { r } = runner();
    const g = group('alpha', 'IPaddr2::198.18.40.10/24/eth0');
    assert.equal((await r.acquireGroup(g)).ok, true);
    assert.equal((await r.acquireGroup(g)).ok, true);
    assert.equal(box.trace().filter((l) => l.startsWith('ip -4 addr add')).length, 1);
    await waitUntil('arping to start', () => arpingPids().length >= 1, 2000);
    const rel = await r.releaseGroup(g);
    assert.equal(rel.ok, true, rel.detail);
    await waitUntil('every arping to end', () => !arpingPids().some(alive), 2000);
    const sent = arpingPids().length;
    assert.ok(sent < 10, `stop cancels the frames still pending (${sent} sent)`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(arpingPids().length, sent, 'no frame after stop');
    assert.ok(box.trace().includes('ip -4 addr del 198.18.40.10/24 dev eth0'));
    assert.equal((await r.probeGroup(g)).state, 'none');
    const again = await r.releaseGroup(g);
    assert.equal(again.ok, true);
    assert.match(again.detail, /stopped/);
    assert.equal(box.trace().filter((l) => l.startsWith('ip -4 addr del')).length, 1);
  });

  void it('the hand-over path: start lists once and adds, stop deletes what start added without listing', async () => {
    const { r } = runner({ arp: { count: 0 } });
    const g = group('alpha', 'IPaddr2::198.18.40.10/24/eth0');
    assert.equal((await r.acquireGroup(g)).ok, true);
    assert.deepEqual(box.trace(), [
      'ip -o -4 addr show',
      'ip -4 addr add 198.18.40.10/24 brd + dev eth0 label eth0:1',
    ]);
    const rel = await r.releaseGroup(g);
    assert.equal(rel.ok, true, rel.detail);
    assert.deepEqual(box.trace().slice(2), ['ip -4 addr del 198.18.40.10/24 dev eth0']);
    assert.equal((await r.statusResource(rsc('IPaddr2::198.18.40.10/24/eth0'))).state, 'stopped');
  });

  void it('an address changed behind our back: the direct delete fails, stop lists and removes what is there', async () => {
    const { r } = runner({ arp: { count: 0 } });
    const g = group('alpha', 'IPaddr2::198.18.40.10/24/eth0');
    assert.equal((await r.acquireGroup(g)).ok, true);
    // an operator re-added it with another prefix
    writeFileSync(addrFile, readFileSync(addrFile, 'utf8').replace('198.18.40.10/24', '198.18.40.10/25'));
    const rel = await r.releaseGroup(g);
    assert.equal(rel.ok, true, rel.detail);
    assert.deepEqual(box.trace().slice(2), [
      'ip -4 addr del 198.18.40.10/24 dev eth0',
      'ip -o -4 addr show',
      'ip -4 addr del 198.18.40.10/25 dev eth0',
    ]);
    assert.equal((await r.statusResource(rsc('IPaddr2::198.18.40.10/24/eth0'))).state, 'stopped');
  });

  void it('two groups taking over at once get different labels', async () => {
    // A slow listing makes the two takeovers overlap.
    const { r } = runner({ arp: { count: 0 }, ipCommand: fakeIp(0.2) });
    const [a, b] = await Promise.all([
      r.acquireGroup(group('alpha', 'IPaddr2::198.18.40.21')),
      r.acquireGroup(group('alpha', 'IPaddr2::198.18.40.22')),
    ]);
    assert.equal(a.ok && b.ok, true);
    const labels = box
      .trace()
      .filter((l) => l.startsWith('ip -4 addr add'))
      .map((l) => l.split(' ').at(-1))
      .sort();
    assert.deepEqual(labels, ['eth0:1', 'eth0:2']);
  });

  void it('refuses an address no interface can carry, with a hint', async () => {
    const { r } = runner();
    const res = await r.acquireGroup(group('alpha', 'IPaddr2::198.19.0.1'));
    assert.equal(res.ok, false);
    assert.match(
      res.detail,
      /no interface has a subnet containing 198\.19\.0\.1: give it as 198\.19\.0\.1\/BITS\/IFACE/,
    );
  });

  void it('a failing `ip addr add` fails the start with its stderr', async () => {
    const ip = box.script(
      box.root,
      'ip-broken',
      `case "$*" in "-o -4 addr show") exit 0;; esac; echo "RTNETLINK answers: Operation not permitted" >&2; exit 2`,
    );
    const { r } = runner({ ipCommand: ip });
    const res = await r.acquireGroup(group('alpha', 'IPaddr2::198.18.40.10/24/eth0'));
    assert.equal(res.ok, false);
    assert.match(res.detail, /rc=2 stderr="RTNETLINK answers: Operation not permitted"/);
  });

  void it('ipAgent=script looks IPaddr2 up like any other script', async () => {
    box.script(box.resourceDir, 'IPaddr2', `echo "wrapper $*" >> "$TRACE"; echo "running"`);
    const { r } = runner({ ipAgent: 'script' });
    const st = await r.statusResource(rsc('IPaddr2::198.18.40.10/24'));
    assert.equal(st.agent, 'heartbeat');
    assert.equal(st.state, 'running');
    assert.deepEqual(box.trace(), ['wrapper 198.18.40.10/24 status']);
  });

  void it('a missing arping is logged, the address stays up', async () => {
    const { r, log } = runner({ arp: { command: join(box.root, 'no-such-arping') } });
    const res = await r.acquireGroup(group('alpha', 'IPaddr2::198.18.40.10'));
    assert.equal(res.ok, true);
    await waitUntil('the arping ENOENT log line', () => /resource arp .*ENOENT/.test(log.text()), 2000);
  });
});
