// The help of each `hbts` sub-command as data: `hbts <cmd> --help` prints it and the hbts(8) man
// page is generated from it (src/docs/man-page.ts), so the two cannot list different flags.
// Paragraphs are plain text that is wrapped to the terminal's width here and filled by roff there;
// a paragraph whose first character is a space is preformatted and kept as written.

export interface HelpOption {
  /** The flag and its argument as written on the command line: `--config-dir DIR`. */
  readonly flag: string;
  readonly text: string;
}

export interface HelpSection {
  /** Lower-case title such as `exit status` or `signals`. */
  readonly title: string;
  readonly paragraphs: readonly string[];
}

export interface CommandHelp {
  readonly name: string;
  /** One line, shown in `hbts --help` and the man page's command list. */
  readonly summary: string;
  /** Usage lines after `hbts `: `check [--config-dir DIR] [--json]`. */
  readonly synopsis: readonly string[];
  readonly description?: readonly string[];
  readonly options?: readonly HelpOption[];
  readonly sections?: readonly HelpSection[];
}

const WIDTH = 100;

/** Word-wrap one paragraph at WIDTH, the first line after `first`, the others after `indent`. */
export function wrap(text: string, first: string, indent: string): string {
  if (text.startsWith(' ')) return text.replace(/^/gm, indent.length > 0 ? indent.slice(1) : '');
  const out: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (!empty && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = indent + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  out.push(line);
  return out.join('\n');
}

export function formatHelp(help: CommandHelp): string {
  const parts: string[] = [];
  parts.push(help.synopsis.map((s, i) => `${i === 0 ? 'usage: ' : '       '}hbts ${s}`).join('\n'));
  if (help.description !== undefined) parts.push(help.description.map((p) => wrap(p, '', '')).join('\n\n'));
  if (help.options !== undefined && help.options.length > 0) {
    const width = Math.min(24, Math.max(...help.options.map((o) => o.flag.length)) + 2);
    const pad = ' '.repeat(width + 2);
    parts.push(
      help.options
        .map((o) =>
          o.flag.length + 2 > width
            ? `  ${o.flag}\n${wrap(o.text, pad, pad)}`
            : wrap(o.text, `  ${o.flag.padEnd(width)}`, pad),
        )
        .join('\n'),
    );
  }
  for (const s of help.sections ?? []) {
    const pad = ' '.repeat(s.title.length + 2);
    parts.push(s.paragraphs.map((p, i) => wrap(p, i === 0 ? `${s.title}: ` : pad, pad)).join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

/** Every `--flag` a help names, in its synopsis and options (for the man page test). */
export function helpFlags(text: string): string[] {
  return [...new Set(text.match(/--[a-z][a-z0-9-]*/g) ?? [])].sort();
}

/** True when `args` asks for help. */
export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}
