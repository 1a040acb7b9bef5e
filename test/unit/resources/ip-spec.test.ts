// Heartbeat's IPaddr argument syntax and the interface choice.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  chooseInterface,
  freeLabel,
  parseIpAddrShow,
  parseIpSpec,
  type IpSpec,
} from '../../../src/resources/ip-spec.js';

function spec(text: string): IpSpec {
  const r = parseIpSpec(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

void describe('parseIpSpec', () => {
  void it('reads every field of ip/bits/iface:label/broadcast', () => {
    assert.deepEqual(spec('198.18.0.10'), {
      ip: '198.18.0.10',
      prefixBits: undefined,
      iface: undefined,
      label: undefined,
      broadcast: undefined,
    });
    assert.deepEqual(spec('198.18.0.10/24/eth0:web/198.18.0.255'), {
      ip: '198.18.0.10',
      prefixBits: 24,
      iface: 'eth0',
      label: 'eth0:web',
      broadcast: '198.18.0.255',
    });
    assert.equal(spec('198.18.0.10/24/eth0').iface, 'eth0');
  });

  void it('takes a numeric third field as the broadcast address, like Heartbeat', () => {
    const s = spec('198.18.0.10/24/198.18.0.255');
    assert.equal(s.iface, undefined);
    assert.equal(s.broadcast, '198.18.0.255');
  });

  void it('accepts a dotted netmask', () => {
    assert.equal(spec('198.18.0.10/255.255.255.192').prefixBits, 26);
  });

  for (const [bad, why] of [
    ['198.18.0', /not an IPv4 address/],
    ['198.18.0.300', /not an IPv4 address/],
    ['198.18.0.1/33', /prefix length/],
    ['198.18.0.1/255.0.255.0', /prefix length 1..32 or a netmask/],
    ['198.18.0.1/24/eth0/1.2.3.4/x', /too many/],
    ['198.18.0.1/24/eth0:', /empty label/],
    ['198.18.0.1/24/averyveryverylongname', /not an interface name/],
    ['198.18.0.1/24/eth0:waytoolonglabel', /longer than 15/],
    ['198.18.0.1/24/eth0/notanip', /broadcast/],
    ['fe80::1', /IPv6/],
  ] as const) {
    void it(`rejects ${bad}`, () => {
      const r = parseIpSpec(bad);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.match(r.error, why);
        assert.match(r.error, /expected ip\[\/bits/);
      }
    });
  }
});

const SHOW = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '4: eth0    inet 198.18.40.1/24 brd 198.18.40.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '4: eth0    inet 198.18.40.9/24 brd 198.18.40.255 scope global secondary eth0:0\\       valid_lft forever',
  '6: veth-a@if5    inet 198.18.40.130/25 brd 198.18.40.255 scope global veth-a\\       valid_lft forever',
].join('\n');

void describe('ip -o -4 addr show', () => {
  void it('parses interface, address, prefix and label', () => {
    assert.deepEqual(parseIpAddrShow(SHOW), [
      { iface: 'lo', ip: '127.0.0.1', prefixBits: 8, label: 'lo' },
      { iface: 'eth0', ip: '198.18.40.1', prefixBits: 24, label: 'eth0' },
      { iface: 'eth0', ip: '198.18.40.9', prefixBits: 24, label: 'eth0:0' },
      { iface: 'veth-a', ip: '198.18.40.130', prefixBits: 25, label: 'veth-a' },
    ]);
  });

  void it('chooses the most specific subnet holding the VIP', () => {
    const addrs = parseIpAddrShow(SHOW);
    assert.deepEqual(chooseInterface(spec('198.18.40.200'), addrs), {
      ok: true,
      value: { iface: 'veth-a', prefixBits: 25 },
    });
    assert.deepEqual(chooseInterface(spec('198.18.40.20'), addrs), {
      ok: true,
      value: { iface: 'eth0', prefixBits: 24 },
    });
    // An explicit interface restricts the search; explicit bits win over the interface's.
    assert.deepEqual(chooseInterface(spec('198.18.40.200/32/eth0'), addrs), {
      ok: true,
      value: { iface: 'eth0', prefixBits: 32 },
    });
    // A given iface and prefix are used as they are, even with no matching subnet.
    assert.deepEqual(chooseInterface(spec('203.0.113.5/24/eth0'), addrs), {
      ok: true,
      value: { iface: 'eth0', prefixBits: 24 },
    });
    const none = chooseInterface(spec('203.0.113.5/24'), addrs);
    assert.equal(none.ok, false);
    const noBits = chooseInterface(spec('203.0.113.5//eth0'), addrs);
    assert.equal(noBits.ok, false);
  });

  void it('picks the first free IFACE:N label, none when it would exceed 15 characters', () => {
    const addrs = parseIpAddrShow(SHOW);
    assert.equal(freeLabel('eth0', addrs), 'eth0:1');
    assert.equal(freeLabel('veth-a', addrs), 'veth-a:0');
    assert.equal(freeLabel('hbtsres-123-n1', addrs), undefined);
  });
});
