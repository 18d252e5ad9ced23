// The Playwright runner's global setup (harness/config.ts): every rig of the run checked in full,
// its simulated images built by their stacks, before any worker starts. The config checks the rest
// as it is read, in the runner and again in each worker; building the images would load every
// stack of the rig there, where a worker needs its own board's only.
import type { FullConfig } from '@playwright/test';
import { loadRigWithImages } from './load.ts';
import { exitOnRigError } from './projects.ts';
import type { BoardOptions } from '../fixtures/test.ts';

export default async function checkRigs(config: FullConfig): Promise<void> {
  const files = new Set(config.projects.map((p) => (p.use as Partial<BoardOptions>).rigFile).filter((f) => f !== undefined));
  try {
    for (const file of files) await loadRigWithImages(file);
  } catch (e) {
    exitOnRigError(e);
  }
}
