import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { classicForSerial } from '../../../src/protocol/classic-for-serial.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint } from './helpers.js';

void test('classicForSerial: verifiable classic form, also from msgfmt netstring packets', () => {
  const auth = new Authenticator(authConfig('sha1', 'test-secret'));
  for (const innerAuth of [true, false]) {
    const packet = endpoint('node1', { innerAuth }).send(STATUS, 0, { wallMs: WALL });
    const classic = classicForSerial(packet, auth);
    assert.ok(classic);
    assert.ok(classic.toString('latin1').startsWith('>>>\nt=status\n'));
    const d = decodePacket(classic);
    assert.ok(d.ok && auth.verify(d, classic).ok);
    assert.equal(endpoint('node2').receive(classic, MEDIUM, 0).received.kind, 'message');
  }
  assert.equal(classicForSerial(Buffer.from('junk'), auth), undefined);
});
