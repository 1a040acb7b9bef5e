// Plain text to roff (man(7) macros): escapes, and paragraphs that roff fills itself.

/** Escape text for roff: backslashes, dashes of flags, and a leading dot or quote. */
export function roffText(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

/** A paragraph: filled by roff, or kept as written (preformatted) when it starts with a space. */
export function roffParagraph(text: string): string {
  if (text.startsWith(' ')) return `.nf\n${roffText(text.replace(/^ /gm, ''))}\n.fi`;
  return roffText(text.replace(/\s+/g, ' ').trim());
}

/** Inline `code` spans of the docs as bold. */
export function roffInline(text: string): string {
  return roffText(text).replace(/`([^`]+)`/g, '\\fB$1\\fR');
}

export function roffHeader(
  name: string,
  section: number,
  date: string,
  version: string,
  title: string,
): string {
  return `.TH ${name.toUpperCase().replace(/-/g, '\\-')} ${section} "${date}" "heartbeat-ts ${version}" "${title}"`;
}
