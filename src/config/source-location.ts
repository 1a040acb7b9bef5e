// Where in the config files something was written, and a problem found there (built and printed
// by config-issues.ts).

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/** A problem found in a config file. `line` is 0 when it concerns the whole file (missing, permissions). */
export interface ConfigIssue extends SourceLocation {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}
