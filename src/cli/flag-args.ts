// The argument scanner the `hbts` sub-commands share: `--flag=value` and `--flag value` forms.

export interface FlagArg {
  /** The argument as given. */
  readonly arg: string;
  /** `--flag` of `--flag=value`, else the whole argument. */
  readonly flag: string;
  /** The part after `=` in `--flag=value`; undefined without `=`. */
  readonly inline: string | undefined;
  /**
   * The flag's value: the inline one, else the next argument (consumed), unless there is none or
   * it is itself a `--` flag. Call it before asking for the next argument.
   */
  value(): string | undefined;
}

export function* flagArgs(argv: readonly string[]): Generator<FlagArg> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      arg,
      flag,
      inline,
      value: () => {
        if (inline !== undefined) return inline;
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) return undefined;
        i++;
        return next;
      },
    };
  }
}
