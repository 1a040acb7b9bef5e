// echo-sink: redundancy in time for fast heartbeats (every packet again half a keepalive later).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MediumId } from '../../../src/config/types.js';
import { echoDelayMs, withEcho } from '../../../src/daemon/echo-sink.js';

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
