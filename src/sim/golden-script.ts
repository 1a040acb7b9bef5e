// The text format of golden scenario scripts (test/golden/*.txt, in the spirit of etcd raft's
// datadriven testdata): a command line, a `----` line, the expected output lines, and a blank line
// (or the end of the file) to close the block. Lines starting with `#` and blank lines between
// blocks are comments, kept as they are when the expected output is rewritten. Pure text work:
// parsing, rendering with new output, and a unified-style line diff for failures.

export interface GoldenDirective {
  /** 1-based line of the command in its file. */
  readonly line: number;
  readonly command: string;
  readonly expected: readonly string[];
}

export type GoldenItem =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'directive'; readonly directive: GoldenDirective };

export class GoldenSyntaxError extends Error {}

export function parseGolden(text: string, file: string): GoldenItem[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop(); // the final newline
  const items: GoldenItem[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.startsWith('#')) {
      items.push({ kind: 'text', text: line });
      i++;
      continue;
    }
    if (line.trim() === '----') {
      throw new GoldenSyntaxError(`${file}:${i + 1}: '----' without a command line before it`);
    }
    if (lines[i + 1] !== '----') {
      throw new GoldenSyntaxError(
        `${file}:${i + 1}: expected a '----' line after the command '${line.trim()}' (then the expected output and a blank line)`,
      );
    }
    const start = i;
    const expected: string[] = [];
    i += 2;
    while (i < lines.length && (lines[i] ?? '').trim() !== '') expected.push(lines[i++] ?? '');
    i++; // the blank line that closes the block
    items.push({ kind: 'directive', directive: { line: start + 1, command: line.trim(), expected } });
  }
  return items;
}

export function directives(items: readonly GoldenItem[]): GoldenDirective[] {
  return items.flatMap((it) => (it.kind === 'directive' ? [it.directive] : []));
}

/** The file again, every block's expected output replaced by `actual` (in directive order). */
export function renderGolden(items: readonly GoldenItem[], actual: readonly (readonly string[])[]): string {
  let out = '';
  let k = 0;
  for (const it of items) {
    if (it.kind === 'text') {
      out += `${it.text}\n`;
      continue;
    }
    const lines = actual[k] ?? it.directive.expected;
    k++;
    out += `${it.directive.command}\n----\n${lines.map((l) => `${l}\n`).join('')}\n`;
  }
  return out.replace(/\n+$/, '\n');
}

/**
 * Unified-style diff of two line lists: `@@ -a,n +b,m @@` hunks with `context` unchanged lines
 * around each change, ` ` / `-` (expected only) / `+` (actual only) prefixes. Empty when equal.
 */
export function lineDiff(expected: readonly string[], actual: readonly string[], context = 3): string[] {
  const n = expected.length;
  const m = actual.length;
  // lcs[i][j] = length of the longest common subsequence of expected[i..] and actual[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] ?? [];
    const below = lcs[i + 1] ?? [];
    for (let j = m - 1; j >= 0; j--) {
      row[j] = expected[i] === actual[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const ops: { op: ' ' | '-' | '+'; text: string; a: number; b: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      ops.push({ op: ' ', text: expected[i] ?? '', a: i++, b: j++ });
    } else if (j < m && (i === n || (lcs[i + 1]?.[j] ?? 0) < (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ op: '+', text: actual[j] ?? '', a: i, b: j++ });
    } else {
      ops.push({ op: '-', text: expected[i] ?? '', a: i++, b: j });
    }
  }
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]?.op === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is no further than 2 * context unchanged lines from the previous one.
    const from = Math.max(0, k - context);
    let end = k;
    for (let x = k; x < ops.length; x++) {
      if (ops[x]?.op !== ' ') end = x;
      else if (x - end > 2 * context) break;
    }
    const to = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(from, to);
    const first = hunk[0];
    const aLen = hunk.filter((o) => o.op !== '+').length;
    const bLen = hunk.filter((o) => o.op !== '-').length;
    out.push(
      `@@ -${(first?.a ?? 0) + (aLen > 0 ? 1 : 0)},${aLen} +${(first?.b ?? 0) + (bLen > 0 ? 1 : 0)},${bLen} @@`,
    );
    for (const o of hunk) out.push(`${o.op}${o.text}`);
    k = to;
  }
  return out;
}

/** A readable failure for one block: where, which command, and the diff. */
export function mismatchReport(file: string, d: GoldenDirective, actual: readonly string[]): string {
  return [
    `${file}:${d.line}: ${d.command}`,
    '--- expected',
    '+++ actual',
    ...lineDiff(d.expected, actual),
  ].join('\n');
}
