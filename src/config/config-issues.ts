// Building, ordering and printing ConfigIssue values. Every config problem is a value with a
// location; nothing in the config parsers throws on bad input.
import { printable } from './printable.js';
import type { ConfigIssue, SourceLocation } from './source-location.js';

export function errorAt(at: SourceLocation, message: string): ConfigIssue {
  return { file: at.file, line: at.line, severity: 'error', message };
}

export function warningAt(at: SourceLocation, message: string): ConfigIssue {
  return { file: at.file, line: at.line, severity: 'warning', message };
}

/** A location that concerns a whole file (missing file, permissions, nothing defined). */
export function wholeFile(file: string): SourceLocation {
  return { file, line: 0 };
}

/**
 * Issues ordered by file (in the order the files were given), then line; the sort is stable, so
 * issues on one line keep the order in which they were found.
 */
export function sortIssues(issues: readonly ConfigIssue[], fileOrder: readonly string[]): ConfigIssue[] {
  const rank = (file: string): number => {
    const i = fileOrder.indexOf(file);
    return i < 0 ? fileOrder.length : i;
  };
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) => rank(a.issue.file) - rank(b.issue.file) || a.issue.line - b.issue.line || a.index - b.index,
    )
    .map((x) => x.issue);
}

/**
 * `file:line: message`, or `file: message` when the issue concerns the whole file. Whatever the
 * message quotes from the file is shown with its control characters escaped.
 */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  const tag = issue.severity === 'warning' ? 'warning: ' : '';
  return printable(`${where}: ${tag}${issue.message}`);
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}
