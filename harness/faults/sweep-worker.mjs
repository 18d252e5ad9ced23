// A sweep thread: TypeScript through tsx (worker threads do not inherit the parent's loader),
// then its share of the cut points (harness/faults/sweep-threads.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { threadMain } = await import('./sweep-threads.ts');
await threadMain(workerData.rec, workerData.opts, (m) => parentPort.postMessage(m));
