import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFingerprint } from '../../../src/config/fingerprint.js';
import type { Action } from '../../../src/cluster/types.js';
import { simGroupId } from '../../../src/sim/sim-config.js';
import { FakePeer, Harness, N1, N2, config, decodeSent } from './helpers.js';

const G1 = simGroupId(0); // home node1
const G2 = simGroupId(1); // home node2

function only<T>(xs: readonly T[], what: string): T {
  assert.equal(xs.length, 1, `expected exactly one ${what}, got ${xs.length}`);
  return xs[0] as T;
}

/** node1 up and stable next to a live node2 that holds `peerHeld`. */
function bringUp(shape = {}, peerHeld: string[] = []) {
  const h = new Harness(config(shape));
  const peer = new FakePeer(N2);
  const cfg = configFingerprint(h.cfg);
  h.answerProbes(h.timer(0), 1);
  const extra: Record<string, string> = peerHeld.length > 0 ? { hbts_held: peerHeld.join(' ') } : {};
  h.packet(2, peer.status(cfg, { ...extra, hbts_seen: h.seenToken() }));
  return { h, peer, cfg, seen: h.seenToken() };
}

void test('start-up: status init then up, a probe per group, then active + starting once the peer is heard', () => {
  const h = new Harness(config());
  const first = h.timer(0);
  assert.deepEqual(
    decodeSent(first).map((s) => `${s.type}:${s.f['st']}`),
    ['status:init', 'status:up'],
  );
  assert.deepEqual(
    first.actions.map((a) => `${a.kind}:${a.group}`),
    [`probe:${G1}`, `probe:${G2}`],
  );
  const st = decodeSent(first)[0];
  assert.equal(st?.f['dt'], (500).toString(16));
  assert.equal(st?.f['protocol'], '1');
  assert.equal(st?.f['hbts_cfg'], configFingerprint(h.cfg));
  h.answerProbes(first, 1);
  assert.equal(h.node.status().phase, 'starting');
  const peer = new FakePeer(N2);
  // node2 has not heard us yet: comm is up but we do not act on a view it may not share.
  const early = h.packet(2, peer.status(configFingerprint(h.cfg)));
  assert.ok(early.events.some((e) => e.kind === 'comm-up'));
  assert.equal(h.node.status().phase, 'negotiating');
  assert.equal(early.actions.length, 0);
  const out = h.packet(3, peer.status(configFingerprint(h.cfg), { hbts_seen: h.seenToken() }));
  const kinds = [...early.events, ...out.events].map((e) => e.kind);
  assert.ok(kinds.includes('comm-up') && kinds.includes('stable'), kinds.join(','));
  const sent = [...decodeSent(early), ...decodeSent(out)].map((s) =>
    s.type === 'status' ? `status:${s.f['st']}` : s.type,
  );
  assert.ok(sent.includes('starting') && sent.includes('status:active'), sent.join(','));
  // Everyone known: no 10 s RQSTDELAY, our home group is acquired at once.
  assert.deepEqual(
    out.actions.map((a) => `${a.kind}:${a.group}`),
    [`acquire:${G1}`],
  );
});

void test('answers reqnodes with repnodes listing every node', () => {
  const { h, peer } = bringUp();
  const out = h.packet(10, peer.send({ t: 'reqnodes' }, N1));
  const rep = only(
    decodeSent(out).filter((s) => s.type === 'repnodes'),
    'repnodes',
  );
  assert.equal(rep.dest, N2);
  assert.equal(rep.f['nodelist'], 'node1 node2 ');
  assert.equal(rep.f['delnodelist'], ' ');
});

void test('answers starting with a full resource report in Heartbeat form plus our exact holdings', () => {
  const { h, peer } = bringUp();
  const acquire = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  h.result(20, acquire, true);
  const out = h.packet(30, peer.send({ t: 'starting' }));
  const rep = only(
    decodeSent(out).filter((s) => s.type === 'resource'),
    'resource',
  );
  assert.equal(rep.f['rsc_hold'], 'local');
  assert.equal(rep.f['rtype'], 'full');
  assert.equal(rep.f['isstable'], '1');
  assert.equal(rep.f['hbts_held'], G1);
});

void test('config fingerprint mismatch is an event and a status flag', () => {
  const h = new Harness(config());
  h.answerProbes(h.timer(0), 1);
  const out = h.packet(2, new FakePeer(N2).status('0123456789ab'));
  const ev = only(
    out.events.filter((e) => e.kind === 'config-mismatch'),
    'config-mismatch',
  );
  assert.equal(ev.node, N2);
  assert.equal(ev.level, 'crit');
  const st = h.node.status();
  assert.equal(st.configMismatch, true);
  assert.equal(st.nodes.find((n) => n.name === N2)?.configMatches, false);
  assert.equal(st.nodes.find((n) => n.name === N2)?.configFingerprint, '0123456789ab');
});

void test("a dead peer's group is taken over only after the gate says yes", () => {
  const { h } = bringUp({}, [G2]);
  const mine = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  h.result(30, mine, true);
  // node2 advertised dt=0x1f4=500 ms; last heartbeat at 2 ms.
  const before = h.advance(501);
  assert.equal(before.flatMap((o) => o.events).filter((e) => e.kind === 'peer-dead').length, 0);
  const out = h.advance(502).at(-1);
  assert.ok(out);
  assert.equal(h.nowMs, 502);
  assert.equal(
    only(
      out.events.filter((e) => e.kind === 'peer-dead'),
      'peer-dead',
    ).node,
    N2,
  );
  const gate = only(out.actions, 'gate action');
  assert.deepEqual({ kind: gate.kind, group: gate.group }, { kind: 'gate', group: G2 });
  assert.equal(gate.kind === 'gate' ? gate.fromNode : '', N2);
  const after = h.result(503, gate, true);
  const acq = only(after.actions, 'acquire');
  assert.deepEqual([acq.kind, acq.group], ['acquire', G2]);
  assert.match(acq.kind === 'acquire' ? acq.reason : '', /failover from node2/);
});

void test('a refused gate blocks the takeover and is asked again a keepalive later', () => {
  const { h } = bringUp({}, [G2]);
  const gate = only(
    h.advance(502).flatMap((o) => o.actions.filter((a) => a.kind === 'gate')),
    'gate',
  );
  const refused = h.result(503, gate, false);
  assert.equal(refused.actions.filter((a) => a.kind === 'acquire' && a.group === G2).length, 0);
  assert.ok(refused.events.some((e) => e.kind === 'gate-refused'));
  assert.equal(refused.wakeAtMs <= 603, true);
  const again = h.advance(603).flatMap((o) => o.actions);
  assert.equal(again.filter((a) => a.kind === 'gate').length, 1);
});

void test('release before acquire: our home group is not started while the live peer still runs it', () => {
  // auto_failback on: node1 comes back and asks for its group, node2 still runs it.
  const { h, peer, cfg } = bringUp({ autoFailback: 'on' }, [G1, G2]);
  assert.equal(h.actions().filter((a) => a.kind === 'acquire').length, 0);
  assert.ok(h.events().some((e) => e.kind === 'note' && /waiting for node2/.test(e.text)));
  const sent = decodeSent(
    h.outputs.at(-1) ?? { packets: [], actions: [], events: [], wakeAtMs: 0, stopped: false },
  );
  assert.ok(sent.some((s) => s.type === 'status' && (s.f['hbts_claim'] ?? '').includes(G1)));
  // node2 releases and says so: now node1 acquires.
  const out = h.packet(50, peer.status(cfg, { hbts_held: G2, hbts_seen: h.seenToken() }));
  assert.deepEqual(
    out.actions.map((a) => `${a.kind}:${a.group}`),
    [`acquire:${G1}`],
  );
});

void test('auto_failback off: a returning home node leaves its group where it runs', () => {
  const { h } = bringUp({ autoFailback: 'off' }, [G1, G2]);
  h.timer(150);
  assert.equal(h.actions().filter((a) => a.kind === 'acquire').length, 0);
  const st = h.node.status();
  assert.deepEqual(st.groups.find((g) => g.id === G1)?.owners, [N2]);
  assert.equal(st.groups.find((g) => g.id === G1)?.target, N2);
});

void test('a failed start marks the group failed here, advertises it and is not retried', () => {
  const { h, peer, cfg } = bringUp();
  const acq = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  const out = h.step({ kind: 'action-result', nowMs: 20, actionId: acq.id, ok: false, detail: 'exit 1' });
  assert.ok(out.events.some((e) => e.kind === 'acquire-failed' && e.group === G1 && e.level === 'crit'));
  const st = decodeSent(out).find((s) => s.type === 'status');
  assert.equal(st?.f['hbts_failed'], G1);
  for (let t = 100; t <= 400; t += 100) h.packet(t + 1, peer.status(cfg));
  assert.equal(h.actions().filter((a) => a.kind === 'acquire').length, 1);
  const g = h.node.status().groups.find((x) => x.id === G1);
  assert.equal(g?.localState, 'failed');
  assert.equal(g?.failures, 1);
  assert.deepEqual(g?.failedOn, [N1]);
  assert.equal(g?.target, N2);
  // An admin takeover clears the mark and claims the group; once node2 has echoed the new claim
  // (so anything it decided meanwhile is known), it is tried again.
  const claimed = h.step({ kind: 'admin', nowMs: 450, command: { kind: 'takeover', set: 'local' } });
  assert.equal(claimed.actions.length, 0);
  const retry = h.packet(460, peer.status(cfg, { hbts_seen: h.seenToken() }));
  assert.deepEqual(
    retry.actions.map((a) => `${a.kind}:${a.group}`),
    [`acquire:${G1}`],
  );
});

void test('graceful shutdown: resource none/shutdown, releases in reverse order one at a time, then shutdone', () => {
  const { h, peer, cfg } = bringUp({ groups: 3 });
  // node1 runs groups 0 and 2 (homed on it); take both.
  for (const a of h.actions().filter((x) => x.kind === 'acquire')) h.result(20, a, true);
  h.packet(25, peer.status(cfg));
  const out = h.step({ kind: 'admin', nowMs: 30, command: { kind: 'shutdown' } });
  const res = decodeSent(out).find((s) => s.type === 'resource');
  assert.deepEqual([res?.f['rsc_hold'], res?.f['info'], res?.f['isstable']], ['none', 'shutdown', '0']);
  const rel1 = only(out.actions, 'release');
  assert.deepEqual([rel1.kind, rel1.group], ['release', simGroupId(2)]);
  const out2 = h.result(40, rel1, true);
  const rel2 = only(out2.actions, 'second release');
  assert.deepEqual([rel2.kind, rel2.group], ['release', simGroupId(0)]);
  assert.equal(out2.stopped, false);
  const out3 = h.result(50, rel2, true);
  const done = only(
    decodeSent(out3).filter((s) => s.type === 'shutdone'),
    'shutdone',
  );
  assert.equal(done.f['st'], 'dead');
  assert.equal(out3.stopped, true);
  assert.equal(out3.wakeAtMs, Infinity);
});

void test('a peer leaving gracefully hands its group over at once, without waiting deadtime', () => {
  const { h, peer, cfg } = bringUp({}, [G2]);
  h.packet(20, peer.status(cfg, { hbts_phase: 'shutting-down', hbts_held: G2 }));
  assert.equal(
    h.actions().filter((a) => a.kind === 'acquire' && a.group === G2).length,
    0,
    'still held: wait',
  );
  // Released: node2 is leaving, so node1 takes it now (no gate: it was released cleanly).
  const released = h.packet(30, peer.status(cfg, { hbts_phase: 'stopped' }));
  assert.deepEqual(
    released.actions.map((a) => `${a.kind}:${a.group}`),
    [`acquire:${G2}`],
  );
  const out = h.packet(31, peer.send({ t: 'shutdone', st: 'dead' }));
  assert.ok(out.events.some((e) => e.kind === 'shutdown-notice'));
  assert.ok(out.events.some((e) => e.kind === 'peer-dead' && e.level === 'info'));
  assert.equal(h.node.status().nodes.find((n) => n.name === N2)?.status, 'dead');
  // A heartbeat overtaken by the shutdone (other medium) does not revive it.
  assert.equal(h.node.status().nodes.find((n) => n.name === N2)?.status, 'dead');
});

void test('a real Heartbeat peer leaving: resource none/shutdown, then shutdone: takeover at once', () => {
  const h = new Harness(config());
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  h.packet(2, peer.heartbeatStatus());
  h.packet(3, peer.send({ t: 'resource', rsc_hold: 'local', rtype: 'full', isstable: '1' }));
  assert.equal(h.actions().filter((a) => a.kind === 'acquire' && a.group === G2).length, 0);
  h.packet(
    10,
    peer.send({ t: 'resource', rsc_hold: 'none', rtype: 'full', isstable: '0', info: 'shutdown' }),
  );
  const out = h.packet(20, peer.send({ t: 'shutdone', st: 'dead' }));
  assert.ok(h.actions().some((a) => a.kind === 'acquire' && a.group === G2));
  assert.ok(out.events.some((e) => e.kind === 'shutdown-notice'));
});

void test('pause awareness: a very late timer does not kill peers; it waits one keepalive for fresh input', () => {
  const { h, peer, cfg } = bringUp();
  h.packet(100, peer.status(cfg));
  const woke = h.timer(2000); // asked for ~200, woke 1.8 s late
  assert.ok(woke.events.some((e) => e.kind === 'pause-detected'));
  assert.equal(woke.events.filter((e) => e.kind === 'peer-dead').length, 0);
  // Buffered heartbeats arrive: node2 was alive all along.
  h.packet(2001, peer.status(cfg));
  assert.equal(h.timer(2100).events.filter((e) => e.kind === 'peer-dead').length, 0);
  assert.equal(h.node.status().counters.pauses, 1);
});

void test('pause awareness: after the extra keepalive a silent peer is declared dead', () => {
  const { h } = bringUp();
  h.timer(2000);
  assert.equal(h.timer(2099).events.filter((e) => e.kind === 'peer-dead').length, 0);
  assert.equal(h.timer(2100).events.filter((e) => e.kind === 'peer-dead').length, 1);
});

void test('a real Heartbeat peer: rsc_hold is read relative to it, negotiation waits for its resource report', () => {
  const h = new Harness(config());
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  const out = h.packet(2, peer.heartbeatStatus());
  assert.ok(out.events.some((e) => e.kind === 'comm-up'));
  assert.equal(h.node.status().phase, 'negotiating');
  assert.equal(h.node.status().nodes.find((n) => n.name === N2)?.implementation, 'heartbeat');
  // It answers our `starting`: it holds its local group (G2) and ours (foreign for it).
  const rep = h.packet(10, peer.send({ t: 'resource', rsc_hold: 'all', rtype: 'full', isstable: '1' }));
  assert.equal(h.node.status().phase, 'stable');
  assert.deepEqual(
    h.node.status().groups.map((g) => g.owners),
    [[N2], [N2]],
  );
  assert.equal(rep.actions.filter((a) => a.kind === 'acquire').length, 0);
});

void test('hb_takeover from a peer puts us in standby for the complementary set', () => {
  const { h, peer, cfg } = bringUp();
  const acq = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  h.result(20, acq, true);
  h.packet(30, peer.status(cfg));
  const out = h.packet(40, peer.send({ t: 'hb_takeover', rsc_hold: 'foreign' }));
  // node2 wants its foreign set = our local group: we release it.
  assert.deepEqual(
    out.actions.map((a: Action) => `${a.kind}:${a.group}`),
    [`release:${G1}`],
  );
  const st = decodeSent(out).find((s) => s.type === 'status');
  assert.equal(st?.f['hbts_decline'], G1);
});

void test('status() reports nodes, links, groups and the rscstatus word', () => {
  const { h } = bringUp();
  const st = h.node.status();
  assert.equal(st.self, N1);
  assert.equal(st.mode, 'on');
  assert.equal(st.resourceHold, 'transition');
  const me = st.nodes.find((n) => n.self);
  assert.equal(me?.status, 'active');
  const n2 = st.nodes.find((n) => n.name === N2);
  assert.equal(n2?.status, 'active');
  assert.deepEqual(
    n2?.links.map((l) => [l.medium, l.status]),
    [['bcast:sim0', 'up']],
  );
  assert.equal(n2?.deadtimeMs, 500);
  assert.equal(n2?.implementation, 'hbts');
  assert.deepEqual(
    st.groups.map((g) => [g.homeNode, g.localState, g.target]),
    [
      [N1, 'starting', N1],
      [N2, 'stopped', N2],
    ],
  );
});

/** node1 stable next to a real Heartbeat node2 that reports holding `hold`. */
function withHeartbeatPeer(shape = {}, hold = 'local') {
  const h = new Harness(config(shape));
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  h.packet(2, peer.heartbeatStatus());
  h.packet(3, peer.send({ t: 'resource', rsc_hold: hold, rtype: 'full', isstable: '1' }));
  return { h, peer };
}

void test('real Heartbeat peer goes standby: we answer other, take its groups once it says done, then say done', () => {
  const { h, peer } = withHeartbeatPeer({ autoFailback: 'off' });
  const acq = only(
    h.actions().filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  h.result(20, acq, true);
  const ask = h.packet(30, peer.send({ t: 'ask_resources', rsc_hold: 'all', info: 'me' }));
  const other = only(
    decodeSent(ask).filter((s) => s.type === 'ask_resources'),
    'ask_resources reply',
  );
  assert.deepEqual([other.f['info'], other.f['rsc_hold']], ['other', 'all']);
  assert.equal(ask.actions.length, 0, 'node2 still holds G2: wait for its release');
  const rel = h.packet(
    40,
    peer.send({ t: 'resource', rsc_hold: 'none', rtype: 'full', isstable: '0', info: 'standby' }),
  );
  // Real Heartbeat reports rsc_hold=none when it *starts* releasing; only its `done` says the
  // group is stopped (and our `done` before its own is refused: "Ignored standby message 'done'").
  assert.equal(rel.actions.length, 0, 'node2 is still releasing G2: wait for its done');
  const peerDone = h.packet(50, peer.send({ t: 'ask_resources', rsc_hold: 'all', info: 'done' }));
  const take = only(peerDone.actions, 'acquire of G2');
  assert.deepEqual([take.kind, take.group], ['acquire', G2]);
  const done = h.result(60, take, true);
  const msg = decodeSent(done).find((s) => s.type === 'ask_resources');
  assert.deepEqual([msg?.f['info'], msg?.f['rsc_hold']], ['done', 'all']);
});

void test('auto_failback on, real Heartbeat home node returns: we hand its group back through ask_resources', () => {
  const h = new Harness(config({ autoFailback: 'on' }));
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  // node2 was never heard: after initdead we run both groups.
  h.advance(1100);
  for (const a of h.actions().filter((x) => x.kind === 'acquire')) h.result(h.nowMs, a, true);
  assert.equal(h.node.status().resourceHold, 'all');
  // node2 (a real Heartbeat) starts: it asks with `starting`, we report `all`, so it takes nothing.
  const hello = h.packet(1200, peer.heartbeatStatus('up'));
  // Real Heartbeat ignores `ask_resources me` until it is stable ("Other side is in flux"):
  // wait for its resource report with isstable=1.
  assert.equal(
    decodeSent(hello).find((s) => s.type === 'ask_resources'),
    undefined,
    'no standby request to a starting Heartbeat',
  );
  const stable = h.packet(
    1205,
    peer.send({ t: 'resource', rsc_hold: 'none', rtype: 'full', isstable: '1', info: 'req_our_resources()' }),
  );
  const asked = [...decodeSent(stable)].find((s) => s.type === 'ask_resources');
  assert.deepEqual([asked?.f['info'], asked?.f['rsc_hold']], ['me', 'foreign']);
  assert.equal(stable.actions.length, 0, 'nothing released before node2 agrees');
  const other = h.packet(1210, peer.send({ t: 'ask_resources', rsc_hold: 'foreign', info: 'other' }));
  const rel = only(other.actions, 'release');
  assert.deepEqual([rel.kind, rel.group], ['release', G2]);
  const released = h.result(1230, rel, true);
  const sent = decodeSent(released);
  const report = sent.find((s) => s.type === 'resource');
  assert.deepEqual([report?.f['rsc_hold'], report?.f['info']], ['local', 'standby']);
  const done = sent.find((s) => s.type === 'ask_resources');
  assert.deepEqual([done?.f['info'], done?.f['rsc_hold']], ['done', 'foreign']);
});

void test('legacy mode: an ip-request from a real Heartbeat makes us release the group, then answer weown=yes', () => {
  const h = new Harness(config({ autoFailback: 'legacy' }));
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  h.advance(1100); // node2 never heard: we run both groups after initdead
  for (const a of h.actions().filter((x) => x.kind === 'acquire')) h.result(h.nowMs, a, true);
  // node2 (real Heartbeat, legacy) starts: no negotiation in legacy, it asks for its group by key.
  const hello = h.packet(1200, peer.heartbeatStatus('up'));
  assert.equal(hello.actions.length, 0);
  const req = h.packet(1210, peer.send({ t: 'ip-request', ipaddr: G2 }));
  const rel = only(req.actions, 'release');
  assert.deepEqual([rel.kind, rel.group], ['release', G2]);
  const out = h.result(1230, rel, true);
  const resp = decodeSent(out).find((s) => s.type === 'ip-request-resp');
  assert.equal(resp?.dest, N2);
  assert.deepEqual([resp?.f['ipaddr'], resp?.f['weown'], resp?.f['ok']], [G2, 'yes', 'OK']);
});

void test('legacy mode with a live real Heartbeat peer: ask with ip-request, start our group only on its ip-request-resp', () => {
  const h = new Harness(config({ autoFailback: 'legacy' }));
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  // node2 runs real Heartbeat (no hbts fields) and in legacy mode reports nothing it holds.
  const hello = h.packet(2, peer.heartbeatStatus());
  const out = [hello];
  for (let t = 300; t <= 3000; t += 300) out.push(h.packet(t, peer.heartbeatStatus()));
  assert.equal(
    out.flatMap((o) => o.actions).filter((a) => a.kind === 'acquire').length,
    0,
    'our group may still run on node2: no start before it answers',
  );
  const req = out.flatMap((o) => decodeSent(o)).find((s) => s.type === 'ip-request');
  assert.equal(req?.f['ipaddr'], G1);
  const resp = h.packet(3100, peer.send({ t: 'ip-request-resp', ipaddr: G1, weown: 'no', ok: 'OK' }));
  const acq = only(
    resp.actions.filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  assert.equal(acq.group, G1);
});

void test('a real Heartbeat peer whose `starting` came mid-transition gets isstable=1 once it is over', () => {
  const h = new Harness(config());
  const peer = new FakePeer(N2);
  h.answerProbes(h.timer(0), 1);
  h.packet(2, peer.heartbeatStatus());
  // It reports holding its local group: we become stable and start ours.
  const rep = h.packet(10, peer.send({ t: 'resource', rsc_hold: 'local', rtype: 'full', isstable: '1' }));
  const acquire = only(
    rep.actions.filter((a) => a.kind === 'acquire'),
    'acquire',
  );
  // Its `starting` arrives while our group is still starting: we are in transition.
  const mid = only(
    decodeSent(h.packet(12, peer.send({ t: 'starting' }))).filter((s) => s.type === 'resource'),
    'resource',
  );
  assert.equal(mid.f['isstable'], '0');
  // Heartbeat ignores standby requests until it has seen us stable: report as soon as we are.
  const done = only(
    decodeSent(h.result(20, acquire, true)).filter((s) => s.type === 'resource'),
    'resource',
  );
  assert.equal(done.f['isstable'], '1');
  assert.equal(done.f['rsc_hold'], 'local');
  // Nothing more to say while nothing changes.
  assert.equal(decodeSent(h.timer(30)).filter((s) => s.type === 'resource').length, 0);
});
