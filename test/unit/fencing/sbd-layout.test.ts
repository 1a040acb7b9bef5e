// The SBD on-disk layout, checked against bytes Debian's sbd 1.5.2 wrote (`sbd -d DEV -1 2 -4 4
// create`, `allocate node1`, `-n fencer message node1 off`, hexdumped), so a change that breaks
// compatibility with the real tool fails here even where sbd is not installed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SBD_COMMANDS,
  decodeHeader,
  decodeMailbox,
  decodeSlot,
  encodeHeader,
  encodeMailbox,
  encodeSlot,
  mailboxSector,
  sameSlotName,
  slotSector,
} from '../../../src/fencing/sbd-layout.js';

function sector(hex: string, size = 512): Uint8Array {
  const s = new Uint8Array(size);
  s.set(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
  return s;
}

// sector 0, sector 1 (slot 0) and sector 2 (mailbox 0) as sbd wrote them
const SBD_HEADER = sector(
  '5342445f5342445f 02ff 0000 00000200 00000002 00000002 00000001 00000004 01 7baed0a3fba94bcb9966aeee2aa9e5c9',
);
const SBD_SLOT0 = sector('01 6e6f646531'); // in use, "node1"
const SBD_MBOX0 = sector('03 66656e636572'); // off, from "fencer"

void describe('SBD layout', () => {
  void it('reads the header sbd create wrote', () => {
    assert.deepEqual(decodeHeader(SBD_HEADER, 512), {
      version: 2,
      minorVersion: 1,
      slots: 255,
      sectorSize: 512,
      timeoutWatchdog: 2,
      timeoutAllocate: 2,
      timeoutLoop: 1,
      timeoutMsgwait: 4,
      uuid: '7baed0a3-fba9-4bcb-9966-aeee2aa9e5c9',
    });
  });

  void it('writes the same header bytes sbd writes', () => {
    const h = decodeHeader(SBD_HEADER, 512);
    assert.ok(typeof h !== 'string');
    assert.deepEqual(encodeHeader(h, 512), SBD_HEADER);
  });

  void it('refuses what is not an SBD header, saying why', () => {
    assert.match(String(decodeHeader(new Uint8Array(512), 512)), /magic "SBD_SBD_" not found/);
    const v3 = SBD_HEADER.slice();
    v3[8] = 3;
    assert.match(String(decodeHeader(v3, 512)), /version 3/);
    assert.match(String(decodeHeader(SBD_HEADER, 4096)), /sector size 512, the device has 4096/);
    assert.match(String(decodeHeader(SBD_HEADER.subarray(0, 20), 512)), /only 20 bytes/);
  });

  void it('places slot n at sector 1+2n and its mailbox at 2+2n', () => {
    assert.deepEqual([slotSector(0), mailboxSector(0), slotSector(1), mailboxSector(1)], [1, 2, 3, 4]);
    assert.equal(mailboxSector(254), 510);
  });

  void it('reads and writes slot entries and mailboxes byte for byte as sbd does', () => {
    assert.deepEqual(decodeSlot(0, SBD_SLOT0), { index: 0, inUse: true, name: 'node1' });
    assert.deepEqual(encodeSlot('node1', 512), SBD_SLOT0);
    assert.deepEqual(decodeMailbox(SBD_MBOX0), { command: 'off', code: 3, from: 'fencer' });
    assert.deepEqual(encodeMailbox('off', 'fencer', 512), SBD_MBOX0);
    assert.deepEqual(encodeMailbox('clear', 'fencer', 512), new Uint8Array(512));
    assert.deepEqual(decodeSlot(7, new Uint8Array(512)), { index: 7, inUse: false, name: '' });
  });

  void it('knows sbd command codes, and reports others as unknown', () => {
    assert.deepEqual(SBD_COMMANDS, { clear: 0, test: 1, reset: 2, off: 3, exit: 4, crashdump: 5 });
    for (const [name, code] of Object.entries(SBD_COMMANDS))
      assert.equal(decodeMailbox(sector(code.toString(16).padStart(2, '0'))).command, name);
    assert.deepEqual(decodeMailbox(sector('09')), { command: undefined, code: 9, from: '' });
    assert.equal(decodeMailbox(sector('ff')).code, -1); // a signed char on disk
  });

  void it('cuts names to 63 bytes and compares them case-insensitively, as sbd does', () => {
    const long = 'n'.repeat(70);
    const s = encodeSlot(long, 512);
    assert.equal(decodeSlot(0, s).name, 'n'.repeat(63));
    assert.equal(s[64], 0); // the name stays NUL-terminated
    assert.ok(sameSlotName(long, 'N'.repeat(63)));
    assert.ok(sameSlotName('Node1', 'node1'));
    assert.ok(!sameSlotName('node1', 'node10'));
  });
});
