// TypeBox's CommonJS build, required: its ESM build is ~250 files, and under an ESM loader hook (tsx
// for the CLI and node --test, Playwright's for scenarios) each costs a round trip to the hook's
// thread. (A CommonJS file of its own, because createRequire(import.meta.url) breaks where
// Playwright compiles the sources to CommonJS.) Through a require made here, not this file's own:
// when an ES module imports this file, Node gives it a require that still asks the hook thread for
// every file (1.1 s of CPU per Playwright process, against 0.15 s).
const load = require('node:module').createRequire(__filename);
const typebox = load('@sinclair/typebox');

exports.Type = typebox.Type;
exports.Kind = typebox.Kind;
exports.TypeCompiler = load('@sinclair/typebox/compiler').TypeCompiler;
exports.Value = load('@sinclair/typebox/value').Value;
