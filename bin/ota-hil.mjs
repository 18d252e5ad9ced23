#!/usr/bin/env node
// Entry point. Installed from the package (node_modules/ota-hil), it runs the compiled CLI in
// dist/; in the repository, where the TypeScript sources are, it runs them through tsx, so working
// on ota-hil needs no build step (and a stale dist/ left by `npm pack` is never run).
import { existsSync } from 'node:fs';

const source = new URL('../harness/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import(new URL('../dist/harness/cli/main.js', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
