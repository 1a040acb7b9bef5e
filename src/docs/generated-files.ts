// The files generated from the code, with their contents: the ha.cf directive reference and the
// man pages. scripts/gen-docs.mjs writes them; test/unit/docs/generated.test.ts fails when the
// committed copies are stale.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandHelp } from '../cli/help.js';
import { renderDirectiveMan, renderDirectiveMarkdown } from './directive-reference.js';
import { renderHbtsMan, type ManMeta } from './man-hbts.js';
import { renderToolMan, toolPages } from './man-tools.js';
import { CL_STATUS_USAGE } from '../daemon/cl-status-answer.js';

export interface GeneratedFile {
  /** Relative to the project root. */
  readonly path: string;
  readonly content: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/docs -> the project root. */
export const PROJECT_ROOT = join(here, '..', '..', '..');
const COMMANDS_DIR = join(here, '..', 'cli', 'commands');

/** The help of every sub-command module that exports one, sorted by name. */
export async function commandHelps(): Promise<CommandHelp[]> {
  const out: CommandHelp[] = [];
  for (const file of readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.js'))
    .sort()) {
    const mod = (await import(join(COMMANDS_DIR, file))) as { help?: CommandHelp };
    if (mod.help === undefined)
      throw new Error(`src/cli/commands/${file.replace(/\.js$/, '.ts')} exports no help`);
    out.push(mod.help);
  }
  return out;
}

export function manMeta(): ManMeta {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return { version: pkg.version, date: '' };
}

export async function generatedFiles(): Promise<GeneratedFile[]> {
  const meta = manMeta();
  return [
    { path: 'docs/reference/ha-cf-directives.md', content: renderDirectiveMarkdown() },
    { path: 'man/hbts.8', content: renderHbtsMan(await commandHelps(), meta) },
    { path: 'man/hbts-ha.cf.5', content: renderDirectiveMan(meta) },
    ...toolPages(CL_STATUS_USAGE).map((p) => ({ path: `man/${p.name}.1`, content: renderToolMan(p, meta) })),
  ];
}
