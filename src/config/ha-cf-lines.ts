// Lexical layer of ha.cf: physical lines -> directive records, with Heartbeat's rules: `#` starts a
// comment anywhere, leading whitespace is skipped, the first token is the case-sensitive directive
// name, and ordinary directives are split on spaces, tabs and commas while whole-line directives get
// the rest of the line unsplit.
import type { ConfigIssue, SourceLocation } from './source-location.js';
import { errorAt } from './config-issues.js';

/** Heartbeat reads ha.cf with a 1024-byte fgets buffer, so a longer line is read as two. */
export const MAX_LINE_CHARS = 1023;

export interface DirectiveLine {
  readonly name: string;
  /** The rest of the line after the name, comment removed, trimmed. */
  readonly rest: string;
  /** `rest` split on spaces, tabs and commas (the ordinary directives' values). */
  readonly values: readonly string[];
  readonly at: SourceLocation;
}

export function splitValues(rest: string): string[] {
  return rest.split(/[ \t,]+/).filter((t) => t !== '');
}

/** Splits on spaces and tabs only: how media plugins and other whole-line parsers tokenize. */
export function splitWords(rest: string): string[] {
  return rest.split(/[ \t]+/).filter((t) => t !== '');
}

export function stripComment(line: string): string {
  const hash = line.indexOf('#');
  return hash < 0 ? line : line.slice(0, hash);
}

export function haCfLines(text: string, file: string): { lines: DirectiveLine[]; issues: ConfigIssue[] } {
  const lines: DirectiveLine[] = [];
  const issues: ConfigIssue[] = [];
  const physical = text.split('\n');
  physical.forEach((raw, index) => {
    const at = { file, line: index + 1 };
    if (raw.length > MAX_LINE_CHARS) {
      issues.push(
        errorAt(
          at,
          `line is ${raw.length} characters long; Heartbeat reads at most ${MAX_LINE_CHARS} per line and would split it`,
        ),
      );
      return;
    }
    const content = stripComment(raw.replace(/\r$/, '')).replace(/\r/g, '').trim();
    if (content === '') return;
    const nameEnd = content.search(/[ \t]/);
    const name = nameEnd < 0 ? content : content.slice(0, nameEnd);
    const rest = nameEnd < 0 ? '' : content.slice(nameEnd).trim();
    lines.push({ name, rest, values: splitValues(rest), at });
  });
  return { lines, issues };
}
