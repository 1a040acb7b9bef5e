// Heartbeat's time syntax (cl_get_msec): seconds by default (`2`, `0.5`), or a glued-on `ms`/`msec`
// (milliseconds) or `us`/`usec` (microseconds) suffix, case-insensitive. Heartbeat rejects anything
// else with a bare "configuration error"; we say what was wrong and what to write instead.

export type TimeParse =
  { readonly kind: 'ok'; readonly ms: number } | { readonly kind: 'error'; readonly message: string };

const NUMBER_AND_UNIT = /^(\d*(?:\.\d*)?)([A-Za-z]*)$/;

/** Suffixes people try that Heartbeat does not accept, with the factor to milliseconds. */
const WRONG_UNITS: ReadonlyArray<{ readonly re: RegExp; readonly what: string; readonly factorMs: number }> =
  [
    { re: /^(s|sec|secs|second|seconds)$/i, what: 'seconds take no suffix', factorMs: 1000 },
    { re: /^(m|min|mins|minute|minutes)$/i, what: 'minutes are not accepted', factorMs: 60_000 },
    { re: /^(h|hr|hrs|hour|hours)$/i, what: 'hours are not accepted', factorMs: 3_600_000 },
  ];

/** Milliseconds, rounded the way Heartbeat rounds (add 0.5, truncate). */
function roundLikeHeartbeat(ms: number): number {
  return Math.floor(ms + 0.5);
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}

/**
 * Parses one time token as written after `directive` (used only to phrase the fix).
 * `2` -> 2000, `0.5` -> 500, `1500ms` -> 1500, `2000usec` -> 2.
 */
export function parseHeartbeatTime(directive: string, token: string): TimeParse {
  const m = NUMBER_AND_UNIT.exec(token);
  const digits = m?.[1] ?? '';
  if (m === null || !/\d/.test(digits)) {
    if (/^[+-]/.test(token)) {
      return { kind: 'error', message: `${directive} must be a positive time, got '${token}'` };
    }
    return {
      kind: 'error',
      message: `'${token}' is not a time: write seconds (\`${directive} 2\`, \`${directive} 0.5\`) or milliseconds (\`${directive} 500ms\`)`,
    };
  }
  const value = Number(digits);
  const unit = m[2] ?? '';
  const lower = unit.toLowerCase();
  if (lower === '') return { kind: 'ok', ms: roundLikeHeartbeat(value * 1000) };
  if (lower === 'ms' || lower === 'msec') return { kind: 'ok', ms: roundLikeHeartbeat(value) };
  if (lower === 'us' || lower === 'usec') return { kind: 'ok', ms: roundLikeHeartbeat(value / 1000) };
  for (const wrong of WRONG_UNITS) {
    if (wrong.re.test(unit)) {
      const ms = roundLikeHeartbeat(value * wrong.factorMs);
      return {
        kind: 'error',
        message: `${wrong.what}: write \`${directive} ${formatSeconds(ms)}\` or \`${directive} ${ms}ms\``,
      };
    }
  }
  return {
    kind: 'error',
    message: `unknown time unit '${unit}' in '${token}': Heartbeat accepts only seconds without a suffix (\`${directive} 2\`), \`ms\`/\`msec\` or \`us\`/\`usec\``,
  };
}

/** `2 s` when whole seconds, else `1500 ms`: for summaries. */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
