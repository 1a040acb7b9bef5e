// The generated documentation: the ha.cf directive reference and the man pages must match what
// the code generates now (a stale file fails with the command that rewrites it), every sub-command
// exports its help, `hbts <cmd> --help` and the man page name the same flags, and man renders
// each page without a warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandHelps, generatedFiles, PROJECT_ROOT } from '../../../src/docs/generated-files.js';
import { helpFlags } from '../../../src/cli/help.js';
import { HA_CF_DIRECTIVES } from '../../../src/config/ha-cf-directives.js';
import { SUB_COMMANDS } from '../../../src/daemon/cl-status-answer.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.js', import.meta.url));

void test('the generated reference and man pages are up to date (npm run docs rewrites them)', async () => {
  for (const f of await generatedFiles()) {
    const path = join(PROJECT_ROOT, f.path);
    assert.ok(existsSync(path), `${f.path} is missing: run npm run docs`);
    assert.equal(readFileSync(path, 'utf8'), f.content, `${f.path} is stale: run npm run docs`);
  }
});

void test('the directive reference names every directive of the parser table, with its default', async () => {
  const ref = (await generatedFiles()).find((f) => f.path.endsWith('ha-cf-directives.md'));
  assert.ok(ref);
  for (const d of HA_CF_DIRECTIVES) {
    assert.match(ref.content, new RegExp(`^\\| \`${d.name}\` \\|`, 'm'), d.name);
  }
  assert.match(ref.content, /\| `fence` \|.*\| no \(extension\) \| yes \|/);
  assert.match(ref.content, /\| `keepalive` \| time \| 1 \(1000 ms\) \|.*\| yes \| yes \|/);
});

function manSection(man: string, name: string): string {
  const start = man.indexOf(`.SS ${name.replace(/-/g, '\\-')}\n`);
  assert.ok(start >= 0, `hbts.8 has no section for ${name}`);
  const rest = man.slice(start + 4);
  const end = rest.search(/^\.S[SH] /m);
  return (end < 0 ? rest : rest.slice(0, end)).replace(/\\-/g, '-');
}

void test('hbts <cmd> --help and hbts(8) list the same flags for every command', async () => {
  const man = readFileSync(join(PROJECT_ROOT, 'man', 'hbts.8'), 'utf8');
  const helps = await commandHelps();
  assert.ok(helps.length >= 10, 'every command module exports its help');
  for (const h of helps) {
    const r = spawnSync(process.execPath, [MAIN, h.name, '--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `hbts ${h.name} --help exits 0: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: hbts ${h.name}`), `hbts ${h.name} --help prints its usage`);
    const fromHelp = helpFlags(r.stdout).filter((f) => f !== '--help');
    const fromMan = helpFlags(manSection(man, h.name)).filter((f) => f !== '--help');
    assert.deepEqual(fromMan, fromHelp, `flags of ${h.name}: man page vs --help`);
  }
});

const hasMan = spawnSync('man', ['--version']).status === 0;
const hasGroff = spawnSync('groff', ['--version']).status === 0;

void test(
  'man -l renders every page, and groff finds nothing to warn about',
  { skip: !hasMan || !hasGroff ? 'man or groff missing (apt-get install man-db groff-base)' : false },
  () => {
    for (const page of ['hbts.8', 'hbts-ha.cf.5', 'cl_status.1', 'hb_standby.1', 'hb_takeover.1']) {
      const path = join(PROJECT_ROOT, 'man', page);
      const r = spawnSync('man', ['-l', path], {
        encoding: 'utf8',
        env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' },
      });
      assert.equal(r.status, 0, `man -l ${page}: ${r.stderr}`);
      assert.match(r.stdout, /heartbeat-ts manual/);
      assert.ok(r.stdout.split('\n').length > 15, `${page} renders to a real page`);
      const g = spawnSync('groff', ['-ww', '-z', '-man', path], { encoding: 'utf8' });
      assert.equal(g.stderr, '', `groff warnings for ${page}`);
    }
  },
);

void test('package.json installs the man pages (npm install -g links them for man)', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { man?: string[] };
  assert.deepEqual([...(pkg.man ?? [])].sort(), [
    './man/cl_status.1',
    './man/hb_standby.1',
    './man/hb_takeover.1',
    './man/hbts-ha.cf.5',
    './man/hbts.8',
  ]);
});

void test('cl_status(1) names every sub-command the tool answers', () => {
  const man = readFileSync(join(PROJECT_ROOT, 'man', 'cl_status.1'), 'utf8').replace(/\\-/g, '-');
  for (const cmd of SUB_COMMANDS) assert.match(man, new RegExp(`^${cmd}\\b`, 'm'), cmd);
});
