// The JSON form of a message used by `hbts msg decode/encode`: fields in wire order as
// {"name", "type", "value"}. Strings are byte strings, one char per byte (U+0000..U+00FF), so
// any value survives the trip; binary and compressed values are base64; struct/uncompressed
// values are nested field arrays; list values are arrays of strings.

import type { Field, Message } from './message.js';

export type JsonField =
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'binary' | 'compressed'; readonly value: string }
  | { readonly name: string; readonly type: 'struct' | 'uncompressed'; readonly value: JsonField[] }
  | { readonly name: string; readonly type: 'list'; readonly value: string[] };

export function messageToJson(msg: Message): JsonField[] {
  return msg.fields.map((f): JsonField => {
    switch (f.type) {
      case 'string':
        return { name: f.name, type: 'string', value: f.value };
      case 'binary':
      case 'compressed':
        return { name: f.name, type: f.type, value: Buffer.from(f.value).toString('base64') };
      case 'struct':
      case 'uncompressed':
        return { name: f.name, type: f.type, value: messageToJson(f.value) };
      case 'list':
        return { name: f.name, type: 'list', value: [...f.value] };
    }
  });
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parse and type-check the `fields` array of the JSON form; errors name the offending field.
 * Whether the result can be encoded faithfully is codec.checkEncodable's job.
 */
export function messageFromJson(json: unknown, path = 'fields', depth = 0): Message | { error: string } {
  if (!Array.isArray(json)) return { error: `${path} must be an array of {name, type, value}` };
  if (depth > 16) return { error: `${path}: nested deeper than 16` };
  const fields: Field[] = [];
  for (let i = 0; i < json.length; i++) {
    const item: unknown = json[i];
    const at = `${path}[${i}]`;
    if (typeof item !== 'object' || item === null) return { error: `${at} must be an object` };
    const { name, type, value } = item as { name?: unknown; type?: unknown; value?: unknown };
    if (typeof name !== 'string') return { error: `${at}.name must be a string` };
    const where = `${at} (${JSON.stringify(name)})`;
    switch (type) {
      case 'string':
        if (typeof value !== 'string') return { error: `${where}: value must be a string` };
        fields.push({ name, type, value });
        break;
      case 'binary':
      case 'compressed':
        if (typeof value !== 'string' || !BASE64.test(value)) {
          return { error: `${where}: value must be standard base64 (with = padding)` };
        }
        fields.push({ name, type, value: new Uint8Array(Buffer.from(value, 'base64')) });
        break;
      case 'struct':
      case 'uncompressed': {
        const inner = messageFromJson(value, `${where}.value`, depth + 1);
        if ('error' in inner) return inner;
        fields.push({ name, type, value: inner });
        break;
      }
      case 'list':
        if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
          return { error: `${where}: value must be an array of strings` };
        }
        fields.push({ name, type, value: [...value] });
        break;
      default:
        return {
          error: `${where}: type must be one of string, binary, struct, list, compressed, uncompressed`,
        };
    }
  }
  return { fields };
}
