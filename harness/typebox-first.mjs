// TypeBox loaded ahead of tsx, in the repository's processes that run the TypeScript sources
// (`node --import ./harness/typebox-first.mjs --import tsx`, or imported before tsx's register()):
// modules loaded before tsx registers its loader hooks skip them. In Node 20 those hooks run
// off-thread and cost ~1.3 ms per module; TypeBox's ESM build is ~270 modules, 0.3 s a process.
import '@sinclair/typebox';
import '@sinclair/typebox/value';
import '@sinclair/typebox/compiler';
