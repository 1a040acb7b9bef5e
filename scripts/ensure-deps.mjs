#!/usr/bin/env node
// Install on first use: `npm start` and `npm test` run this before anything needs a dependency
// (the build needs tsc from node_modules), so a fresh clone works without a prior `npm ci`.
// Plain JavaScript with no dependencies. Installs (`npm ci`, exactly the lockfile) when
// node_modules is missing or does not match package-lock.json: a package the lockfile names is
// absent or at another version in npm's own record of what it installed
// (node_modules/.package-lock.json). Optional packages for other platforms may be absent.
// A node_modules that is a symlink (a shared checkout) is never reinstalled from here.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const modules = join(root, 'node_modules');

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Why node_modules must be (re)installed, or undefined when it matches the lockfile. */
export function staleReason(rootDir) {
  const lock = readJson(join(rootDir, 'package-lock.json'));
  if (lock === undefined) return undefined; // nothing to compare with: leave it to the user
  if (!existsSync(join(rootDir, 'node_modules'))) return 'node_modules is missing';
  const installed = readJson(join(rootDir, 'node_modules', '.package-lock.json'));
  if (installed === undefined) return 'node_modules has no record of an npm install';
  for (const [key, want] of Object.entries(lock.packages ?? {})) {
    if (key === '' || want.link === true) continue;
    const have = installed.packages?.[key];
    if (have === undefined) {
      if (want.optional === true || want.peer === true) continue;
      return `${key.replace(/^.*node_modules\//, '')} is not installed`;
    }
    if (have.version !== want.version)
      return `${key.replace(/^.*node_modules\//, '')} is ${have.version}, the lockfile wants ${want.version}`;
  }
  return undefined;
}

function main() {
  const reason = staleReason(root);
  if (reason === undefined) return 0;
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
    process.stderr.write(`ensure-deps: ${reason}, but node_modules is a symlink: not reinstalling it\n`);
    return 0;
  }
  process.stderr.write(`ensure-deps: ${reason}: running npm ci (once)\n`);
  // npm sets npm_execpath for the scripts it runs; otherwise `npm` from PATH. No shell.
  const npmCli = process.env.npm_execpath;
  const [file, args] =
    npmCli !== undefined && npmCli.endsWith('.js')
      ? [process.execPath, [npmCli, 'ci', '--no-audit', '--no-fund']]
      : ['npm', ['ci', '--no-audit', '--no-fund']];
  const r = spawnSync(file, args, { cwd: root, stdio: 'inherit', timeout: 15 * 60 * 1000 });
  if (r.status !== 0) {
    process.stderr.write(`ensure-deps: npm ci failed (${r.error?.message ?? `exit ${r.status}`})\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
