import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialEncoder } from '../../../src/daemon/real-deps.js';
import { Authenticator } from '../../../src/protocol/auth.js';
import { decodePacket } from '../../../src/protocol/codec.js';
import { MEDIUM, STATUS, WALL, authConfig, endpoint } from '../protocol/helpers.js';

void test('serialEncoder: msgfmt netstring packets reach serial peers as classic text they can verify', () => {
  const auth = authConfig('sha1', 'test-secret');
  // msgfmt netstring: the endpoint signs the trailer only, no inner auth field.
  const packet = endpoint('node1', { innerAuth: false }).send(STATUS, 0, { wallMs: WALL });
  const line = serialEncoder({ auth })(packet);
  assert.ok(line);
  const d = decodePacket(line);
  assert.ok(d.ok);
  assert.equal(d.encoding, 'classic');
  assert.ok(new Authenticator(auth).verify(d, line).ok, 'inner auth verifies with the key');
  assert.equal(endpoint('node2').receive(line, MEDIUM, 0).received.kind, 'message');
  assert.equal(serialEncoder({ auth })(Buffer.from('junk')), undefined);
});
