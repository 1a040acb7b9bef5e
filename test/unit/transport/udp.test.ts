import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import type { Medium } from '../../../src/config/media-config.js';
import type { MediumId } from '../../../src/config/types.js';
import { openMedium } from '../../../src/transport/open-medium.js';
import type { InterfaceInfo } from '../../../src/transport/interfaces.js';
import { inSubnet, parseIpAddrJson } from '../../../src/transport/interfaces.js';
import { UdpReceiverPool } from '../../../src/transport/udp-receivers.js';
import type { TransportHandlers } from '../../../src/transport/transport.js';
import { waitUntil } from '../../../src/lab/wait-until.js';

const at = { file: 'ha.cf', line: 1 };
const lo: ReadonlyMap<string, InterfaceInfo> = new Map([
  ['lo', { name: 'lo', up: true, ipv4: [{ address: '127.0.0.1', prefixLength: 8, broadcast: undefined }] }],
]);

async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function collector(): TransportHandlers & {
  got: { medium: string; text: string; from: string }[];
  errors: string[];
} {
  const got: { medium: string; text: string; from: string }[] = [];
  const errors: string[] = [];
  return {
    got,
    errors,
    onPacket: (medium, bytes, from) => got.push({ medium, text: Buffer.from(bytes).toString(), from }),
    onError: (_m, message) => errors.push(message),
  };
}

void describe('ucast', () => {
  void it('delivers datagrams from the configured peer and drops other sources', async () => {
    const port = await freePort();
    const a = collector();
    const b = collector();
    const mA: Medium = {
      kind: 'ucast',
      id: 'ucast:lo:127.0.0.3' as MediumId,
      iface: 'lo',
      peer: '127.0.0.3',
      port,
      at,
    };
    const mB: Medium = {
      kind: 'ucast',
      id: 'ucast:lo:127.0.0.2' as MediumId,
      iface: 'lo',
      peer: '127.0.0.2',
      port,
      at,
    };
    const poolA = new UdpReceiverPool(() => {});
    const poolB = new UdpReceiverPool(() => {});
    const tA = await openMedium(mA, {
      interfaces: lo,
      receivers: poolA,
      handlers: a,
      bindAddress: '127.0.0.2',
      localAddress: '127.0.0.2',
    });
    const tB = await openMedium(mB, {
      interfaces: lo,
      receivers: poolB,
      handlers: b,
      bindAddress: '127.0.0.3',
      localAddress: '127.0.0.3',
    });
    try {
      tA.send(Buffer.from('hello-b'));
      tB.send(Buffer.from('hello-a'));
      // a stranger on 127.0.0.4 is ignored by B's ucast medium
      const stranger = dgram.createSocket('udp4');
      await new Promise<void>((r) => stranger.bind(0, '127.0.0.4', () => r()));
      stranger.send('intruder', port, '127.0.0.3');
      await waitUntil('a datagram at each end', () => a.got.length >= 1 && b.got.length >= 1, 2000);
      await new Promise((r) => setTimeout(r, 50));
      stranger.close();
      assert.deepEqual(b.got, [{ medium: 'ucast:lo:127.0.0.2', text: 'hello-b', from: '127.0.0.2' }]);
      assert.deepEqual(a.got, [{ medium: 'ucast:lo:127.0.0.3', text: 'hello-a', from: '127.0.0.3' }]);
      assert.match(tA.description, /ucast lo 127\.0\.0\.3:\d+/);
    } finally {
      await tA.close();
      await tB.close();
    }
  });

  void it('shares one receive socket between several ucast lines (identical ha.cf on every node)', async () => {
    const port = await freePort();
    const h = collector();
    const pool = new UdpReceiverPool(() => {});
    const ctx = {
      interfaces: lo,
      receivers: pool,
      handlers: h,
      bindAddress: '127.0.0.5',
      localAddress: '127.0.0.5',
    };
    const t1 = await openMedium(
      { kind: 'ucast', id: 'u6' as MediumId, iface: 'lo', peer: '127.0.0.6', port, at },
      ctx,
    );
    const t2 = await openMedium(
      { kind: 'ucast', id: 'u7' as MediumId, iface: 'lo', peer: '127.0.0.7', port, at },
      ctx,
    );
    const s6 = dgram.createSocket('udp4');
    const s7 = dgram.createSocket('udp4');
    await new Promise<void>((r) => s6.bind(0, '127.0.0.6', () => r()));
    await new Promise<void>((r) => s7.bind(0, '127.0.0.7', () => r()));
    try {
      s6.send('from6', port, '127.0.0.5');
      s7.send('from7', port, '127.0.0.5');
      await waitUntil('two datagrams', () => h.got.length >= 2, 2000);
      assert.deepEqual(h.got.map((g) => `${g.medium}=${g.text}`).sort(), ['u6=from6', 'u7=from7']);
    } finally {
      s6.close();
      s7.close();
      await t1.close();
      await t2.close();
    }
  });

  void it('refuses an interface that does not exist, naming the ones that do', async () => {
    await assert.rejects(
      openMedium(
        { kind: 'ucast', id: 'u' as MediumId, iface: 'eth9', peer: '127.0.0.2', port: 694, at },
        { interfaces: lo, receivers: new UdpReceiverPool(() => {}), handlers: collector() },
      ),
      /interface eth9 does not exist \(interfaces here: lo\)/,
    );
  });
});

void describe('bcast', () => {
  void it('refuses an interface without a broadcast address instead of sending to 0.0.0.0', async () => {
    await assert.rejects(
      openMedium(
        { kind: 'bcast', id: 'bcast:lo' as MediumId, iface: 'lo', port: 694, at },
        { interfaces: lo, receivers: new UdpReceiverPool(() => {}), handlers: collector() },
      ),
      /bcast:lo: interface lo has no broadcast address \(add the address with 'brd \+'/,
    );
  });
});

void describe('mcast', () => {
  void it('exchanges datagrams between two members of a group on loopback (ttl 0, loop on)', async () => {
    const port = await freePort();
    const h1 = collector();
    const h2 = collector();
    const m: Medium = {
      kind: 'mcast',
      id: 'mcast:lo:239.255.18.1' as MediumId,
      iface: 'lo',
      group: '239.255.18.1',
      port,
      ttl: 0,
      loop: true,
      at,
    };
    // two "nodes": separate pools, so separate sockets bound to the group
    const t1 = await openMedium(m, {
      interfaces: lo,
      receivers: new UdpReceiverPool(() => {}),
      handlers: h1,
    });
    const t2 = await openMedium(m, {
      interfaces: lo,
      receivers: new UdpReceiverPool(() => {}),
      handlers: h2,
    });
    try {
      t1.send(Buffer.from('one'));
      await waitUntil('a datagram at each member', () => h1.got.length >= 1 && h2.got.length >= 1, 2000);
      assert.equal(h2.got[0]?.text, 'one');
      assert.equal(h1.got[0]?.text, 'one', 'loop 1: the sender hears itself');
    } finally {
      await t1.close();
      await t2.close();
    }
  });

  void it('refuses a group that is not class D', async () => {
    await assert.rejects(
      openMedium(
        {
          kind: 'mcast',
          id: 'm' as MediumId,
          iface: 'lo',
          group: '198.18.16.1',
          port: 694,
          ttl: 1,
          loop: false,
          at,
        },
        { interfaces: lo, receivers: new UdpReceiverPool(() => {}), handlers: collector() },
      ),
      /not an IPv4 multicast/,
    );
  });
});

void describe('interfaces', () => {
  void it('reads addresses and broadcast from ip -j addr output', () => {
    const m = parseIpAddrJson(
      JSON.stringify([
        {
          ifname: 'eth0',
          flags: ['BROADCAST', 'UP'],
          addr_info: [{ family: 'inet', local: '198.18.16.1', prefixlen: 24, broadcast: '198.18.16.255' }],
        },
        { ifname: 'eth1', flags: [], addr_info: [{ family: 'inet', local: '198.18.17.1', prefixlen: 24 }] },
      ]),
    );
    assert.deepEqual(m.get('eth0'), {
      name: 'eth0',
      up: true,
      ipv4: [{ address: '198.18.16.1', prefixLength: 24, broadcast: '198.18.16.255' }],
    });
    assert.equal(m.get('eth1')?.ipv4[0]?.broadcast, undefined);
    assert.equal(parseIpAddrJson('not json').size, 0);
  });

  void it('tests subnet membership', () => {
    const a = { address: '198.18.16.1', prefixLength: 24, broadcast: undefined };
    assert.equal(inSubnet('198.18.16.200', a), true);
    assert.equal(inSubnet('198.18.17.2', a), false);
    assert.equal(inSubnet('garbage', a), false);
  });
});
