// ha.cf: directive records -> typed settings with Heartbeat 3.0.6's defaults, plus every problem as
// a ConfigIssue. Directives take effect in file order as in Heartbeat (a medium uses the udpport and
// baud in effect on its line). Driven by the directive table: each line's name picks its spec
// (ha-cf-directives.ts: how the line is split, whether heartbeat-ts acts on it) and its handler
// (ha-cf-handlers.ts); this file owns what is true of every line (unknown names, missing or extra
// values, a setting given twice) and which file may hold which directive: our extensions may be in
// ha.cf (one warning: real Heartbeat refuses them) or in hbts.cf, read after ha.cf, which holds
// nothing but extensions. Whole-file checks and derived defaults are in ha-cf-finish.ts; checks
// that need the other files or the local node name live in resolve-config.ts.
import type { ConfigIssue, SourceLocation } from './source-location.js';
import type { HaCf } from './types.js';
import { haCfLines, type DirectiveLine } from './ha-cf-lines.js';
import {
  DIRECTIVE_NAMES,
  EXTENSION_NAMES,
  REFUSED_DIRECTIVES,
  directiveSpec,
  type KnownDirective,
} from './ha-cf-directives.js';
import { closestName } from './did-you-mean.js';
import { HaCfBuilder } from './ha-cf-builder.js';
import { HA_CF_HANDLERS } from './ha-cf-handlers.js';
import { finishHaCf } from './ha-cf-finish.js';

export interface HaCfParse {
  readonly haCf: HaCf;
  readonly issues: readonly ConfigIssue[];
}

/** hbts.cf, when there is one: its text and the name its issues carry. */
export interface HbtsCfText {
  readonly text: string;
  readonly file: string;
}

export function parseHaCf(text: string, file = 'ha.cf', hbtsCf?: HbtsCfText): HaCfParse {
  const lexed = haCfLines(text, file);
  const b = new HaCfBuilder(file, lexed.issues);
  const extensionsInHaCf: DirectiveLine[] = [];
  for (const line of lexed.lines) {
    const spec = directiveSpec(line.name);
    if (spec === undefined) reportUnknown(line, (at, message) => b.err(at, message), false);
    else {
      if (spec.extension === true) extensionsInHaCf.push(line);
      parseLine(b, spec, line);
    }
  }
  warnExtensionsInHaCf(b, extensionsInHaCf);
  if (hbtsCf !== undefined) parseHbtsCf(b, hbtsCf);
  const haCf = finishHaCf(b);
  return { haCf, issues: b.issues };
}

function parseHbtsCf(b: HaCfBuilder, hbtsCf: HbtsCfText): void {
  const lexed = haCfLines(hbtsCf.text, hbtsCf.file);
  b.issues.push(...lexed.issues);
  for (const line of lexed.lines) {
    const spec = directiveSpec(line.name);
    if (spec === undefined) reportUnknown(line, (at, message) => b.err(at, message), true);
    else if (spec.extension !== true) {
      b.err(
        line.at,
        `'${line.name}' is a Heartbeat directive: write it in ${b.file}; hbts.cf holds only heartbeat-ts extensions (${EXTENSION_NAMES.join(', ')})`,
      );
    } else parseLine(b, spec, line);
  }
}

/** One warning for all of them, on the first: the file as a whole is what Heartbeat refuses. */
function warnExtensionsInHaCf(b: HaCfBuilder, lines: readonly DirectiveLine[]): void {
  const first = lines[0];
  if (first === undefined) return;
  const names = [...new Set(lines.map((l) => l.name))].join(', ');
  const where = lines.map((l) => l.at.line).join(', ');
  b.warn(
    first.at,
    `${names} ${lines.length === 1 ? 'is a heartbeat-ts extension' : 'are heartbeat-ts extensions'} (line${lines.length === 1 ? '' : 's'} ${where}): ` +
      `real Heartbeat refuses a ${b.file} holding them; in a cluster with Heartbeat nodes, move ${lines.length === 1 ? 'this line' : 'these lines'} to hbts.cf beside it`,
  );
}

/** One known directive's line: the checks every line gets, then its handler once per value. */
function parseLine(b: HaCfBuilder, spec: KnownDirective, line: DirectiveLine): void {
  const { name, at } = line;
  const written = spec.values === 'line' ? (line.rest === '' ? [] : [line.rest]) : line.values;
  // HA_<directive> for resource scripts is Heartbeat's contract for its own directives; ours stay
  // out (a fence line may hold a password).
  if (spec.extension !== true) b.directives.set(name, [...(b.directives.get(name) ?? []), ...written]);
  if (written.length === 0) {
    b.warn(at, `'${name}' has no value; Heartbeat ignores this line (syntax: ${name} ${spec.syntax})`);
    return;
  }
  const earlier = b.lines.get(name);
  b.lines.set(name, at);
  if (!spec.acted && !(spec.quietWhen?.(written[written.length - 1] ?? '') ?? false)) {
    b.warn(at, `'${name}' is parsed, not acted on by heartbeat-ts yet`);
  }
  if (name === 'udp') {
    b.warn(
      at,
      "'udp' is an old alias of 'bcast' (Heartbeat replaces it too): write `bcast " + written.join(' ') + '`',
    );
  }
  const scalar = spec.values === 'one' || spec.values === 'time';
  if (scalar && written.length > 1 && !severalValues(b, spec, line, written)) return;
  const errorsBefore = b.errorCount();
  const handler = HA_CF_HANDLERS[spec.name];
  for (const value of written) handler(b, value, line);
  const applied = b.errorCount() === errorsBefore;
  if (scalar && written.length === 1 && earlier !== undefined && name !== 'baud' && applied) {
    b.warn(
      at,
      `${name} is set again here; the value on ${earlier.file === at.file ? 'line ' : `${earlier.file}:`}${earlier.line} is overridden (the last one wins, as in Heartbeat)`,
    );
  }
}

/**
 * A single-value directive written with several: a unit split from its number is an error (false:
 * apply nothing); otherwise Heartbeat applies them in turn, which is worth a warning.
 */
function severalValues(
  b: HaCfBuilder,
  spec: KnownDirective,
  line: DirectiveLine,
  written: readonly string[],
): boolean {
  const { name, at } = line;
  const unit = written[1] ?? '';
  if (spec.values === 'time' && /^(ms|msec|us|usec|s|sec)$/i.test(unit)) {
    b.err(
      at,
      `the unit must be glued to the number: write \`${name} ${written[0] ?? ''}${unit.toLowerCase().startsWith('s') ? '' : unit}\``,
    );
    return false;
  }
  const fraction =
    line.rest.includes(',') && written.length === 2 && written.every((w) => /^\d+$/.test(w))
      ? `; commas separate values in ha.cf, for a fraction write \`${name} ${written.join('.')}\``
      : '';
  b.warn(
    at,
    `${name} has ${written.length} values (${written.join(', ')}); Heartbeat applies them one after another, so ` +
      `'${written[written.length - 1] ?? ''}' wins${fraction}`,
  );
  return true;
}

function reportUnknown(
  line: DirectiveLine,
  err: (at: SourceLocation, message: string) => void,
  inHbtsCf: boolean,
): void {
  const { name, at } = line;
  const refused = REFUSED_DIRECTIVES.get(name);
  if (refused !== undefined) {
    err(at, `'${name}' is not supported: ${refused}`);
    return;
  }
  const sameButCase = DIRECTIVE_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
  if (sameButCase !== undefined) {
    err(at, `unknown directive '${name}': directive names are case-sensitive, write '${sameButCase}'`);
    return;
  }
  const comma = name.indexOf(',');
  if (comma > 0 && directiveSpec(name.slice(0, comma)) !== undefined) {
    err(at, `unknown directive '${name}': put a space between '${name.slice(0, comma)}' and its values`);
    return;
  }
  const suggestion = closestName(name, inHbtsCf ? EXTENSION_NAMES : DIRECTIVE_NAMES);
  err(
    at,
    `unknown directive '${name}'${suggestion !== undefined ? `; did you mean '${suggestion}'?` : ''}` +
      (inHbtsCf ? '' : ' (Heartbeat refuses to start on it too)'),
  );
}
