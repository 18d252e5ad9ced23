// The bootloader's swap of the firmware slot with the filesystem copy, chunk by chunk through one
// scratch sector. Journal entry 0 says the swap has begun; entry k + 1 says step k is done. Every
// step erases its destination and copies from a source no earlier step of the same chunk has
// touched, so after a cut at any flash operation the step can simply be done again: the swap
// resumes exactly where it was cut.
//   step 0: scratch   ← firmware[i]
//   step 1: firmware[i] ← staging[i]
//   step 2: staging[i] ← scratch
import type { DeviceFlash } from '../../stack.ts';
import type { Layout } from './layout.ts';
import type { Mutation } from './mutants.ts';
import { journalRecord } from './record.ts';

/** The bootloader copies through a 1 KiB RAM buffer. */
const COPY = 1024;

async function copy(flash: DeviceFlash, from: number, to: number, len: number): Promise<void> {
  for (let o = 0; o < len; o += COPY) await flash.program(to + o, flash.view(from + o, Math.min(COPY, len - o)));
}

export const swapSteps = (chunks: number) => chunks * 3;

/** Journal entry 0: written before the first step, so any later cut is seen as a swap under way. */
export const markBegun = (flash: DeviceFlash, l: Layout) => journalRecord(flash, l, 0);

export async function swap(flash: DeviceFlash, l: Layout, mut: Mutation, chunks: number, fromStep: number): Promise<void> {
  const S = l.sectorSize;
  for (let k = fromStep; k < swapSteps(chunks); k++) {
    const i = Math.floor(k / 3);
    const fw = l.firmware + i * S;
    const st = l.staging + i * S;
    const [from, to] = k % 3 === 0 ? [fw, l.scratch] : k % 3 === 1 ? [st, fw] : [l.scratch, st];
    if (mut.has('journal-before-copy')) await journalRecord(flash, l, k + 1);
    await flash.erase(to, S);
    await copy(flash, from, to, S);
    if (!mut.has('journal-before-copy')) await journalRecord(flash, l, k + 1);
  }
}
