// Notify hooks, our extension (in ha.cf or hbts.cf): `notify /absolute/path [args...]` runs the
// program once per cluster event with the event's facts in HBTS_* variables (no shell, so the
// words are passed as written); `notify_timeout` limits one run. daemon/notify-hooks.ts runs them.
import type { DirectiveHandler, HaCfBuilder } from './ha-cf-builder.js';
import { splitWords } from './ha-cf-lines.js';
import type { NotifySettings } from './notify-config.js';

export const DEFAULT_NOTIFY_TIMEOUT_MS = 30_000;

export const notify: DirectiveHandler = (b, value, { at }) => {
  const [path, ...args] = splitWords(value);
  if (path === undefined) return;
  if (!path.startsWith('/')) {
    b.err(
      at,
      `notify: the program must be an absolute path (it runs without a shell), e.g. \`notify /etc/ha.d/notify.sh\`, got '${path}'`,
    );
    return;
  }
  b.notify.push({ path, args, at });
};

export function finishNotify(b: HaCfBuilder): NotifySettings {
  const timeout = b.times.get('notify_timeout');
  const notifyTimeoutMs = timeout?.ms ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  if (timeout !== undefined && notifyTimeoutMs <= 0)
    b.err(timeout.at, `notify_timeout must be more than 0 (\`${timeout.text}\` is ${notifyTimeoutMs} ms)`);
  return { notify: b.notify, notifyTimeoutMs };
}
