// A sweep thread: its share of the cut points (harness/faults/sweep-threads.ts). Worker threads do
// not inherit the parent's loader: in the repository the TypeScript source is loaded through tsx;
// in the package this file sits beside the compiled sweep-threads.js (npm run build copies it).
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const compiled = new URL('./sweep-threads.js', import.meta.url);
let threadMain;
if (existsSync(compiled)) {
  ({ threadMain } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ threadMain } = await import('./sweep-threads.ts'));
}
await threadMain(workerData.rec, workerData.opts, (m) => parentPort.postMessage(m));
