// Console waits that can be abandoned: Console.waitFor keeps its timer until it times out, so a
// wait a power cut made pointless would hold the process for its whole timeout. Waiting in short
// slices lets a cancelled wait end within one slice.
import type { Console } from '../console/console.ts';

const SLICE_MS = 250;

/** `probe`'s value once it has one; undefined on timeout or once `stop()` says so. */
export async function waitOn<T>(console: Console, probe: () => T | undefined, timeoutMs: number, what: string, stop: () => boolean = () => false): Promise<T | undefined> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const left = end - performance.now();
    if (left <= 0 || stop()) return probe();
    try {
      return await console.waitFor(probe, Math.min(SLICE_MS, left), what);
    } catch {
      // slice over: look at stop() and the clock again
    }
  }
}
