// TypeBox's CommonJS build, required: its ESM build is ~250 files, and under an ESM loader hook (tsx
// for the CLI and node --test, Playwright's for scenarios) each costs a round trip to the hook's
// thread. (A CommonJS file of its own, because createRequire(import.meta.url) breaks where
// Playwright compiles the sources to CommonJS.) Through a require made here, not this file's own:
// when an ES module imports this file, Node gives it a require that still asks the hook thread for
// every file (1.1 s of CPU per Playwright process, against 0.15 s).
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const load = require('node:module').createRequire(__filename);
const here = path.dirname(__filename); // no __dirname in a sweep thread's bundle (faults/thread-module.ts)

/**
 * The bundle's entry: the same four names, from TypeBox's ES module build. Its CommonJS build
 * reaches every function of another file through a re-export getter (a chain of them for
 * `export *`), at every call: Value.Default and Value.Check spent a fifth of their time in those.
 * Bundled from the ES build, the calls are direct and the bundle is half the size.
 */
const ENTRY = `export { Type, Kind } from '@sinclair/typebox';
export { TypeCompiler } from '@sinclair/typebox/compiler';
export { Value } from '@sinclair/typebox/value';`;

/**
 * In the repository (the sources beside this file), the ~270 files of that build as one, bundled by
 * esbuild into node_modules/.cache once per TypeBox version: ~0.03 s of CPU to load instead of
 * ~0.13 s, in every process that loads the harness. In the package (dist/, no esbuild), in a sweep
 * thread's bundle, or when that fails: the files themselves.
 */
function bundled() {
  if (!existsSync(path.join(here, 'typebox.ts'))) return undefined;
  try {
    const main = load.resolve('@sinclair/typebox'); // <node_modules>/@sinclair/typebox/build/cjs/index.js
    const root = main.slice(0, main.lastIndexOf(`${path.sep}build${path.sep}`));
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const file = path.join(root, '..', '..', '.cache', 'ota-hil', `typebox-${version}-esm.cjs`);
    if (!existsSync(file)) {
      const r = load('esbuild').buildSync({ stdin: { contents: ENTRY, resolveDir: here, loader: 'js' }, bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, r.outputFiles[0].contents);
      renameSync(tmp, file); // atomic: a process starting meanwhile sees all of it or none
    }
    return load(file);
  } catch {
    return undefined;
  }
}

// One `exports.<name> =` each: that is how Node finds the names an ES module imports from this file.
const typebox = bundled();
exports.Type = (typebox ?? load('@sinclair/typebox')).Type;
exports.Kind = (typebox ?? load('@sinclair/typebox')).Kind;
exports.TypeCompiler = (typebox ?? load('@sinclair/typebox/compiler')).TypeCompiler;
exports.Value = (typebox ?? load('@sinclair/typebox/value')).Value;
