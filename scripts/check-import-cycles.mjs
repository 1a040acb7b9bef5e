#!/usr/bin/env node
// Fails when the TypeScript sources under a folder import each other in a cycle. A cycle counts
// even when one side is `import type` (a type-only cycle still ties the two modules together), so
// every import, re-export and literal dynamic import is an edge. Only relative imports are
// followed; `./x.js` resolves to `./x.ts` as tsc does with NodeNext.
//
//   node scripts/check-import-cycles.mjs [DIR ...]     (default: src)
//
// Exit 0: no cycle. Exit 1: one line per cycle (the modules of a strongly connected component,
// as one closed path). Exit 2: a usage problem (missing folder).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every .ts file below dir (declaration files excluded), sorted for a stable report. */
function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The .ts file a relative specifier names, or undefined when it names none (a .json, say). */
function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`];
  return candidates.find((c) => c.endsWith('ts') && existsSync(c) && statSync(c).isFile());
}

function importGraph(files) {
  const graph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('./') || s.startsWith('../'))
      .map((s) => resolveImport(file, s))
      .filter((t) => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Tarjan's strongly connected components; the ones with a cycle (size > 1, or a self-import). */
function cyclicComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One closed path through a component: from its first module back to it, inside the component. */
function cyclePath(graph, component) {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (w === start) {
        const path = [start];
        for (let at = v; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push('src');
const files = [];
for (const dir of dirs) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    console.error(`check-import-cycles: ${dir} is not a folder`);
    process.exit(2);
  }
  files.push(...sourceFiles(resolve(dir)));
}
const graph = importGraph(files);
const cycles = cyclicComponents(graph);
const show = (file) => relative(process.cwd(), file);
for (const component of cycles) {
  console.error(`import cycle: ${cyclePath(graph, component).map(show).join(' -> ')}`);
}
if (cycles.length > 0) {
  console.error(`${cycles.length} import cycle(s) among ${files.length} files`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files`);
