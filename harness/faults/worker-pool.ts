// Sweep threads kept between sweeps: starting one costs a module load (and under tsx far more), so
// a process that sweeps again takes the threads the last sweep left idle. Idle threads hold no
// work and do not keep the process alive; after a while without a sweep they end.
import { Worker } from 'node:worker_threads';
import { threadModule } from './thread-module.ts';

/** Idle threads end after this long without a sweep. */
const IDLE_MS = 10_000;
/**
 * A thread's young generation: a sweep allocates short-lived objects fast, and V8's default lets
 * the nursery grow to tens of MB per thread. 512 KiB sweep, 2 threads: 16 MB, peak 289 -> 277 MB
 * (64 MB: 321 MB); later 8 MB, 220-223 -> 214-217 MB (4 interleaved runs), CPU the same within noise.
 */
const YOUNG_MB = 8;
/**
 * A thread's old generation, at most. Not a budget (a 512 KiB sweep's thread holds ~20 MB of live
 * heap; its flash images are outside the heap): V8 lets a heap grow by up to 4x its live size
 * between full GCs when the limit is GBs away, by 1.3-1.6x when it is at most 1 GB. 512 KiB sweep,
 * 2 threads: the thread's heap 44 -> 38 MB, peak RSS ~10 MB lower, CPU the same within noise.
 */
const OLD_MB = 1024;

export type ThreadMessage = { type: 'result'; r: unknown } | { type: 'done'; total: number } | { type: 'error'; message: string };

interface PooledThread {
  worker: Worker;
  timer: NodeJS.Timeout | null;
  /** The running job's listener, or null while idle. */
  job: ((m: ThreadMessage) => void) | null;
  /** Fails the running job (the thread died). */
  fail: ((e: Error) => void) | null;
}

const idle: PooledThread[] = [];

/** Run one job on a pooled thread; `onMessage` sees its results; resolves with the thread's total. */
export async function runOnThread(data: unknown, onMessage: (m: ThreadMessage) => void): Promise<number> {
  const t = idle.pop() ?? (await start());
  if (t.timer) clearTimeout(t.timer);
  t.timer = null;
  t.worker.ref();
  try {
    const total = await new Promise<number>((resolve, reject) => {
      t.fail = reject;
      t.job = (m) => {
        if (m.type === 'done') resolve(m.total);
        else if (m.type === 'error') reject(new Error(m.message));
        else onMessage(m);
      };
      t.worker.postMessage(data);
    });
    release(t);
    return total;
  } catch (e) {
    void t.worker.terminate(); // its state is unknown: never reused
    throw e;
  } finally {
    t.job = null;
    t.fail = null;
  }
}

/** Back to the pool, idle. */
function release(t: PooledThread): void {
  t.worker.unref();
  t.timer = setTimeout(() => {
    const i = idle.indexOf(t);
    if (i >= 0) idle.splice(i, 1);
    void t.worker.terminate();
  }, IDLE_MS).unref();
  idle.push(t);
}

async function start(): Promise<PooledThread> {
  const module = await threadModule();
  const worker = new Worker(new URL('./sweep-worker.mjs', import.meta.url), { workerData: { module }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB, maxOldGenerationSizeMb: OLD_MB } });
  const t: PooledThread = { worker, timer: null, job: null, fail: null };
  worker.on('message', (m: ThreadMessage) => t.job?.(m));
  const die = (e: Error) => {
    const i = idle.indexOf(t);
    if (i >= 0) idle.splice(i, 1);
    t.fail?.(e);
  };
  worker.on('error', die);
  worker.on('exit', (code) => die(new Error(`sweep thread exited with ${code}`)));
  return t;
}
