// echo-sink: redundancy in time for fast heartbeats (every packet again half a keepalive later).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MediumId } from '../../../src/config/types.js';
import { EchoControl, echoDelayMs, lossTotal, withEcho } from '../../../src/daemon/echo-sink.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void describe('echo-sink', () => {
  void it('sends a copy only when fewer than five keepalives fit into the deadtime', () => {
    assert.equal(echoDelayMs(10, 40), 5);
    assert.equal(echoDelayMs(10, 30), 5);
    assert.equal(echoDelayMs(3, 10), 2);
    assert.equal(echoDelayMs(50, 250), undefined);
    assert.equal(echoDelayMs(200, 1000), undefined);
    assert.equal(echoDelayMs(2000, 10000), undefined);
  });

  void it('sends every packet now and the same bytes again after the delay, on the same medium', async () => {
    const sent: { medium: string | undefined; bytes: Uint8Array; t: number }[] = [];
    const t0 = performance.now();
    const sink = withEcho(
      { send: (medium, bytes) => sent.push({ medium, bytes, t: performance.now() - t0 }) },
      () => 20,
    );
    const a = Uint8Array.of(1, 2, 3);
    sink.send('ucast:eth1:198.18.41.2' as MediumId, a);
    sink.send(undefined, Uint8Array.of(4));
    assert.equal(sent.length, 2, 'the first copies go out at once');
    await sleep(60);
    assert.equal(sent.length, 4);
    assert.deepEqual(
      sent.map((s) => [s.medium, [...s.bytes]]),
      [
        ['ucast:eth1:198.18.41.2', [1, 2, 3]],
        [undefined, [4]],
        ['ucast:eth1:198.18.41.2', [1, 2, 3]],
        [undefined, [4]],
      ],
    );
    assert.ok((sent[2]?.t ?? 0) >= 19, `the copy waits for the delay: ${sent[2]?.t}`);
    sink.close();
  });

  void it('sends once when no copy is wanted, and no pending copy after close; a failing copy is swallowed', async () => {
    let delay: number | undefined = undefined;
    let n = 0;
    let fail = false;
    const sink = withEcho(
      {
        send: () => {
          n++;
          if (fail) throw new Error('socket closed');
        },
      },
      () => delay,
    );
    sink.send(undefined, Uint8Array.of(1));
    await sleep(20);
    assert.equal(n, 1);
    delay = 10;
    sink.send(undefined, Uint8Array.of(2));
    sink.close();
    await sleep(30);
    assert.equal(n, 2, 'the copy pending at close is not sent');
    const sink2 = withEcho(
      {
        send: () => {
          n++;
          if (fail) throw new Error('socket closed');
        },
      },
      () => 5,
    );
    sink2.send(undefined, Uint8Array.of(3));
    fail = true;
    await sleep(30);
    assert.equal(n, 4, 'the copy was tried; its error did not escape');
    sink2.close();
  });
});

void describe('EchoControl', () => {
  const medium = 'ucast:eth1:198.18.41.2' as MediumId;
  const other = 'bcast:eth2' as MediumId;

  void it('sends copies only after a loss, for the hold time, and never at slow timings', () => {
    let now = 0;
    let losses = 0;
    let eligible: number | undefined = 5;
    const echo = new EchoControl(
      () => eligible,
      () => losses,
      () => now,
      { holdMs: 1000 },
    );
    assert.equal(echo.delayMs(), undefined, 'no loss seen yet: one copy');
    assert.equal(echo.snapshot().copies, 'idle');
    now = 10;
    losses = 3; // the endpoint saw a gap, or a peer asked for a retransmission
    assert.equal(echo.delayMs(), 5);
    assert.equal(echo.snapshot().copies, 'on');
    now = 900;
    assert.equal(echo.delayMs(), 5, 'still within the hold time');
    now = 1011;
    assert.equal(echo.delayMs(), undefined, 'a quiet link for the hold time: copies stop');
    now = 1020;
    losses = 4;
    assert.equal(echo.delayMs(), 5, 'a new loss turns them on again');
    assert.equal(echo.snapshot().lastLossAgoMs, 0);
    eligible = undefined;
    assert.equal(echo.delayMs(), undefined, 'slow timings: never');
    assert.equal(echo.snapshot().copies, 'off');
  });

  void it('counts as loss what we missed and what peers asked us to send again', () => {
    const c = {
      sent: 9,
      received: 9,
      rejected: {} as never,
      duplicates: 4,
      lostPackets: 2,
      rexmitRequestsSent: 1,
      rexmitRequestsAnswered: 3,
      naksSent: 0,
      resyncs: 0,
    };
    assert.equal(lossTotal(c), 5);
  });

  void it('a loss counted before the first look does not count as a new one; always sends regardless', () => {
    const echo = new EchoControl(
      () => 5,
      () => 7,
      () => 0,
    );
    assert.equal(echo.delayMs(), undefined);
    const always = new EchoControl(
      () => 5,
      () => 0,
      () => 0,
      { always: true },
    );
    assert.equal(always.delayMs(), 5);
  });

  void it('drops the second copy of the same bytes on the same medium, not on another medium', () => {
    const echo = new EchoControl(
      () => 5,
      () => 0,
      () => 0,
    );
    const a = Buffer.from('t=status\nseq=1\n');
    const b = Buffer.from('t=status\nseq=2\n');
    assert.equal(echo.isCopy(medium, a), false);
    assert.equal(echo.isCopy(medium, b), false);
    assert.equal(echo.isCopy(medium, Buffer.from(a)), true, 'same bytes, other buffer: a copy');
    assert.equal(echo.isCopy(other, Buffer.from(a)), false, 'another medium: that link is alive');
    assert.equal(echo.isCopy(medium, Buffer.from('t=status\nseq=3\n')), false);
    assert.equal(echo.snapshot().copiesDropped, 1);
  });

  void it('remembers only the last few packets per medium, and drops nothing at slow timings', () => {
    const echo = new EchoControl(
      () => 5,
      () => 0,
      () => 0,
    );
    const first = Buffer.from('seq=0');
    echo.isCopy(medium, first);
    for (let i = 1; i <= 8; i++) echo.isCopy(medium, Buffer.from(`seq=${i}`));
    assert.equal(echo.isCopy(medium, Buffer.from('seq=0')), false, 'eight packets later it is forgotten');
    const slow = new EchoControl(
      () => undefined,
      () => 0,
      () => 0,
    );
    const p = Buffer.from('x');
    assert.equal(slow.isCopy(medium, p), false);
    assert.equal(slow.isCopy(medium, Buffer.from(p)), false);
  });
});
