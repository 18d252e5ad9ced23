// TypeBox's CommonJS build, required: its ESM build is ~250 files, and under an ESM loader hook (tsx
// for the CLI and node --test, Playwright's for scenarios) each costs a round trip to the hook's
// thread, ~0.4 s of CPU per process; required, they load in ~0.1 s. (A CommonJS file of its own,
// because createRequire(import.meta.url) breaks where Playwright compiles the sources to CommonJS.)
const typebox = require('@sinclair/typebox');

exports.Type = typebox.Type;
exports.Kind = typebox.Kind;
exports.TypeCompiler = require('@sinclair/typebox/compiler').TypeCompiler;
exports.Value = require('@sinclair/typebox/value').Value;
