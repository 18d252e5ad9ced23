// The module a sweep thread runs (sweep-threads.ts's thread side). Worker threads do not inherit
// the parent's loader. In the package it is the compiled sibling (dist/). In the repository the
// TypeScript sources are bundled once per process with esbuild into plain JavaScript under
// node_modules/.cache (named by content, so processes share it): a thread then loads one file
// and only what a sweep uses, instead of tsx's off-thread loader and the whole harness (about
// 50 MB and 2 s per thread).
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let bundled: Promise<string> | null = null;

/** The URL of the module exporting threadMain. */
export function threadModule(): Promise<string> {
  const compiled = new URL('./sweep-threads.js', import.meta.url);
  if (existsSync(compiled)) return Promise.resolve(compiled.href);
  bundled ??= bundle().catch((e: unknown) => {
    bundled = null;
    throw new Error(`sweep threads: could not bundle harness/faults/sweep-threads.ts with esbuild: ${(e as Error).message}`);
  });
  return bundled;
}

async function bundle(): Promise<string> {
  const { build } = await import('esbuild');
  const entry = fileURLToPath(new URL('./sweep-threads.ts', import.meta.url));
  const root = dirname(dirname(dirname(entry)));
  // A CommonJS source (harness/typebox.cjs) requires its packages and names its own file: ESM has
  // neither require nor __filename of its own.
  const banner = "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __fileURLToPath } from 'node:url'; const require = __createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url);";
  const r = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', banner: { js: banner }, write: false, logLevel: 'silent' });
  const code = r.outputFiles[0]!.contents;
  // Bare imports (npm packages) resolve from here up to the repository's node_modules.
  const dir = join(root, 'node_modules', '.cache', 'ota-hil');
  const file = join(dir, `sweep-thread-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, file); // atomic: a process starting threads meanwhile sees all of it or none
  }
  return pathToFileURL(file).href;
}
