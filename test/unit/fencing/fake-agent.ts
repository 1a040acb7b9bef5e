// A fake fence agent, written by the test into a temporary directory: it obeys fence-agents' stdin
// protocol (key=value lines, action=..., `-o metadata` as arguments) and fence-agents' exit codes
// (0 ok / status on, 2 status off, 1 failure), keeps the node's power in a file, and records every
// call's stdin so a test can see exactly what the agent was given. Its behaviour is set by a file
// (`mode`), since fence agents run with a clean environment.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** normal; fail (off/reboot/on exit 1); hang (every action sleeps); liar (off says ok, power stays on). */
export type FakeMode = 'normal' | 'fail' | 'hang' | 'liar';

export interface FakeAgent {
  readonly dir: string;
  readonly path: string;
  setMode(mode: FakeMode): void;
  setPower(power: 'on' | 'off'): void;
  power(): string;
  /** Each call's stdin as key=value pairs, in call order. */
  calls(): [string, string][][];
  /** The pid of the `sleep` a hanging call started. */
  sleeperPid(): number | undefined;
  remove(): void;
}

export function fakeMetadata(name: string, withStatus = true): string {
  const param = (n: string, type: string, required = 0): string =>
    `\t<parameter name="${n}" unique="0" required="${required}">\n\t\t<getopt mixed="--${n}=[${n}]" />\n` +
    `\t\t<content type="${type}"  />\n\t</parameter>\n`;
  return (
    `<?xml version="1.0" ?>\n<resource-agent name="${name}" shortdesc="fake">\n<parameters>\n` +
    param('action', 'string', 1) +
    param('ip', 'string', 1) +
    param('username', 'string') +
    param('password', 'string') +
    param('lanplus', 'boolean') +
    '</parameters>\n<actions>\n\t<action name="on" />\n\t<action name="off" />\n\t<action name="reboot" />\n' +
    (withStatus ? '\t<action name="status" />\n' : '') +
    '\t<action name="metadata" />\n</actions>\n</resource-agent>\n'
  );
}

const SCRIPT = (dir: string): string => `#!/bin/sh
dir='${dir}'
if [ "$1" = "-o" ] && [ "$2" = "metadata" ]; then cat "$dir/metadata.xml"; exit 0; fi
input=$(cat)
printf '%s\\n--\\n' "$input" >> "$dir/calls"
action=$(printf '%s\\n' "$input" | sed -n 's/^action=//p')
mode=$(cat "$dir/mode")
if [ "$mode" = hang ]; then sleep 60 & echo $! > "$dir/sleeper"; wait; exit 1; fi
case "$action" in
  status)
    if [ "$(cat "$dir/power")" = off ]; then echo "Status: OFF"; exit 2; fi
    echo "Status: ON"; exit 0 ;;
  off|reboot|on)
    if [ "$mode" = fail ]; then echo "Failed: Unable to connect/login to fencing device" >&2; exit 1; fi
    if [ "$mode" = liar ]; then echo "Success: Powered OFF"; exit 0; fi
    if [ "$action" = off ]; then echo off > "$dir/power"; else echo on > "$dir/power"; fi
    echo "Success: Powered $action"; exit 0 ;;
  *) echo "unknown action $action" >&2; exit 1 ;;
esac
`;

export function makeFakeAgent(name = 'fence_fake', opts: { withStatus?: boolean } = {}): FakeAgent {
  const dir = mkdtempSync(join(tmpdir(), 'hbts-fence-'));
  const path = join(dir, name);
  writeFileSync(path, SCRIPT(dir));
  chmodSync(path, 0o755);
  writeFileSync(join(dir, 'metadata.xml'), fakeMetadata(name, opts.withStatus ?? true));
  writeFileSync(join(dir, 'mode'), 'normal');
  writeFileSync(join(dir, 'power'), 'on');
  return {
    dir,
    path,
    setMode: (mode) => writeFileSync(join(dir, 'mode'), mode),
    setPower: (power) => writeFileSync(join(dir, 'power'), power),
    power: () => readFileSync(join(dir, 'power'), 'utf8').trim(),
    calls: () => {
      const file = join(dir, 'calls');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('--\n')
        .filter((block) => block.trim() !== '')
        .map((block) =>
          block
            .split('\n')
            .filter((l) => l !== '')
            .map((l): [string, string] => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
    },
    sleeperPid: () => {
      const file = join(dir, 'sleeper');
      return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
