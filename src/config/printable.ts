// Text from a file or a packet, made safe to print: control characters (C0, DEL, C1), and the
// Unicode line separators and bidirectional overrides that can rewrite what a terminal shows, are
// written as escapes (\x1b, \u{202e}). A binary file named as a config file must not reach the
// terminal raw.

const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffd]/gu;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** `printable`, and at most `max` characters (a 100,000-character token is not an error message). */
export function printableShort(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
  return printable(cut);
}
