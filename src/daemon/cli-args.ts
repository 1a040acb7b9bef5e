// Tiny flag parser shared by the daemon-side sub-commands: `--name value`, `--name=value`, and
// boolean `--flag`; anything else is a positional argument. Unknown flags are errors.
export interface ParsedArgs {
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
  readonly positional: string[];
}

export function parseArgs(
  args: readonly string[],
  spec: { values: readonly string[]; flags: readonly string[] },
): ParsedArgs | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.flags.includes(name)) {
      if (eq >= 0) return `--${name} takes no value`;
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') return `--${name} needs a value`;
      values.set(name, v);
    } else {
      return `unknown option --${name}`;
    }
  }
  return { values, flags, positional };
}

export const DEFAULT_RUN_DIR = '/run/heartbeat-ts';
export const DEFAULT_STATE_DIR = '/var/lib/heartbeat-ts';
export const DEFAULT_CONFIG_DIR = '/etc/ha.d';
