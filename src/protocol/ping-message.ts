// The payload of a ping-node ICMP echo request (reference 4.6). For every status message Heartbeat
// sends, its ping medium builds `t=NS_st st=ping info=ping src=<ping node> ts=<status ts>` plus
// the inner auth field, netstring-encodes and signs it, and sends it as the echo payload. The
// ping node echoes it back; the endpoint accepts the reply as an NS_st message from that node.

import type { Authenticator } from './auth.js';
import type { Field } from './message.js';

export function encodePingPayload(
  auth: Authenticator,
  pingNode: string,
  wallMs: number,
  innerAuth = true,
): Buffer {
  const fields: Field[] = [
    { name: 't', type: 'string', value: 'NS_st' },
    { name: 'st', type: 'string', value: 'ping' },
    { name: 'info', type: 'string', value: 'ping' },
    { name: 'src', type: 'string', value: pingNode },
    { name: 'ts', type: 'string', value: Math.floor(wallMs / 1000).toString(16) },
  ];
  if (innerAuth) fields.push({ name: 'auth', type: 'string', value: auth.innerAuthValue({ fields }) });
  return auth.signNetstring({ fields });
}
