// A sweep thread (worker-pool.ts): loads the thread side of harness/faults/sweep-threads.ts (the
// module thread-module.ts chose: compiled, or bundled from the sources), then runs one share of
// a sweep per message, for as long as the pool keeps it.
import { parentPort, workerData } from 'node:worker_threads';

const { threadMain } = await import(workerData.module);
parentPort.on('message', (job) => {
  threadMain(job.rec, job.opts, (m) => parentPort.postMessage(m)).catch((e) => parentPort.postMessage({ type: 'error', message: String(e?.stack ?? e) }));
});
