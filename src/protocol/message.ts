// A Heartbeat message: an ordered list of typed fields, exactly as on the wire.
// Order is kept because real Heartbeat's bytes (and so their signatures) depend on it.

/** Field type digits as on the wire: 0 string, 1 binary, 2 struct, 3 list, 4 compressed, 5 uncompressed. */
export type Field =
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'binary'; readonly value: Uint8Array }
  | { readonly name: string; readonly type: 'struct'; readonly value: Message }
  | { readonly name: string; readonly type: 'list'; readonly value: readonly string[] }
  | { readonly name: string; readonly type: 'compressed'; readonly value: Uint8Array }
  | { readonly name: string; readonly type: 'uncompressed'; readonly value: Message };

/**
 * String values hold the wire bytes one char per byte (latin1), so that any byte sequence
 * survives decode + encode unchanged. Names are plain ASCII.
 */
export interface Message {
  readonly fields: readonly Field[];
}

export function message(fields: readonly Field[]): Message {
  return { fields };
}

export function str(name: string, value: string): Field {
  return { name, type: 'string', value };
}

export function bin(name: string, value: Uint8Array): Field {
  return { name, type: 'binary', value };
}

/** First string value of a field, or undefined when absent or not a string. */
export function getString(msg: Message, name: string): string | undefined {
  for (const f of msg.fields) if (f.name === name && f.type === 'string') return f.value;
  return undefined;
}

export function getBinary(msg: Message, name: string): Uint8Array | undefined {
  for (const f of msg.fields) if (f.name === name && f.type === 'binary') return f.value;
  return undefined;
}

/** A copy with `name` set to a string value: replaced in place if present, else appended. */
export function withString(msg: Message, name: string, value: string): Message {
  let found = false;
  const fields = msg.fields.map((f) => {
    if (f.name !== name || found) return f;
    found = true;
    return str(name, value);
  });
  if (!found) fields.push(str(name, value));
  return { fields };
}

export function without(msg: Message, name: string): Message {
  return { fields: msg.fields.filter((f) => f.name !== name) };
}
